"""Work ci starts at its beginning and later stages wait for: the image builds and the kernel's
compiled forms.

The first image build of a clone is mostly waiting (debootstrap downloads and unpacks the
local base's Debian packages, pip installs the wheels into the image); started before the
static, unit and functional stages, it overlaps with their CPU-bound tests instead of
adding its minutes to the e2e stage. Its results are Docker's layer cache and the base image
in the pipeline's daemon, so the stages that need images find them built. A failed
background build is reported and otherwise ignored: the stage that needs the images builds
them itself, in the foreground, and fails there with the whole story. The kernel's forms
(``pipeline.ci.warm``: numba's cache, the module for this interpreter) compile beside the
static stage, which uses one core, so that no two test processes compile the same thing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.ci.cpu import wait_with_usage
from pipeline.ci.warm import FORMS
from pipeline.paths import CACHE_DIR, REPO_ROOT

LOG_DIR = CACHE_DIR / "ci"
LOG_TAIL_CHARS = 2000
IMAGE_BUILD = "images"
"""Both images on the local base with the host engine, as the tests build them."""
JOBS: dict[str, list[str]] = {
    IMAGE_BUILD: [sys.executable, "-m", "pipeline", "images", "build", "--engine", "host", "--base", "local"],
    **{form: [sys.executable, "-m", "pipeline.ci.warm", form] for form in FORMS},
}


@dataclass
class BackgroundJob:
    """A running job: its process, its log, when it started and (once it has) when it ended and
    the CPU seconds it used. Only the watcher thread reaps the process."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    started: float
    ended: float | None = None
    cpu_seconds: float = 0.0

    def __post_init__(self) -> None:
        self._done = threading.Event()
        threading.Thread(target=self._watch, name=f"job-{self.name}", daemon=True).start()

    def _watch(self) -> None:
        _, self.cpu_seconds = wait_with_usage(self.process)
        self.ended = time.perf_counter()
        self._done.set()

    def wait(self) -> str:
        """Block until the job ends; one line saying how it went (with the log's tail on failure)."""
        self._done.wait()
        seconds = (self.ended or time.perf_counter()) - self.started
        spent = f"{seconds:.0f} s ({self.cpu_seconds:.0f} s CPU)"
        code = self.process.returncode
        if code == 0:
            return f"background {self.name}: done in {spent} (log {self.log})"
        tail = self.log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
        return f"background {self.name}: exited {code} after {spent}; the stage builds itself\n{tail}"

    def stop(self) -> None:
        if not self._done.is_set():
            with contextlib.suppress(ProcessLookupError):  # it ended just now
                os.kill(self.process.pid, signal.SIGTERM)
            self._done.wait()


def start_job(name: str) -> BackgroundJob:
    """Start ``name`` (a key of JOBS) with its output to ``.cache/ci/<name>.log``."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"background-{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(JOBS[name], cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT)
    return BackgroundJob(name, process, log, time.perf_counter())
