"""The Docker daemon every docker client of the pipeline talks to: found, or started here.

Resolution order: an explicit host, else ``DOCKER_HOST``, else the pipeline's own daemon if it
runs, else the system daemon if it answers, else the pipeline starts its own (``dockerd`` with
its own data root under .cache, its own exec root and socket under /tmp, no iptables and no
default bridge). The started daemon is detached: later processes (pytest, the emulator) reuse
it through its socket; ``stop_daemon`` ends it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.docker.client import DockerCli
from pipeline.docker.constants import (
    DATA_ROOT,
    DOCKER_HOST_ENV,
    DOCKERD_FLAGS,
    EXEC_ROOT,
    LOG_FILE,
    PID_FILE,
    READY_TIMEOUT_SECONDS,
    RUN_DIR,
    SOCKET,
    START_LOCK,
    SYSTEM_SOCKET,
)
from pipeline.docker.exceptions import DockerUnavailable
from pipeline.docker.packages import ensure_commands
from pipeline.locking import exclusive

OWN_HOST = f"unix://{SOCKET}"
STOP_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class DockerDaemon:
    """A reachable daemon: its address, and the pid when the pipeline started it."""

    host: str
    pid: int | None = None

    @property
    def cli(self) -> DockerCli:
        return DockerCli(self.host)

    @property
    def env(self) -> dict[str, str]:
        """Set this for every docker client (CLI, docker-py, testcontainers, the emulator)."""
        return {DOCKER_HOST_ENV: self.host}


def ensure_daemon(host: str | None = None, *, start: bool = True) -> DockerDaemon:
    """A daemon that answers, started here when none does and ``start`` allows it."""
    explicit = host or os.environ.get(DOCKER_HOST_ENV)
    if explicit:
        if DockerCli(explicit).ping():
            return DockerDaemon(explicit, _own_pid() if explicit == OWN_HOST else None)
        raise DockerUnavailable(f"no Docker daemon answers at {explicit} (from {DOCKER_HOST_ENV} or --docker-host)")
    with exclusive(START_LOCK):  # one starter at a time (tests on two xdist workers ask together)
        if SOCKET.exists() and DockerCli(OWN_HOST).ping():
            return DockerDaemon(OWN_HOST, _own_pid())
        system = f"unix://{SYSTEM_SOCKET}"
        if SYSTEM_SOCKET.exists() and DockerCli(system).ping():
            return DockerDaemon(system)
        if not start:
            raise DockerUnavailable("no Docker daemon answers; `python -m pipeline images daemon start` starts one")
        return start_daemon()


def start_daemon() -> DockerDaemon:
    """Start the pipeline's own dockerd (installing Debian's docker.io if needed)."""
    ensure_commands("dockerd")
    for directory in (RUN_DIR, DATA_ROOT, LOG_FILE.parent):
        directory.mkdir(parents=True, exist_ok=True)
    argv = [
        "dockerd",
        *DOCKERD_FLAGS,
        "--data-root",
        str(DATA_ROOT),
        "--exec-root",
        str(EXEC_ROOT),
        "--pidfile",
        str(PID_FILE),
        "-H",
        OWN_HOST,
    ]
    with open(LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    cli = DockerCli(OWN_HOST)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DockerUnavailable(f"dockerd exited with {process.returncode}; see {LOG_FILE}:\n{_tail(LOG_FILE)}")
        if SOCKET.exists() and cli.ping():
            return DockerDaemon(OWN_HOST, process.pid)
        time.sleep(0.2)
    process.terminate()
    raise DockerUnavailable(f"dockerd did not answer within {READY_TIMEOUT_SECONDS} s; see {LOG_FILE}")


def stop_daemon() -> bool:
    """Stop the pipeline's own dockerd (never another); True when one was running."""
    pid = _own_pid()
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return True


def _own_pid() -> int | None:
    try:
        pid = int(PID_FILE.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not a running daemon.
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return False
    return True


def _tail(path: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""
