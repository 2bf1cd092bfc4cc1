"""One direct invocation of an image through its entrypoint contract (the Runtime Interface
Emulator on port 8080), in a container that testcontainers starts, waits on (its log wait strategy) and removes.

Each image gets a case that needs no AWS service: the parent rejects an invalid request with
its own 400 (the handler module, its configuration check and the request contract all ran);
the child re-validates its payload and raises ``RequestInvalid`` (sim, numpy and pyarrow all
imported). The Ryuk reaper image cannot be pulled here, so it is disabled and the container
is removed explicitly."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.docker import DockerDaemon, FunctionNetwork
from pipeline.images.exceptions import SmokeTestFailed

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
RIE_PORT = 8080
READY_TIMEOUT_SECONDS = 30.0
INVOKE_TIMEOUT_SECONDS = 60.0
LOG_WAIT_SECONDS = 5
SMOKE_REQUEST_ID = "smoke-1"
# Configuration the handlers validate at cold start; nothing is contacted in these cases.
SMOKE_ENV = {
    "RESULTS_BUCKET": "smoke-results",
    "CHILD_FUNCTION_NAME": "smoke-child",
    "CODE_VERSION": "smoke",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_LAMBDA_FUNCTION_TIMEOUT": "60",
}


@dataclass(frozen=True)
class Invocation:
    """What the invocation endpoint answered, and the container's log after it."""

    status: int
    headers: dict[str, str]
    payload: Any
    log: str
    seconds: float
    container_id: str | None = None


def _parent_ok(result: Invocation) -> bool:
    body = result.payload.get("body", {}) if isinstance(result.payload, dict) else {}
    return result.payload.get("statusCode") == 400 and any("run_id" in e or "dimensions" in e for e in body["errors"])


def _child_ok(result: Invocation) -> bool:
    payload = result.payload if isinstance(result.payload, dict) else {}
    return payload.get("status") == "rejected" and any("dimensions" in e for e in payload.get("errors", []))


@dataclass(frozen=True)
class SmokeCase:
    event: dict[str, Any]
    expected: str
    check: Callable[[Invocation], bool] = field(repr=False)


SMOKE_CASES = {
    "parent": SmokeCase({"run_id": "bad"}, "a 400 direct response naming the bad fields", _parent_ok),
    "child": SmokeCase({"run_id": "bad", "shard_id": 0}, "a rejection naming the bad fields", _child_ok),
}


def invoke(address: str, event: Mapping[str, Any], request_id: str = SMOKE_REQUEST_ID) -> Invocation:
    """POST one event to a Runtime Interface Emulator at ``host:port``, retrying until it listens."""
    url = f"http://{address}{INVOKE_PATH}"
    data = json.dumps(event).encode()
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        started = time.monotonic()
        request = urllib.request.Request(url, data=data, headers={"X-Amzn-RequestId": request_id}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=INVOKE_TIMEOUT_SECONDS) as answer:
                status, headers, body = answer.status, dict(answer.headers), answer.read()
            break
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, dict(error.headers), error.read()
            break
        except (urllib.error.URLError, ConnectionError) as error:
            if time.monotonic() > deadline:
                raise SmokeTestFailed(f"nothing answers at {url}: {error}") from error
            time.sleep(0.1)
    return Invocation(status, headers, json.loads(body) if body else None, "", time.monotonic() - started)


def smoke_image(name: str, reference: str, daemon: DockerDaemon, network: FunctionNetwork) -> Invocation:
    """Run the image, invoke its case once, check the answer; the container is always removed."""
    from testcontainers.core.config import testcontainers_config
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    case = SMOKE_CASES[name]
    testcontainers_config.ryuk_disabled = True
    container = DockerContainer(reference, docker_client_kw={"environment": daemon.env})
    container.with_kwargs(network=network.name)
    for key, value in SMOKE_ENV.items():
        container.with_env(key, value)
    container.start()
    try:
        wrapped = container.get_wrapped_container()
        wrapped.reload()
        address = wrapped.attrs["NetworkSettings"]["Networks"][network.name]["IPAddress"]
        result = invoke(f"{address}:{RIE_PORT}", case.event)
        # The log driver lags the answer: wait for the invocation's REPORT line (its absence is
        # reported below, with the log).
        with contextlib.suppress(TimeoutError):
            report = LogMessageWaitStrategy(f"REPORT RequestId: {SMOKE_REQUEST_ID}")
            report.with_startup_timeout(LOG_WAIT_SECONDS).with_poll_interval(0.05).wait_until_ready(container)
        stdout, stderr = container.get_logs()
        log = (stdout + stderr).decode(errors="replace")
    finally:
        container.stop()  # removes the container (and its anonymous volumes)
    result = Invocation(result.status, result.headers, result.payload, log, result.seconds, wrapped.id)
    if not case.check(result):
        raise SmokeTestFailed(f"{name}: expected {case.expected}, got {result.status} {result.payload!r}\n{log}")
    if f"REPORT RequestId: {SMOKE_REQUEST_ID}" not in log:
        raise SmokeTestFailed(f"{name}: no REPORT line for the invocation in the container log:\n{log}")
    return result
