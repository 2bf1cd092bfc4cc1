"""The local base's Runtime Interface Emulator stand-in, run on loopback against a small runtime
client that speaks the Runtime API the way awslambdaric does (the real client is exercised in
the container tests, inside the local base image)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.images.constants import BASE_RECIPE_DIR
from pipeline.images.smoke import Invocation, invoke

RIE = BASE_RECIPE_DIR / "rie.py"
# A runtime client in a few lines: GET next, then POST response or error; exits on request.
RUNTIME = r"""
import json, os, sys, time, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
if os.environ.get("FAIL_INIT"):
    body = json.dumps({"errorType": "Runtime.ImportModuleError", "errorMessage": "no module named handler"})
    urllib.request.urlopen(urllib.request.Request(api + "/init/error", data=body.encode(), method="POST"))
    sys.exit(1)
while True:
    with urllib.request.urlopen(api + "/invocation/next") as next_:
        if not next_.headers.get("Content-Type"):
            sys.exit(7)  # awslambdaric crashes here
        request_id = next_.headers["Lambda-Runtime-Aws-Request-Id"]
        arn = next_.headers["Lambda-Runtime-Invoked-Function-Arn"]
        event = json.loads(next_.read())
    if event.get("exit"):
        sys.exit(3)
    time.sleep(event.get("sleep", 0))
    if event.get("fail"):
        kind, body = "error", {"errorType": "ValueError", "errorMessage": "boom"}
    else:
        kind, body = "response", {"echo": event, "id": request_id, "arn": arn}
    url = f"{api}/invocation/{request_id}/{kind}"
    urllib.request.urlopen(urllib.request.Request(url, data=json.dumps(body).encode(), method="POST"))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StandIn:
    def __init__(self, tmp_path: Path, **env: str) -> None:
        runtime = tmp_path / "runtime.py"
        runtime.write_text(RUNTIME)
        self.address = f"127.0.0.1:{free_port()}"
        self.log = tmp_path / "rie.log"
        argv = [sys.executable, str(RIE), "--runtime-interface-emulator-address", self.address]
        argv += ["--runtime-api-address", f"127.0.0.1:{free_port()}", sys.executable, str(runtime)]
        self.process = subprocess.Popen(
            argv, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin", **env}
        )

    def invoke(self, event: dict[str, object], request_id: str) -> Invocation:
        return invoke(self.address, event, request_id)

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    rie = StandIn(tmp_path, AWS_LAMBDA_FUNCTION_TIMEOUT="2", AWS_LAMBDA_FUNCTION_NAME="sweep-child")
    yield rie
    rie.stop()


def test_an_invocation_is_answered_with_the_handlers_result_under_the_callers_request_id(stand_in: StandIn) -> None:
    result = stand_in.invoke({"a": 1}, "req-1")

    assert result.status == 200
    assert result.payload == {
        "echo": {"a": 1},
        "id": "req-1",
        "arn": "arn:aws:lambda:us-east-1:012345678912:function:sweep-child",
    }


def test_each_invocation_prints_start_end_and_a_report_line_with_init_duration_only_when_cold(
    stand_in: StandIn,
) -> None:
    stand_in.invoke({"a": 1}, "cold-1")
    stand_in.invoke({"a": 2}, "warm-1")

    reports = [line for line in stand_in.lines() if line.startswith("REPORT RequestId: ")]
    assert "START RequestId: cold-1 Version: $LATEST" in stand_in.lines()
    assert "END RequestId: warm-1" in stand_in.lines()
    assert [r.split("\t")[0] for r in reports] == ["REPORT RequestId: cold-1", "REPORT RequestId: warm-1"]
    assert "Init Duration: " in reports[0] and "Init Duration" not in reports[1]
    assert all("Memory Size: 3008 MB" in r and "Max Memory Used: " in r for r in reports)


def test_a_handler_error_is_a_200_with_the_error_payload_flagged_unhandled(stand_in: StandIn) -> None:
    result = stand_in.invoke({"fail": True}, "req-err")

    assert (result.status, result.headers.get("X-Amz-Function-Error")) == (200, "Unhandled")
    assert result.payload == {"errorType": "ValueError", "errorMessage": "boom"}


def test_a_runtime_that_exits_mid_invocation_is_a_502_and_the_next_invocation_starts_a_new_one(
    stand_in: StandIn,
) -> None:
    died = stand_in.invoke({"exit": True}, "req-exit")
    after = stand_in.invoke({"a": 3}, "req-after")

    assert died.status == 502 and died.payload["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in died.payload["errorMessage"]
    assert (after.status, after.payload["echo"]) == (200, {"a": 3})


def test_a_handler_past_the_function_timeout_is_timed_out_and_replaced(stand_in: StandIn) -> None:
    slow = stand_in.invoke({"sleep": 5}, "req-slow")
    after = stand_in.invoke({"a": 4}, "req-next")

    assert slow.payload == "Task timed out after 2.00 seconds"
    assert after.payload["echo"] == {"a": 4}


def test_a_failed_init_is_a_502_carrying_the_runtimes_init_error(tmp_path: Path) -> None:
    rie = StandIn(tmp_path, FAIL_INIT="1")
    try:
        result = rie.invoke({}, "req-init")
    finally:
        rie.stop()

    assert result.status == 502
    assert result.payload == {"errorType": "Runtime.ImportModuleError", "errorMessage": "no module named handler"}


def test_only_the_invocation_path_is_served(stand_in: StandIn) -> None:
    stand_in.invoke({"a": 0}, "listening")  # retried until the stand-in listens
    request = urllib.request.Request(f"http://{stand_in.address}/other", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)

    assert error.value.code == 404
    assert json.loads(error.value.read()) == {"message": "not found"}
