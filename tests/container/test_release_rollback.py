"""Release v1, release v2, roll back: on the emulator with image functions, through the CLI.

Each command runs the real code paths of a release against the emulator: the credential
preflight on its STS (temporary credentials from its AssumeRole), the image builds (host engine,
local base; v2 differs from v1 only in its code version), the push to its ECR registry, the
digests ECR recorded, the emulator deployer in Terraform's place (``update_function_code`` by
digest), the ledger in the results bucket, and the smoke sweep through both functions."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from aws_adapters import S3Store, client
from pipeline.cli import main
from pipeline.deploy import DeploymentNames
from pipeline.docker import DockerDaemon, DockerError, DockerUnavailable, TcpRelay, ensure_daemon, ensure_network
from pipeline.emulator import Emulator
from pipeline.release import LedgerEntry, ReleaseLedger, Stack, live_images, smoke_test
from sim.datasets import layout
from sim.datasets.parquet import decode
from tests.conftest import ASYNC_RETRY_BASE_SECONDS

pytestmark = [pytest.mark.container, pytest.mark.emulator, pytest.mark.slow]

NAMES = DeploymentNames()
STACK = Stack(NAMES.parent_function, NAMES.child_function, NAMES.results_bucket, NAMES.results_prefix)
OPERATOR_ROLE = "arn:aws:iam::000000000000:role/release-operator"
# MiniStack labels every container it starts with its gateway address.
INSTANCE_LABEL = "ministack.instance"


@dataclass
class ImageEmulator:
    emulator: Emulator
    daemon: DockerDaemon

    @property
    def endpoint_url(self) -> str:
        return self.emulator.endpoint_url

    def client(self, service: str) -> Any:
        return client(service, endpoint_url=self.endpoint_url, region_name="us-east-1")

    def containers(self) -> list[dict]:
        """Every function container this emulator started, as ``docker inspect`` shows it."""
        cli = self.daemon.cli
        instance = f"{socket.gethostname()}:{self.emulator.port}"
        ids = cli.run(["ps", "--all", "--quiet", "--filter", f"label={INSTANCE_LABEL}={instance}"]).split()
        return json.loads(cli.run(["inspect", *ids])) if ids else []


@pytest.fixture(scope="module")
def image_emulator() -> Iterator[ImageEmulator]:
    """An emulator that runs functions as containers on the project's network, relayed there."""
    try:
        daemon = ensure_daemon()
    except DockerUnavailable as error:
        pytest.skip(f"no Docker engine can run here: {error}")
    network = ensure_network(daemon.cli)
    emulator = Emulator(
        async_retry_base_seconds=ASYNC_RETRY_BASE_SECONDS, docker_flags=network.docker_flags(), extra_env=daemon.env
    )
    with emulator:
        assert emulator.port is not None
        relay = TcpRelay((network.gateway, emulator.port), ("127.0.0.1", emulator.port)).start()
        running = ImageEmulator(emulator, daemon)
        try:
            yield running
        finally:
            relay.stop()
            with contextlib.suppress(DockerError):
                ids = [c["Id"] for c in running.containers()]
                if ids:
                    daemon.cli.run(["rm", "--force", *ids])


@pytest.fixture(scope="module")
def operator_session(image_emulator: ImageEmulator) -> Iterator[dict[str, str]]:
    """Temporary credentials from the emulator's STS (an assumed role), exported as an operator would."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        patch.setenv("AWS_ACCESS_KEY_ID", "test")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "test")
        credentials = image_emulator.client("sts").assume_role(RoleArn=OPERATOR_ROLE, RoleSessionName="e2e-release")[
            "Credentials"
        ]
        exported = {
            "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["SessionToken"],
        }
        for name, value in exported.items():
            patch.setenv(name, value)
        yield exported


@dataclass(frozen=True)
class Step:
    argv: list[str]
    exit_code: int
    seconds: float
    started: float


@pytest.fixture(scope="module")
def history(image_emulator: ImageEmulator, operator_session: dict[str, str]) -> dict[str, Step]:
    """v1 released, v2 released, then a rollback without --to: each through ``python -m pipeline``."""
    endpoint = ["--endpoint-url", image_emulator.endpoint_url]
    commands = {
        "v1": ["release", *endpoint, "--release-id", "v1", "--code-version", "e2e-v1", "--engine", "host"],
        "v2": ["release", *endpoint, "--release-id", "v2", "--code-version", "e2e-v2", "--engine", "host"],
        "rollback": ["rollback", *endpoint, "--release-id", "rollback-to-v1"],
    }
    steps = {}
    for name, argv in commands.items():
        started_at, started = time.time(), time.perf_counter()
        code = main(argv)
        steps[name] = Step(argv, code, time.perf_counter() - started, started_at)
        print(f"{name}: exit {code} in {steps[name].seconds:.1f} s")
    return steps


def created(container: dict) -> float:
    """A container's creation time (docker prints nanoseconds; seconds are enough here)."""
    return datetime.fromisoformat(container["Created"][:19] + "+00:00").timestamp()


def ledger_of(image_emulator: ImageEmulator) -> ReleaseLedger:
    return ReleaseLedger(S3Store(NAMES.results_bucket, image_emulator.client("s3")))


