"""What a function never loads, left out of its installed dependencies: one rule for the zip
packages (pipeline/deploy/package.py) and the images, whose build runs this file on the base
image's Python (``python3 prune_deps.py DIR``; standard library only, as AWS's base image is
minimal and may lack ``find``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

# The AWS services the functions call (S3 for data and run state, Lambda for dispatch): botocore's
# models of the other ~400 are dropped.
FUNCTION_SERVICES = ("s3", "lambda")
# Matched against a path relative to the installed tree. The full closure is ~270 MiB, over
# Lambda's limit for a zip package, and the emulator copies every byte of one at each cold start.
PRUNED = re.compile(
    r"(^|/)tests/"  # test suites
    r"|^pyarrow/_pyarrow_cpp_tests[^/]*$"  # Arrow's C++ test hooks
    r"|^(pyarrow|numpy/_core)/include/|^pyarrow/src/"  # C and C++ headers and sources
    r"|\.(pyx|pxd|pxi|h|hpp)$"  # Cython and C sources
    r"|^pyarrow/[^/]*flight[^/]*$"  # Arrow Flight RPC (only `import pyarrow.flight` loads it): 32 MiB
    r"|^pyarrow/(libarrow_s3\.so[.\d]*|_s3fs\.[^/]*)$"  # Arrow's own S3 filesystem (optional in pyarrow.fs): 17 MiB
    r"|^pyarrow/lib\w+\.so(\.\d+\.\d+\.\d+)?$"  # copies of libraries the loader finds by soname
    rf"|^botocore/data/(?!({'|'.join(FUNCTION_SERVICES)})/)[^/]+/"  # other services' models: 27 MiB
)


def prune(root: Path) -> int:
    """Delete the files under ``root`` that PRUNED matches, and the directories that leaves empty;
    the bytes freed."""
    freed = 0
    emptied: set[Path] = set()
    for path in sorted(root.rglob("*")):
        if path.is_file() and PRUNED.search(path.relative_to(root).as_posix()):
            freed += path.stat().st_size
            path.unlink()
            emptied.add(path.parent)
    for directory in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while directory != root and directory.exists() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent
    return freed


if __name__ == "__main__":
    print(f"pruned {prune(Path(sys.argv[1])) / 1e6:.1f} MB from {sys.argv[1]}")
