"""The client against the emulator: submit → wait → runs → results → sql, CLI and Python, over S3.

Requests go through the API Gateway stage URL to the real parent (zip functions on
MiniStack), unsigned as against any emulator, except the signed submit: it passes through a
recording relay to the same stage, and the test recomputes the recorded request's SigV4
signature with botocore. Each request has a run_id of its own, so the shared session
fixtures' runs are left alone."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from aws_adapters.constants import CHILD_FUNCTION_NAME_ENV
from pipeline.cli import main
from pipeline.client import DispatchIncomplete, QueryRefused, RunState, Signing, SubmitRefused, SweepClient
from pipeline.client.cli import EXIT_CONFLICT, EXIT_INVALID_REQUEST
from pipeline.demo.http import post
from pipeline.deploy import Deployment
from pipeline.deploy.functions import wait_ready
from pipeline.emulator import Emulator
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_SUCCEEDED, Verdict
from pipeline.results import ResultsSource
from tests.e2e.conftest import fixture_body

pytestmark = pytest.mark.emulator

CLI_RUN = "client-cli-001"
API_RUN = "client-api-001"
SIGNED_RUN = "client-signed-001"
REGION = "us-east-1"
SESSION_KEY, SESSION_SECRET, SESSION_TOKEN = "ASIAIOSFODNN7CLIENT", "client-secret", "client-session-token"
WAIT = ("--wait", "--interval", "0.3", "--timeout", "180")


@dataclass(frozen=True)
class Cli:
    code: int
    stdout: str
    stderr: str


def cli(*args: str) -> Cli:
    """``python -m pipeline ARGS`` in this process (the emulator's client environment is the session's)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Cli(code, out.getvalue(), err.getvalue())


def write_request(directory: Path, name: str, body: dict[str, Any]) -> str:
    path = directory / name
    path.write_text(json.dumps(body))
    return str(path)


@dataclass(frozen=True)
class Submitted:
    deployment: Deployment
    request: dict[str, Any]
    result: Cli

    @property
    def s3(self) -> tuple[str, ...]:
        return ("--source", self.deployment.results_location, "--endpoint-url", self.deployment.endpoint_url)


@pytest.fixture(scope="module")
def submitted(_deployments: list[Deployment], tmp_path_factory: pytest.TempPathFactory) -> Submitted:
    """The small request (2 points, 2 shards) submitted with ``submit --wait --json`` through the stage URL."""
    deployment = _deployments[0]
    body = fixture_body("small.json", run_id=CLI_RUN)
    request = write_request(tmp_path_factory.mktemp("client-e2e"), "small.json", body)
    result = cli("submit", request, "--api-url", deployment.api_url, "--endpoint-url", deployment.endpoint_url,
                 *WAIT, "--json")  # fmt: skip
    return Submitted(deployment, body, result)


def test_submit_wait_through_the_api_succeeds(submitted: Submitted) -> None:
    # given the small request submitted through API Gateway with --wait --json
    result = submitted.result
    assert result.code == EXIT_SUCCEEDED, result.stderr
    document = json.loads(result.stdout)
    # then the parent's summary came back and the source is the bucket it reported
    assert document["summary"]["run_id"] == CLI_RUN and document["summary"]["shards_dispatched"] == 2
    assert document["summary"]["results_prefix"].startswith(submitted.deployment.results_location + "/")
    assert document["source"] == submitted.deployment.results_location
    # and the status after waiting has both shards succeeded
    assert document["status"]["verdict"] == "succeeded" and document["exit_code"] == EXIT_SUCCEEDED
    assert [s["state"] for s in document["status"]["shards"]] == ["succeeded", "succeeded"]


def test_runs_lists_the_run_from_its_manifest_in_s3(submitted: Submitted) -> None:
    result = cli("runs", *submitted.s3, "--json", "--limit", "1000")
    assert result.code == EXIT_SUCCEEDED, result.stderr
    listing = {r["run_id"]: r for r in json.loads(result.stdout)["runs"]}
    assert (listing[CLI_RUN]["state"], listing[CLI_RUN]["points"], listing[CLI_RUN]["shards"]) == ("complete", 2, 2)
    created = [r["created_at"] for r in json.loads(result.stdout)["runs"]]
    assert created == sorted(created, reverse=True)


