"""CPU seconds of the commands ci runs, so that its summary says where the machine's time went.

A stage's figure is the user + system time of the processes its commands started and waited
for (``os.wait4``: a command's whole tree, as far as each parent waited for its children),
added up per thread, because the two lanes run their stages in threads of one process."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

_spent = threading.local()


def cpu_seconds(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def wait_with_usage(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    """Reap ``process`` (which nothing else may wait for); its exit code and CPU seconds."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, cpu_seconds(usage)


def run_counted(argv: Sequence[str], cwd: Path, stdout: IO[str] | None, stderr: int | None) -> int:
    """``subprocess.run`` without input or capture; its CPU time is added to this thread's count."""
    process = subprocess.Popen(list(argv), cwd=cwd, stdout=stdout, stderr=stderr)
    try:
        code, seconds = wait_with_usage(process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    _spent.seconds = thread_cpu_seconds() + seconds
    return code


def thread_cpu_seconds() -> float:
    """CPU seconds of the commands this thread has run so far."""
    return float(getattr(_spent, "seconds", 0.0))
