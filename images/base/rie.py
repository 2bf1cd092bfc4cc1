#!/usr/bin/python3
"""A stand-in for AWS's Lambda Runtime Interface Emulator, for the local base image only.

The official ``aws-lambda-rie`` binary cannot be fetched on machines without a registry, so
the local base image carries this one, installed as ``/usr/local/bin/aws-lambda-rie`` and
started by ``/lambda-entrypoint.sh`` exactly as AWS's images start theirs. It speaks the same
two HTTP contracts:

- invocations: ``POST /2015-03-31/functions/function/invocations`` on port 8080, answered
  with the handler's result (a handler error: 200 with the error payload; a failed init or a
  runtime that died: 502);
- the Runtime API, served on loopback to the runtime client it starts (lazily, on the first
  invocation, as the real one does): ``GET .../invocation/next`` (always with a
  Content-Type: awslambdaric crashes without one), ``POST .../invocation/<id>/response``,
  ``POST .../invocation/<id>/error`` and ``POST .../init/error``.

After each invocation it prints Lambda's ``START``/``END``/``REPORT RequestId: ...`` lines, so
a caller that reads them (the emulator does) needs no ``docker stats`` probe. The request id is
the caller's ``X-Amzn-RequestId`` when it sends one. Standard library only: it runs on the
base image's own Python before any function code is there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
RUNTIME_PREFIX = "/2018-06-01/runtime"
DEFAULT_INVOKE_ADDRESS = "0.0.0.0:8080"
DEFAULT_RUNTIME_API_ADDRESS = "127.0.0.1:9001"
DEFAULT_TIMEOUT_SECONDS = 300
DEFAULT_MEMORY_MB = 3008
POLL_SECONDS = 0.02
SIGNAL_POLL_SECONDS = 0.2

ENV_RUNTIME_API = "AWS_LAMBDA_RUNTIME_API"
ENV_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"
ENV_FUNCTION_VERSION = "AWS_LAMBDA_FUNCTION_VERSION"
ENV_FUNCTION_TIMEOUT = "AWS_LAMBDA_FUNCTION_TIMEOUT"
ENV_MEMORY_SIZE = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
ENV_REGION = "AWS_REGION"
ENV_FUNCTION_ARN = "_LAMBDA_FUNCTION_ARN"  # set by the emulator: the function's real ARN
RUNTIME_DEFAULTS = {
    ENV_FUNCTION_NAME: "test_function",
    ENV_FUNCTION_VERSION: "$LATEST",
    ENV_MEMORY_SIZE: str(DEFAULT_MEMORY_MB),
    ENV_REGION: "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/test_function",
    "AWS_LAMBDA_LOG_STREAM_NAME": "$LATEST",
}


def log(line: str) -> None:
    print(line, flush=True)


@dataclass
class Outcome:
    """What the invocation endpoint answers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Invocation:
    request_id: str
    event: bytes
    deadline_ms: int
    client_context: str | None = None
    trace_id: str | None = None
    outcome: Outcome | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def finish(self, outcome: Outcome) -> None:
        if not self.done.is_set():
            self.outcome = outcome
            self.done.set()