def test_results_exports_the_run_from_s3(submitted: Submitted, tmp_path: Path) -> None:
    out = tmp_path / "metrics.parquet"
    result = cli("results", "--run-id", CLI_RUN, *submitted.s3, "--dataset", "shard_metrics", "--out", str(out))
    assert result.code == EXIT_SUCCEEDED, result.stderr
    written = pq.read_table(out)
    expected = ResultsSource(submitted.deployment.results_location, submitted.deployment.endpoint_url).read(
        "shard_metrics", CLI_RUN
    )
    assert written.sort_by("point_index").equals(expected.sort_by("point_index")) and written.num_rows == 2
    assert set(written.column("run_id").to_pylist()) == {CLI_RUN}
    assert sorted(written.column("shard_id").to_pylist()) == [0, 1]


def test_sql_runs_on_s3_through_the_emulator(submitted: Submitted) -> None:
    query = (
        "SELECT m.shard_id, count(*) AS points, max(o.attempt) AS attempts FROM shard_metrics m "
        "JOIN shard_outcomes o USING (run_id, shard_id) GROUP BY ALL ORDER BY 1"
    )
    result = cli("sql", query, *submitted.s3, "--run-id", CLI_RUN, "--format", "json")
    assert result.code == EXIT_SUCCEEDED, result.stderr
    assert json.loads(result.stdout) == [
        {"shard_id": 0, "points": 1, "attempts": 1},
        {"shard_id": 1, "points": 1, "attempts": 1},
    ]
    refused = cli("sql", f"DELETE FROM shard_metrics WHERE run_id = '{CLI_RUN}'", *submitted.s3)
    assert refused.code == 1 and "a DELETE statement is refused: the connection is read-only" in refused.stderr


def test_a_refused_request_shows_the_apis_messages_and_exit_code(submitted: Submitted, tmp_path: Path) -> None:
    api = ("--api-url", submitted.deployment.api_url, "--endpoint-url", submitted.deployment.endpoint_url)
    # given a request the schema accepts but the parent's checks do not (more shards than points)
    invalid = write_request(
        tmp_path, "invalid.json", fixture_body("small.json", run_id="client-bad-001", shard_count=3)
    )
    # when it is submitted, then the parent's 400 and its message are shown, exit 2
    result = cli("submit", invalid, *api)
    assert result.code == EXIT_INVALID_REQUEST and result.stdout == ""
    assert "refused with 400" in result.stderr
    assert "shard_count: must be <= the number of grid points (2)" in result.stderr
    # and a body API Gateway's validator refuses is shown with the errors the gateway answered, exit 2
    # (AWS renders its validator's message there; MiniStack leaves the template variable as it is)
    result = cli("submit", write_request(tmp_path, "bad.json", {"run_id": "bad"}), *api)
    answered = post(submitted.deployment.api_url, b'{"run_id": "bad"}')
    assert answered.status == 400 and result.code == EXIT_INVALID_REQUEST
    assert result.stderr.splitlines()[1:] == [f"  {message}" for message in answered.json()["errors"]]
    # and a different request under the CLI run's run_id is the 409, exit 5
    other = write_request(tmp_path, "other.json", {**submitted.request, "seed": 8})
    result = cli("submit", other, *api)
    assert result.code == EXIT_CONFLICT and "refused with 409" in result.stderr
    assert f"'{CLI_RUN}' already exists with a different request" in result.stderr


