"""One MiniStack process: start on a free loopback port, health-check, reset, stop."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline.emulator.constants import (
    DEFAULT_BIND_HOST,
    ENV_ASYNC_RETRY_BASE,
    ENV_ASYNC_RETRY_MAX,
    ENV_BIND_HOST,
    ENV_DOCKER_FLAGS,
    ENV_GATEWAY_PORT,
    ENV_LOG_LEVEL,
    ENV_TMPDIR,
    HEALTH_PATH,
    QUIET_LISTENERS,
    READY_TIMEOUT_SECONDS,
    RESET_PATH,
    SCRUBBED_ENV_PREFIXES,
    STATE_DIR,
)
from pipeline.emulator.exceptions import EmulatorError, EmulatorStartFailed
from pipeline.emulator.venv import ensure_emulator_python

# Runs on the empty interpreter: MiniStack's packages join sys.path in this process only.
_LAUNCHER = (
    "import site, sys\n"
    "site.addsitedir(sys.argv.pop(1))\n"
    "sys.argv = ['ministack']\n"
    "from ministack.app import main\n"
    "main()\n"
)
_PR_SET_PDEATHSIG = 1


def free_port(host: str = DEFAULT_BIND_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the starting process dies (attached mode)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass(frozen=True)
class EmulatorInfo:
    """What a client needs to reach a running emulator (also its detached state file)."""

    endpoint_url: str
    port: int
    bind_host: str
    pid: int
    log_path: str
    tmp_dir: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Emulator:
    """A MiniStack process owned by this object (or attached to, for a detached one).

    ``extra_env`` reaches MiniStack and, through it, every function process it starts;
    ``docker_flags`` is MiniStack's ``LAMBDA_DOCKER_FLAGS`` for image functions."""

    def __init__(
        self,
        port: int | None = None,
        *,
        bind_host: str = DEFAULT_BIND_HOST,
        client_host: str | None = None,
        async_retry_base_seconds: float = 1.0,
        async_retry_max_seconds: float | None = None,
        docker_flags: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        log_level: str = "INFO",
    ) -> None:
        self.port = port
        self.bind_host = bind_host
        self.client_host = client_host or (DEFAULT_BIND_HOST if bind_host == "0.0.0.0" else bind_host)
        self.async_retry_base_seconds = async_retry_base_seconds
        self.async_retry_max_seconds = async_retry_max_seconds
        self.docker_flags = docker_flags
        self.extra_env = dict(extra_env or {})
        self.log_path = log_path
        self.log_level = log_level
        self.pid: int | None = None
        self.tmp_dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise EmulatorError("the emulator has no port yet: start it first")
        return f"http://{self.client_host}:{self.port}"

    @property
    def info(self) -> EmulatorInfo:
        if self.pid is None or self.port is None:
            raise EmulatorError("the emulator is not running")
        return EmulatorInfo(
            self.endpoint_url, self.port, self.bind_host, self.pid, str(self.log_path), str(self.tmp_dir or "")
        )

    @classmethod
    def attach(cls, info: EmulatorInfo) -> Emulator:
        """An object for an emulator another process started (``emulator start``)."""
        emulator = cls(info.port, bind_host=info.bind_host, log_path=Path(info.log_path))
        emulator.client_host = info.endpoint_url.split("//", 1)[1].rsplit(":", 1)[0]
        emulator.pid = info.pid
        emulator.tmp_dir = Path(info.tmp_dir) if info.tmp_dir else None
        return emulator

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_ENV_PREFIXES)}
        env.update(QUIET_LISTENERS)
        env[ENV_BIND_HOST] = self.bind_host
        env[ENV_GATEWAY_PORT] = str(self.port)
        env[ENV_ASYNC_RETRY_BASE] = str(self.async_retry_base_seconds)
        env[ENV_LOG_LEVEL] = self.log_level
        # MiniStack unpacks each function environment (~390 MB for our packages) under TMPDIR and
        # does not always remove it: a directory of its own is removed whole on stop().
        env[ENV_TMPDIR] = str(self.tmp_dir)
        if self.async_retry_max_seconds is not None:
            env[ENV_ASYNC_RETRY_MAX] = str(self.async_retry_max_seconds)
        if self.docker_flags is not None:
            env[ENV_DOCKER_FLAGS] = self.docker_flags
        env.update(self.extra_env)
        return env

    def start(self, *, detached: bool = False) -> Emulator:
        """Start MiniStack and wait until it answers its health check.

        Detached, it outlives this process (its own session, no parent-death signal)."""
        python = ensure_emulator_python()
        if self.port is None:
            self.port = free_port(self.bind_host)
        if self.log_path is None:
            self.log_path = STATE_DIR / f"ministack-{self.port}.log"
        self.tmp_dir = Path(tempfile.mkdtemp(prefix=f"ministack-{self.port}-"))
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [str(python.interpreter), "-c", _LAUNCHER, str(python.site_packages)],
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=None if detached else _die_with_parent,
            )
        self.pid = self._process.pid
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                message = f"MiniStack exited with {self._process.returncode} on port {self.port}; see {self.log_path}"
                self.stop()
                raise EmulatorStartFailed(f"{message}:\n{self.log_tail()}")
            if self.is_healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise EmulatorStartFailed(f"MiniStack not healthy after {READY_TIMEOUT_SECONDS} s; see {self.log_path}")

    def _request(self, method: str, path: str, timeout: float = 5.0) -> dict[str, Any]:
        request = urllib.request.Request(
            self.endpoint_url + path, method=method, data=b"" if method == "POST" else None
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def health(self) -> dict[str, Any]:
        return self._request("GET", HEALTH_PATH)

    def is_healthy(self) -> bool:
        try:
            self.health()
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return True

    def reset(self) -> None:
        """Wipe every resource (buckets, functions, APIs, logs)."""
        self._request("POST", RESET_PATH, timeout=30.0)

    def is_running(self) -> bool:
        if self.pid is None:
            return False
        if self._process is not None:
            return self._process.poll() is None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Stop MiniStack and the function processes it started (its process group)."""
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.is_running() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.is_running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        if self._process is not None:
            self._process.wait(timeout=timeout)
        # Function workers share the group; whatever survived SIGTERM goes now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self.pid = None
        self._process = None

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> Emulator:
        if self.pid is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