class Runtime:
    """One runtime process and the invocations queued for its ``/next`` calls."""

    def __init__(self, argv: Sequence[str], runtime_api: str) -> None:
        env = {**RUNTIME_DEFAULTS, **os.environ, ENV_RUNTIME_API: runtime_api}
        self.started = time.monotonic()
        self.ready_at: float | None = None  # when the runtime first asked for an invocation
        self.init_error: bytes | None = None
        self.pending: queue.Queue[Invocation] = queue.Queue()
        self.process = subprocess.Popen(list(argv), env=env)

    def alive(self) -> bool:
        return self.process.poll() is None

    def peak_memory_mb(self) -> int:
        """The runtime's peak resident set (VmHWM), as Lambda's ``Max Memory Used``."""
        with contextlib.suppress(OSError), open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return max(1, int(line.split()[1]) // 1024)
        return 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()


class Emulator:
    """Serialises invocations onto one runtime process, starting it when there is none."""

    def __init__(self, argv: Sequence[str], runtime_api: str) -> None:
        self.argv = list(argv)
        self.runtime_api = runtime_api
        self.runtime: Runtime | None = None
        self.current: Invocation | None = None
        self.lock = threading.Lock()
        self.timeout_s = int(os.environ.get(ENV_FUNCTION_TIMEOUT, DEFAULT_TIMEOUT_SECONDS))
        self.memory_mb = int(os.environ.get(ENV_MEMORY_SIZE, DEFAULT_MEMORY_MB))
        self.version = os.environ.get(ENV_FUNCTION_VERSION, "$LATEST")

    def function_arn(self) -> str:
        if arn := os.environ.get(ENV_FUNCTION_ARN):
            return arn
        region = os.environ.get(ENV_REGION, RUNTIME_DEFAULTS[ENV_REGION])
        name = os.environ.get(ENV_FUNCTION_NAME, RUNTIME_DEFAULTS[ENV_FUNCTION_NAME])
        return f"arn:aws:lambda:{region}:012345678912:function:{name}"

    def invoke(self, invocation: Invocation) -> Outcome:
        with self.lock:
            cold = self.runtime is None or not self.runtime.alive()
            if cold:
                try:
                    self.runtime = Runtime(self.argv, self.runtime_api)
                except OSError as error:
                    failure = {"errorType": "Runtime.InvalidEntrypoint", "errorMessage": str(error)}
                    return Outcome(502, json.dumps(failure).encode(), {"X-Amz-Function-Error": "Unhandled"})
            runtime = self.runtime
            assert runtime is not None
            log(f"START RequestId: {invocation.request_id} Version: {self.version}")
            started = time.monotonic()
            self.current = invocation
            runtime.pending.put(invocation)
            outcome = self._await(runtime, invocation, started)
            self.current = None
            ended = time.monotonic()
            duration_ms = (ended - max(started, runtime.ready_at or started)) * 1000
            init = ""
            if cold and runtime.ready_at is not None:
                init = f"\tInit Duration: {(runtime.ready_at - runtime.started) * 1000:.2f} ms"
            log(f"END RequestId: {invocation.request_id}")
            log(
                f"REPORT RequestId: {invocation.request_id}\tDuration: {duration_ms:.2f} ms\t"
                f"Billed Duration: {max(1, round(duration_ms))} ms\tMemory Size: {self.memory_mb} MB\t"
                f"Max Memory Used: {runtime.peak_memory_mb()} MB{init}"
            )
            return outcome

    def _await(self, runtime: Runtime, invocation: Invocation, started: float) -> Outcome:
        deadline = started + self.timeout_s
        while not invocation.done.wait(POLL_SECONDS):
            if not runtime.alive():
                return self._runtime_exited(runtime, invocation)
            if time.monotonic() > deadline:
                runtime.kill()
                message = f"Task timed out after {self.timeout_s:.2f} seconds"
                return Outcome(200, json.dumps(message).encode(), {"X-Amz-Function-Error": "Unhandled"})
        assert invocation.outcome is not None
        return invocation.outcome

    def _runtime_exited(self, runtime: Runtime, invocation: Invocation) -> Outcome:
        if runtime.init_error is not None:
            return Outcome(502, runtime.init_error, {"X-Amz-Function-Error": "Unhandled"})
        error = {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {invocation.request_id} Error: Runtime exited with error: "
            f"exit status {runtime.process.returncode}",
        }
        return Outcome(502, json.dumps(error).encode(), {"X-Amz-Function-Error": "Unhandled"})

    def next_invocation(self) -> Invocation:
        runtime = self.runtime
        assert runtime is not None
        if runtime.ready_at is None:
            runtime.ready_at = time.monotonic()
        return runtime.pending.get()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms stalls
    emulator: Emulator

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the function's log is the container's output."""

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class InvokeHandler(_Handler):
    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != INVOKE_PATH:
            self._reply(404, b'{"message": "not found"}')
            return
        event = self._body() or b"{}"
        invocation = Invocation(
            request_id=self.headers.get("X-Amzn-RequestId") or str(uuid.uuid4()),
            event=event,
            deadline_ms=int((time.time() + self.emulator.timeout_s) * 1000),
            client_context=self.headers.get("X-Amz-Client-Context"),
            trace_id=self.headers.get("X-Amzn-Trace-Id"),
        )
        outcome = self.emulator.invoke(invocation)
        self._reply(outcome.status, outcome.body, outcome.headers)


class RuntimeApiHandler(_Handler):
    def do_GET(self) -> None:
        if self.path != f"{RUNTIME_PREFIX}/invocation/next":
            self._reply(404, b'{"errorType": "InvalidRequest"}')
            return
        invocation = self.emulator.next_invocation()
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.emulator.function_arn(),
        }
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        if invocation.trace_id:
            headers["Lambda-Runtime-Trace-Id"] = invocation.trace_id
        self._reply(200, invocation.event, headers)

    def do_POST(self) -> None:
        body = self._body()
        parts = self.path.removeprefix(RUNTIME_PREFIX).strip("/").split("/")
        current = self.emulator.current
        if parts == ["init", "error"]:
            if self.emulator.runtime is not None:
                self.emulator.runtime.init_error = body
        elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            if current is None or current.request_id != parts[1]:
                self._reply(400, b'{"errorType": "InvalidRequestID"}')
                return
            headers = {"X-Amz-Function-Error": "Unhandled"} if parts[2] == "error" else {}
            current.finish(Outcome(200, body, headers))
        else:
            self._reply(404, b'{"errorType": "InvalidRequest"}')
            return
        self._reply(202, b'{"status": "OK"}')


def serve(address: str, handler: type[_Handler], emulator: Emulator) -> ThreadingHTTPServer:
    host, port = address.rsplit(":", 1)
    bound = type(handler.__name__, (handler,), {"emulator": emulator})
    server = ThreadingHTTPServer((host, int(port)), bound)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aws-lambda-rie", description=__doc__.splitlines()[0])
    parser.add_argument("--runtime-interface-emulator-address", default=DEFAULT_INVOKE_ADDRESS)
    parser.add_argument("--runtime-api-address", default=DEFAULT_RUNTIME_API_ADDRESS)
    parser.add_argument("bootstrap", nargs=argparse.REMAINDER, help="the runtime's command line")
    args = parser.parse_args(argv)
    if not args.bootstrap:
        parser.error("the runtime's bootstrap command is required")
    emulator = Emulator(args.bootstrap, args.runtime_api_address)
    serve(args.runtime_api_address, RuntimeApiHandler, emulator)
    serve(args.runtime_interface_emulator_address, InvokeHandler, emulator)
    log(f"aws-lambda-rie stand-in: invocations on {args.runtime_interface_emulator_address}")
    # As PID 1 of a container, SIGTERM is ignored unless handled: `docker stop` would wait. The
    # handler runs in this thread, which notices a signal delivered to a server thread only when
    # it wakes: hence short sleeps.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        while True:
            time.sleep(SIGNAL_POLL_SECONDS)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if emulator.runtime is not None and emulator.runtime.alive():
            emulator.runtime.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