def test_python_api_submit_wait_table_sql_runs(submitted: Submitted) -> None:
    deployment = submitted.deployment
    # given a client of the emulator's API (its source comes from the API's answer)
    client = SweepClient(api_url=deployment.api_url, endpoint_url=deployment.endpoint_url)
    assert not client.signs()
    # when a single-point request is submitted and waited for
    run = client.submit(fixture_body("single_point.json", run_id=API_RUN))
    status = run.wait(progress=False, interval=0.3, timeout=180)
    # then it succeeded, and its table and SQL read S3
    assert status.verdict is Verdict.SUCCEEDED
    assert run.source.location == deployment.results_location
    metrics = run.table("shard_metrics")
    assert metrics.num_rows == 1 and metrics.column("run_id").to_pylist() == [API_RUN]
    trips = run.sql("SELECT count(*) AS n FROM trip_data").to_pylist()[0]["n"]
    assert trips == metrics.column("requests").to_pylist()[0]
    with pytest.raises(QueryRefused):
        run.sql("CREATE TABLE copy AS SELECT * FROM trip_data")
    # and the run is listed with the CLI's, from the bucket
    lister = SweepClient(source=deployment.results_location, endpoint_url=deployment.endpoint_url)
    listed = {r.run_id: r.state for r in lister.runs()}
    assert listed[API_RUN] is RunState.COMPLETE and listed[CLI_RUN] is RunState.COMPLETE
    # and a conflicting request raises with the API's message
    with pytest.raises(SubmitRefused, match="already exists with a different request") as refused:
        client.submit(fixture_body("single_point.json", run_id=API_RUN, seed=2))
    assert refused.value.status == 409


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingRelay:
    """Relays POSTs to the emulator's API unchanged, keeping a copy of each request as received."""

    target: str
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def relay(deployment: Deployment) -> Iterator[RecordingRelay]:
    target = urlsplit(deployment.api_url)
    recording = RecordingRelay(f"{target.scheme}://{target.netloc}")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            recording.requests.append(Recorded(self.path, dict(self.headers.items()), body))
            forward = urllib.request.Request(
                recording.target + self.path, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            try:
                with urllib.request.urlopen(forward, timeout=60) as answer:
                    status, payload = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                status, payload = error.code, error.read()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recording.url = f"http://127.0.0.1:{server.server_address[1]}{target.path}"
    try:
        yield recording
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def recomputed_signature(recorded: Recorded, url: str, credentials: Credentials, region: str) -> str:
    """botocore's SigV4 over the recorded method, URL, signed headers, date and body."""
    signed = recorded_authorization(recorded)["SignedHeaders"].split(";")
    headers = {name.lower(): value for name, value in recorded.headers.items()}
    request = AWSRequest(method="POST", url=url, data=recorded.body, headers={n: headers[n] for n in signed})
    request.context["timestamp"] = headers["x-amz-date"]
    auth = SigV4Auth(credentials, "execute-api", region)
    return str(auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request))


def recorded_authorization(recorded: Recorded) -> dict[str, str]:
    scheme, _, fields = recorded.headers["Authorization"].partition(" ")
    assert scheme == "AWS4-HMAC-SHA256"
    return dict(part.strip().split("=", 1) for part in fields.split(","))


def export_session(monkeypatch: pytest.MonkeyPatch, key: str, token: str | None) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SESSION_SECRET)
    if token is None:
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    else:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)


