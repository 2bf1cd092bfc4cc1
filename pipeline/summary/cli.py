"""``python -m pipeline summary --run-id RUN --source DIR|s3://BUCKET [--json]``."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from aws_adapters import resolve_endpoint_url
from aws_adapters.constants import AWS_ENDPOINT_URL_ENV
from pipeline.results import ResultsSource
from pipeline.summary.points import KEY_METRICS, read_summary
from pipeline.summary.render import print_summary

PIPED_WIDTH = 160


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("summary", help="per point means with 95%% intervals, and effects between levels")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--source", required=True, help="a results directory (run --local --out), or s3://BUCKET")
    parser.add_argument(
        "--endpoint-url", default=None, help=f"AWS endpoint, e.g. the emulator (default ${AWS_ENDPOINT_URL_ENV})"
    )
    parser.add_argument(
        "--metric",
        action="append",
        choices=KEY_METRICS,
        metavar="NAME",
        help=f"only this metric (repeatable; default all of: {', '.join(KEY_METRICS)})",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    parser.set_defaults(handler=_summary)


def _summary(args: argparse.Namespace) -> int:
    location = args.source
    endpoint = resolve_endpoint_url(args.endpoint_url) if location.startswith("s3://") else None
    summary = read_summary(ResultsSource(location, endpoint_url=endpoint), args.run_id, args.metric or KEY_METRICS)
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
        return 0
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, PIPED_WIDTH)
    print_summary(summary, console)
    return 0
