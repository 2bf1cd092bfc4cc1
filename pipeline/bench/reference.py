"""ridehail, the reference simulator, in its own venv created on first use."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pipeline.bench.constants import (
    PYENV_VERSIONS,
    RIDEHAIL_LOCK,
    RIDEHAIL_PYTHON_ENV,
    RIDEHAIL_PYTHON_VERSION,
    RIDEHAIL_RUNNER,
    RIDEHAIL_VENV,
)
from pipeline.bench.exceptions import BenchSetupFailed
from pipeline.paths import CACHE_DIR

_MARKER = ".project-lock-sha256"


def _is_wanted(python: str) -> bool:
    probe = "import sys; print('{}.{}'.format(*sys.version_info[:2]))"
    try:
        result = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False, timeout=30)
    except OSError:
        return False
    return result.stdout.strip() == "{}.{}".format(*RIDEHAIL_PYTHON_VERSION)


def find_python(explicit: str | None = None) -> str:
    """An interpreter of RIDEHAIL_PYTHON_VERSION: the argument, the environment
    variable, python3.12 on PATH (pyenv shims may not run), or pyenv's newest 3.12.x."""
    chosen = explicit or os.environ.get(RIDEHAIL_PYTHON_ENV)
    if chosen:
        return chosen
    name = "python{}.{}".format(*RIDEHAIL_PYTHON_VERSION)
    prefix = "{}.{}.".format(*RIDEHAIL_PYTHON_VERSION)
    installed = sorted(PYENV_VERSIONS.glob(f"{prefix}*/bin/python"), key=lambda p: int(p.parts[-3].split(".")[2]))
    candidates = [shutil.which(name), *(str(p) for p in reversed(installed))]
    for candidate in candidates:
        if candidate and _is_wanted(candidate):
            return candidate
    raise BenchSetupFailed(f"no working {name} found: set {RIDEHAIL_PYTHON_ENV} or install it (pyenv install 3.12)")


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchSetupFailed(f"{' '.join(argv[:4])} ... failed:\n{result.stderr[-2000:]}")


def ensure_ridehail_venv(python: str | None = None) -> Path:
    """The venv's interpreter, (re)building the venv when the lock file changed."""
    digest = hashlib.sha256(RIDEHAIL_LOCK.read_bytes()).hexdigest()
    marker = RIDEHAIL_VENV / _MARKER
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / ".ridehail-venv.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not (marker.exists() and marker.read_text() == digest):
            shutil.rmtree(RIDEHAIL_VENV, ignore_errors=True)
            _run([find_python(python), "-m", "venv", str(RIDEHAIL_VENV)])
            pip = str(RIDEHAIL_VENV / "bin" / "pip")
            _run([pip, "install", "--quiet", "--disable-pip-version-check", "-r", str(RIDEHAIL_LOCK)])
            marker.write_text(digest)
    return RIDEHAIL_VENV / "bin" / "python"


def run_ridehail(interpreter: Path, scenario: dict[str, Any]) -> dict[str, float]:
    """One ridehail run (see ridehail_runner.py); it inherits this process's CPU affinity."""
    argv = [str(interpreter), str(RIDEHAIL_RUNNER)]
    result = subprocess.run(argv, input=json.dumps(scenario), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchSetupFailed(f"ridehail run failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)
