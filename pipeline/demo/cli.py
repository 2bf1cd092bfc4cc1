"""``python -m pipeline demo [--keep]``: the runbook request end to end on the local emulator."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console

from pipeline.demo.runner import DEMO_REQUEST, run_demo


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="start the emulator, deploy, POST the runbook request, watch it, check it"
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the emulator running; print how to reach it as JSON last"
    )
    parser.add_argument("--request", type=Path, default=DEMO_REQUEST, help="the request to POST (default: runbook)")
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    result = run_demo(Console(), keep=args.keep, request_path=args.request)
    if args.keep:
        print(json.dumps(result.keep_line(), sort_keys=True))
    return 0 if result.checks_passed and result.ingress_rejected else 1