def test_a_signed_submit_carries_a_valid_sigv4_signature(
    deployment: Deployment, emulator: Emulator, relay: RecordingRelay, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an exported session (key ASIA…, with its token), which the release preflight accepts
    export_session(monkeypatch, SESSION_KEY, SESSION_TOKEN)
    client = SweepClient(api_url=relay.url, endpoint_url=emulator.endpoint_url, signing=Signing.SIGV4, region=REGION)
    # when a request is submitted, signed, through the relay to the emulator's API
    run = client.submit(fixture_body("single_point.json", run_id=SIGNED_RUN))
    # then the parent dispatched it, and it ran (waited for, so no child is left running)
    assert run.summary is not None and run.summary.shards_dispatched == 1 and not run.summary.duplicate
    assert run.wait(progress=False, interval=0.3, timeout=180).verdict is Verdict.SUCCEEDED
    # and the request as received carries the session's token and a SigV4 signature botocore recomputes
    (recorded,) = relay.requests
    authorization = recorded_authorization(recorded)
    date = recorded.headers["X-Amz-Date"][:8]
    assert authorization["Credential"] == f"{SESSION_KEY}/{date}/{REGION}/execute-api/aws4_request"
    assert recorded.headers["X-Amz-Security-Token"] == SESSION_TOKEN
    assert {"host", "x-amz-date", "x-amz-security-token", "content-type"} <= set(
        authorization["SignedHeaders"].split(";")
    )
    credentials = Credentials(SESSION_KEY, SESSION_SECRET, SESSION_TOKEN)
    assert recomputed_signature(recorded, relay.url, credentials, REGION) == authorization["Signature"]
    # and the same check fails for a body other than the one signed, or another secret
    tampered = Recorded(recorded.path, recorded.headers, recorded.body.replace(b'"seed": 1', b'"seed": 2'))
    assert tampered.body != recorded.body
    assert recomputed_signature(tampered, relay.url, credentials, REGION) != authorization["Signature"]
    wrong_secret = Credentials(SESSION_KEY, "another-secret", SESSION_TOKEN)
    assert recomputed_signature(recorded, relay.url, wrong_secret, REGION) != authorization["Signature"]


def test_a_long_lived_key_is_refused_before_anything_is_sent(
    emulator: Emulator, relay: RecordingRelay, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given an access key without a session
    export_session(monkeypatch, "AKIAIOSFODNN7CLIENT", None)
    request = write_request(tmp_path, "r.json", fixture_body("single_point.json", run_id="client-refused-001"))
    # when a signed submit is attempted
    result = cli("submit", request, "--api-url", relay.url, "--endpoint-url", emulator.endpoint_url,
                 "--signing", "sigv4", "--region", REGION)  # fmt: skip
    # then the preflight refuses it with the release's message, and nothing reached the API
    assert result.code == 1 and "long-lived access key" in result.stderr and "--allow-long-lived-keys" in result.stderr
    assert relay.requests == []


@pytest.fixture
def parent_without_child(deployment: Deployment) -> Iterator[Deployment]:
    """The parent pointed at a child function that does not exist, for one test; restored after."""
    lambda_ = deployment.client("lambda")
    variables = lambda_.get_function_configuration(FunctionName=deployment.parent_function)["Environment"]["Variables"]
    broken = {**variables, CHILD_FUNCTION_NAME_ENV: f"{deployment.child_function}-missing"}
    lambda_.update_function_configuration(FunctionName=deployment.parent_function, Environment={"Variables": broken})
    wait_ready(lambda_, deployment.parent_function)
    try:
        yield deployment
    finally:
        lambda_.update_function_configuration(
            FunctionName=deployment.parent_function, Environment={"Variables": variables}
        )
        wait_ready(lambda_, deployment.parent_function)


def test_a_dispatch_failure_is_the_apis_502_shown_with_the_failed_shards(
    parent_without_child: Deployment, tmp_path: Path
) -> None:
    deployment = parent_without_child
    request = write_request(tmp_path, "r.json", fixture_body("small.json", run_id="client-undispatched-001"))
    # when the parent cannot invoke any child
    result = cli("submit", request, "--api-url", deployment.api_url, "--endpoint-url", deployment.endpoint_url,
                 "--json")  # fmt: skip
    # then the summary names every shard as not dispatched, and the exit code says the run is incomplete
    assert result.code == EXIT_INCOMPLETE, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["shards_dispatched"] == 0 and [d["status"] for d in summary["dispatches"]] == ["failed", "failed"]
    assert "some shards were not dispatched" in result.stderr
    assert "shard 0: " in result.stderr and "shard 1: " in result.stderr
    # and from Python the run comes with the error, to wait for or redrive
    with pytest.raises(DispatchIncomplete) as incomplete:
        SweepClient(api_url=deployment.api_url, endpoint_url=deployment.endpoint_url).submit(
            fixture_body("small.json", run_id="client-undispatched-001")
        )
    assert incomplete.value.run.run_id == "client-undispatched-001" and len(incomplete.value.messages) == 2
