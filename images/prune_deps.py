"""Remove what a function never loads from its installed dependencies (run inside the build).

Test suites, C headers and Cython sources, and Arrow Flight (pyarrow's RPC framework: only
``pyarrow.flight`` links it) — about 70 MB of the dependency layer. Standard library only: it
runs on the base image's Python, which may lack ``find`` (AWS's base image is minimal)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DIRECTORIES = ("tests", "include")
SUFFIXES = (".pyx", ".pxd", ".pxi", ".h")
PATTERNS = ("pyarrow/src", "pyarrow/*flight*", "pyarrow/_pyarrow_cpp_tests*")


def prune(root: Path) -> int:
    """Delete the matches under ``root``; returns the bytes freed."""
    doomed = {p for p in root.rglob("*") if p.is_dir() and p.name in DIRECTORIES}
    doomed |= {p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES}
    doomed |= {p for pattern in PATTERNS for p in root.glob(pattern)}
    freed = 0
    for path in sorted(doomed):
        if not path.exists():  # inside a directory already removed
            continue
        if path.is_dir():
            freed += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            shutil.rmtree(path)
        else:
            freed += path.stat().st_size
            path.unlink()
    return freed


if __name__ == "__main__":
    print(f"pruned {prune(Path(sys.argv[1])) / 1e6:.1f} MB from {sys.argv[1]}")
