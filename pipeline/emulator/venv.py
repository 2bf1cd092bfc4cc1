"""The emulator's two interpreters, created by the project on first use.

MiniStack pins botocore exactly, so it lives in its own venv. It is *run* by a second,
empty interpreter (standard library only) because MiniStack starts zip functions with its
own ``sys.executable``: on the empty one a function package that lacks a dependency fails
to import here as it would on AWS, instead of finding MiniStack's boto3 or jsonschema."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.emulator.constants import CACHE_DIR, LAMBDA_PYTHON_VENV, MINISTACK_LOCK, MINISTACK_VENV
from pipeline.emulator.exceptions import EmulatorSetupFailed
from pipeline.envs.constants import EMULATOR_PYTHON
from pipeline.envs.exceptions import EnvironmentSetupFailed
from pipeline.envs.python import find_python
from pipeline.envs.venv import ensure_venv
from pipeline.locking import exclusive


@dataclass(frozen=True)
class EmulatorPython:
    """Where MiniStack's packages are and which interpreter runs it."""

    site_packages: Path
    interpreter: Path


def _python_for_lambda() -> str:
    """A Python of the functions' version (zip functions run on the emulator's interpreter)."""
    try:
        return find_python(EMULATOR_PYTHON)
    except EnvironmentSetupFailed as error:
        raise EmulatorSetupFailed(f"{error}: the emulator runs zip functions on it") from None


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EmulatorSetupFailed(f"{' '.join(argv[:4])} ... failed:\n{result.stderr[-2000:]}")


def _site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{EMULATOR_PYTHON}" / "site-packages"


def ensure_ministack_venv() -> Path:
    """MiniStack's venv, (re)built by uv when the lock file changed; returns its site-packages."""
    try:
        ensure_venv(MINISTACK_VENV, MINISTACK_LOCK, _python_for_lambda())
    except EnvironmentSetupFailed as error:
        raise EmulatorSetupFailed(str(error)) from None
    return _site_packages(MINISTACK_VENV)


def ensure_lambda_python() -> Path:
    """The empty interpreter; returns its python."""
    python = LAMBDA_PYTHON_VENV / "bin" / "python"
    with exclusive(CACHE_DIR / ".lambda-python-venv.lock"):
        if not (LAMBDA_PYTHON_VENV / "lib" / f"python{EMULATOR_PYTHON}").is_dir():
            shutil.rmtree(LAMBDA_PYTHON_VENV, ignore_errors=True)
            _run([_python_for_lambda(), "-m", "venv", "--without-pip", str(LAMBDA_PYTHON_VENV)])
    return python


def ensure_emulator_python() -> EmulatorPython:
    return EmulatorPython(site_packages=ensure_ministack_venv(), interpreter=ensure_lambda_python())
