"""``python -m pipeline lock``: regenerate every hash-pinned lock file (needs the package index)."""

from __future__ import annotations

import argparse

from pipeline.envs.locks import write_locks
from pipeline.paths import REPO_ROOT


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("lock", help="regenerate every lock file (dev, tools, functions)")
    parser.set_defaults(handler=_lock)


def _lock(args: argparse.Namespace) -> int:
    for path in write_locks():
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0
