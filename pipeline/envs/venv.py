"""A virtual environment created by uv and synced exactly to a hash-pinned lock file.

Rebuilt only when the lock's bytes change (a marker holds their sha256); one creator at a time
(a test run and a command may start together). uv keeps its downloads in ``.cache/uv``, so a
rebuilt environment links its packages from there instead of fetching them again."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from pipeline.envs.constants import MARKER, UV_CACHE
from pipeline.envs.exceptions import EnvironmentSetupFailed
from pipeline.locking import exclusive


def uv_binary() -> str:
    """The uv executable of the development environment (PyPI's ``uv``, pinned in dev.lock)."""
    try:
        from uv import find_uv_bin
    except ImportError:
        found = shutil.which("uv")
        if found is None:
            raise EnvironmentSetupFailed("uv not found: run `make setup` (it is in dev.lock)") from None
        return found
    return find_uv_bin()


def uv_env() -> dict[str, str]:
    """The environment uv runs in: its cache under .cache, no other Python's variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH", "UV_"))}
    return {**env, "UV_CACHE_DIR": str(UV_CACHE), "UV_NO_PROGRESS": "1"}


def run_uv(argv: list[str], what: str) -> str:
    done = subprocess.run([uv_binary(), *argv], capture_output=True, text=True, env=uv_env(), check=False)
    if done.returncode != 0:
        raise EnvironmentSetupFailed(f"{what} failed (uv {' '.join(argv[:3])} ...):\n{done.stderr[-2000:]}")
    return done.stdout


def ensure_venv(venv: Path, lock: Path, python: str) -> Path:
    """``venv`` on interpreter ``python`` holding exactly ``lock``'s packages; returns its python."""
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    marker = venv / MARKER
    with exclusive(venv.parent / f".{venv.name}.lock"):
        if not (marker.exists() and marker.read_text() == digest):
            shutil.rmtree(venv, ignore_errors=True)
            run_uv(["venv", "--quiet", "--python", python, str(venv)], f"creating {venv}")
            interpreter = venv / "bin" / "python"
            sync = ["pip", "sync", "--quiet", "--require-hashes", "--python", str(interpreter), str(lock)]
            run_uv(sync, f"installing {lock.name} into {venv}")
            marker.write_text(digest)
    return venv / "bin" / "python"
