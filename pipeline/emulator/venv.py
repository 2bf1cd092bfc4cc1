"""The emulator's two interpreters, created by the project on first use.

MiniStack pins botocore exactly, so it lives in its own venv. It is *run* by a second,
empty interpreter (standard library only) because MiniStack starts zip functions with its
own ``sys.executable``: on the empty one a function package that lacks a dependency fails
to import here as it would on AWS, instead of finding MiniStack's boto3 or jsonschema."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.emulator.constants import (
    CACHE_DIR,
    LAMBDA_PYTHON_VENV,
    LAMBDA_PYTHON_VERSION,
    MINISTACK_LOCK,
    MINISTACK_VENV,
)
from pipeline.emulator.exceptions import EmulatorSetupFailed

_MARKER = ".project-lock-sha256"


@dataclass(frozen=True)
class EmulatorPython:
    """Where MiniStack's packages are and which interpreter runs it."""

    site_packages: Path
    interpreter: Path


def _python_for_lambda() -> str:
    """A Python of the Lambda runtime's version to build both venvs from."""
    if sys.version_info[:2] == LAMBDA_PYTHON_VERSION:
        return sys.executable
    name = "python{}.{}".format(*LAMBDA_PYTHON_VERSION)
    found = shutil.which(name)
    if found is None:
        raise EmulatorSetupFailed(f"{name} not found on PATH: the emulator runs zip functions on it")
    return found


@contextmanager
def _locked(name: str) -> Iterator[None]:
    """Serialise venv creation between concurrent processes (a test run and a demo)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EmulatorSetupFailed(f"{' '.join(argv[:4])} ... failed:\n{result.stderr[-2000:]}")


def _site_packages(venv: Path) -> Path:
    return venv / "lib" / "python{}.{}".format(*LAMBDA_PYTHON_VERSION) / "site-packages"


def ensure_ministack_venv() -> Path:
    """MiniStack's venv, (re)built when the lock file changed; returns its site-packages."""
    digest = hashlib.sha256(MINISTACK_LOCK.read_bytes()).hexdigest()
    marker = MINISTACK_VENV / _MARKER
    with _locked("ministack-venv"):
        if not (marker.exists() and marker.read_text() == digest):
            shutil.rmtree(MINISTACK_VENV, ignore_errors=True)
            _run([_python_for_lambda(), "-m", "venv", str(MINISTACK_VENV)])
            pip = str(MINISTACK_VENV / "bin" / "pip")
            _run([pip, "install", "--quiet", "--disable-pip-version-check", "-r", str(MINISTACK_LOCK)])
            marker.write_text(digest)
    return _site_packages(MINISTACK_VENV)


def ensure_lambda_python() -> Path:
    """The empty interpreter; returns its python."""
    python = LAMBDA_PYTHON_VENV / "bin" / "python"
    with _locked("lambda-python-venv"):
        if not python.exists():
            shutil.rmtree(LAMBDA_PYTHON_VENV, ignore_errors=True)
            _run([_python_for_lambda(), "-m", "venv", "--without-pip", str(LAMBDA_PYTHON_VENV)])
    return python


def ensure_emulator_python() -> EmulatorPython:
    return EmulatorPython(site_packages=ensure_ministack_venv(), interpreter=ensure_lambda_python())
