"""ridehail, the reference simulator, in its own venv created on first use."""

from __future__ import annotations

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
from pipeline.envs.exceptions import EnvironmentSetupFailed
from pipeline.envs.venv import ensure_venv

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


def ensure_ridehail_venv(python: str | None = None) -> Path:
    """The venv's interpreter, (re)building the venv (uv) when the lock file changed."""
    try:
        return ensure_venv(RIDEHAIL_VENV, RIDEHAIL_LOCK, find_python(python))
    except EnvironmentSetupFailed as error:
        raise BenchSetupFailed(str(error)) from None


def run_ridehail(interpreter: Path, scenario: dict[str, Any]) -> dict[str, float]:
    """One ridehail run (see ridehail_runner.py); it inherits this process's CPU affinity."""
    argv = [str(interpreter), str(RIDEHAIL_RUNNER)]
    result = subprocess.run(argv, input=json.dumps(scenario), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchSetupFailed(f"ridehail run failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)
