"""The code version recorded in manifests and shard outcomes."""

from __future__ import annotations

import os
import subprocess
from importlib.metadata import version

from pipeline.paths import REPO_ROOT

CODE_VERSION_ENV = "CODE_VERSION"


def code_version() -> str:
    """``CODE_VERSION`` if set, else the package version plus the git commit (and ``.dirty``)."""
    if explicit := os.environ.get(CODE_VERSION_ENV):
        return explicit
    base = version("serverless-sweep")
    try:
        commit = _git("rev-parse", "--short=12", "HEAD")
        dirty = ".dirty" if _git("status", "--porcelain", "--untracked-files=no") else ""
    except (OSError, subprocess.CalledProcessError):
        return base
    return f"{base}+g{commit}{dirty}"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO_ROOT, check=True, capture_output=True, text=True).stdout.strip()
