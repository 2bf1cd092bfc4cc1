"""Where the pipeline finds the repository and keeps what it builds, each named once."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CACHE_DIR", "NUMBA_CACHE", "REPO_ROOT"]

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO_ROOT / ".cache"
"""Everything built on first use (tool venvs, wheels, packages, images, daemon state); git-ignored."""
NUMBA_CACHE = CACHE_DIR / "numba"
"""numba's on-disk cache of the JIT-compiled kernels for every test process (``NUMBA_CACHE_DIR``)."""
