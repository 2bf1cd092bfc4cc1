"""Where the pipeline finds the repository and keeps what it builds, each named once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["CACHE_DIR", "CACHE_DIR_ENV", "NUMBA_CACHE", "REPO_ROOT", "user_cache_home"]

REPO_ROOT = Path(__file__).resolve().parents[1]
"""The checkout, or for an installed package the directory holding it (site-packages)."""
CACHE_DIR_ENV = "SWEEP_CACHE_DIR"
"""Where to keep what is built on first use, in place of the default below."""
XDG_CACHE_ENV = "XDG_CACHE_HOME"


def user_cache_home(environ: Mapping[str, str] = os.environ) -> Path:
    """The user's cache directory (XDG: ``$XDG_CACHE_HOME``, else ``~/.cache``)."""
    return Path(environ.get(XDG_CACHE_ENV) or Path.home() / ".cache")


def cache_dir(environ: Mapping[str, str] = os.environ, root: Path = REPO_ROOT) -> Path:
    """``$SWEEP_CACHE_DIR``; else a checkout's ``.cache``; else, for an installed package (which
    must not write into site-packages), ``serverless-sweep`` in the user's cache directory."""
    if configured := environ.get(CACHE_DIR_ENV):
        return Path(configured)
    if (root / "pyproject.toml").is_file():
        return root / ".cache"
    return user_cache_home(environ) / "serverless-sweep"


CACHE_DIR = cache_dir()
"""Everything built on first use (tool venvs, wheels, packages, images, daemon state); git-ignored."""
NUMBA_CACHE = CACHE_DIR / "numba"
"""numba's on-disk cache of the JIT-compiled kernels for every test process (``NUMBA_CACHE_DIR``)."""