def smoke_outcome(image_emulator: ImageEmulator, entry: LedgerEntry) -> dict:
    """The shard_outcomes row the child wrote for an entry's smoke run."""
    run_id = re.match(r"run (smoke-[0-9a-f]+):", entry.smoke.detail).group(1)  # type: ignore[union-attr]
    store = S3Store(NAMES.results_bucket, image_emulator.client("s3"))
    (key,) = store.list(layout.dataset_prefix("shard_outcomes", run_id))
    return decode(store.get(key)).to_pylist()[0]  # type: ignore[arg-type]


def test_release_release_rollback_all_succeed(history: dict[str, Step]) -> None:
    assert {name: step.exit_code for name, step in history.items()} == {"v1": 0, "v2": 0, "rollback": 0}


def test_the_ledger_holds_the_three_entries_in_order(
    history: dict[str, Step], image_emulator: ImageEmulator, operator_session: dict[str, str]
) -> None:
    # given the ledger after the three commands
    ledger = ledger_of(image_emulator)
    v1, v2, back = ledger.entries()
    # then it holds release v1, release v2, and the rollback to v1's pair, each smoke-tested
    assert [(e.sequence, e.release_id, e.kind) for e in (v1, v2, back)] == [
        (1, "v1", "release"),
        (2, "v2", "release"),
        (3, "rollback-to-v1", "rollback"),
    ]
    assert [e.smoke.status for e in (v1, v2, back)] == ["passed"] * 3
    assert (back.restores, back.rolled_back_from) == ("v1", "v2")
    # and the digests flowed from the pushes into the ledger: two distinct pairs, v1's restored
    assert v1.images != v2.images and back.images == v1.images
    assert v1.images.parent.startswith(
        f"{image_emulator.emulator.endpoint_url.split('//')[1]}/serverless-sweep-parent@"
    )
    assert [e.terraform_variables["code_version"] for e in (v1, v2, back)] == ["e2e-v1", "e2e-v2", "e2e-v1"]
    assert back.terraform_variables["child_image_uri"] == v1.images.child
    # and who applied it: the assumed role the operator's session belongs to
    assert all(
        e.applied_by.startswith("arn:aws:sts::000000000000:assumed-role/release-operator/") for e in ledger.entries()
    )
    assert all(e.target == image_emulator.endpoint_url for e in ledger.entries())
    # and ledger.json is the same three entries as one document
    document = json.loads(ledger.store.get(ledger.document_key))  # type: ignore[arg-type]
    assert [e["release_id"] for e in document["entries"]] == ["v1", "v2", "rollback-to-v1"]


def test_each_smoke_run_saw_its_release_code_version_in_the_childs_outcomes(
    history: dict[str, Step], image_emulator: ImageEmulator, operator_session: dict[str, str]
) -> None:
    # given the three smoke runs the commands recorded
    v1, v2, back = ledger_of(image_emulator).entries()
    # when the child's shard_outcomes rows are read
    rows = [smoke_outcome(image_emulator, entry) for entry in (v1, v2, back)]
    # then v2 visibly changed the code version, and the rollback brought v1's back
    assert [(r["status"], r["code_version"]) for r in rows] == [
        ("succeeded", "e2e-v1"),
        ("succeeded", "e2e-v2"),
        ("succeeded", "e2e-v1"),
    ]


def test_after_the_rollback_the_functions_run_v1s_digests(
    history: dict[str, Step], image_emulator: ImageEmulator, operator_session: dict[str, str]
) -> None:
    v1 = ledger_of(image_emulator).get("v1")
    lambda_ = image_emulator.client("lambda")
    # the functions are configured with v1's pair, as pushed and resolved
    assert live_images(lambda_, STACK) == v1.images
    for function, uri in ((NAMES.parent_function, v1.images.parent), (NAMES.child_function, v1.images.child)):
        code = lambda_.get_function(FunctionName=function)["Code"]
        assert (code["ImageUri"], code.get("ResolvedImageUri", uri)) == (uri, uri)
    # and a fresh sweep through them writes v1's code version (the manifest's and the child's)
    report = smoke_test(
        lambda_,
        S3Store(NAMES.results_bucket, image_emulator.client("s3")),
        parent_function=NAMES.parent_function,
        results_prefix=NAMES.results_prefix,
        code_version="e2e-v1",
        run_id="after-rollback-001",
    )
    assert report.passed, report.result.detail
    assert (report.parent_code_version, report.child_code_version) == ("e2e-v1", "e2e-v1")
    # and the containers the emulator started for the child since the rollback run v1's image
    since_rollback = [
        c
        for c in image_emulator.containers()
        if f"AWS_LAMBDA_FUNCTION_NAME={NAMES.child_function}" in c["Config"]["Env"]
        and created(c) >= int(history["rollback"].started)
    ]
    assert since_rollback and {c["Config"]["Image"] for c in since_rollback} == {v1.images.child}


def test_long_lived_keys_are_refused_before_anything_is_built(
    image_emulator: ImageEmulator, operator_session: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # given an access key without a session
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    # when a release is started against the emulator
    code = main(["release", "--endpoint-url", image_emulator.endpoint_url, "--release-id", "refused"])
    # then it stops at the preflight with a message saying what to do
    assert code == 1
    assert "long-lived access key" in capsys.readouterr().err
    assert os.environ["AWS_ACCESS_KEY_ID"].startswith("AKIA")
