"""What a function never loads, left out of its installed dependencies: one rule for the zip
packages (pipeline/deploy/package.py) and the images, whose build runs this file on the base
image's Python (``python3 prune_deps.py DIR [DEPENDENCY ...]``; standard library only, as AWS's
base image is minimal and may lack ``find``)."""

from __future__ import annotations

import re
import sys
from collections.abc import Collection
from pathlib import Path

# Dependencies a function never imports, left out of its package and its image: the parent
# validates, plans and dispatches but never reads or writes Parquet (a test imports its handler
# with pyarrow blocked), so its cold start copies 72 MB, not 156.
UNUSED_DEPENDENCIES = {"parent": frozenset({"pyarrow"})}

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


def is_pruned(name: str, without: Collection[str] = ()) -> bool:
    """Whether the installed file ``name`` (its path in the tree) is left out: PRUNED matches it,
    or it belongs to a top-level dependency in ``without`` (its package or its dist-info)."""
    top = name.split("/", 1)[0]
    return top in without or top.split("-", 1)[0] in without or PRUNED.search(name) is not None


def prune(root: Path, without: Collection[str] = ()) -> int:
    """Delete the files under ``root`` that ``is_pruned``, and the directories that leaves empty;
    the bytes freed."""
    freed = 0
    emptied: set[Path] = set()
    for path in sorted(root.rglob("*")):
        if path.is_file() and is_pruned(path.relative_to(root).as_posix(), without):
            freed += path.stat().st_size
            path.unlink()
            emptied.add(path.parent)
    for directory in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while directory != root and directory.exists() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent
    return freed


if __name__ == "__main__":
    tree, *dependencies = sys.argv[1:]
    print(f"pruned {prune(Path(tree), frozenset(dependencies)) / 1e6:.1f} MB from {tree}")
