"""An interpreter of a given minor version: on PATH, or pyenv's newest of that minor."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.envs.constants import PYENV_VERSIONS_DIR
from pipeline.envs.exceptions import EnvironmentSetupFailed

_PROBE = "import sys; print('{}.{}'.format(*sys.version_info[:2]))"


def _runs_as(python: str, version: str) -> bool:
    try:
        done = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.stdout.strip() == version


def _patch(path: Path) -> int:
    tail = path.parts[-3].split(".")[2]
    return int(tail) if tail.isdigit() else -1


def find_python(version: str, explicit: str | None = None) -> str:
    """``explicit``, else this interpreter if it is ``version``, else ``python<version>`` on PATH
    (pyenv's shims may refuse to run), else pyenv's newest ``<version>.x``."""
    if explicit:
        return explicit
    if "{}.{}".format(*sys.version_info[:2]) == version:
        return sys.executable
    installed = sorted((Path.home() / PYENV_VERSIONS_DIR).glob(f"{version}.*/bin/python{version}"), key=_patch)
    for candidate in [shutil.which(f"python{version}"), *(str(p) for p in reversed(installed))]:
        if candidate and _runs_as(candidate, version):
            return candidate
    raise EnvironmentSetupFailed(f"no working python{version} found on PATH or under ~/{PYENV_VERSIONS_DIR}")
