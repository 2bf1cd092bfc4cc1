"""``python -m pipeline status | redrive | report --run-id RUN --source DIR|s3://BUCKET``.

Exit codes (status, and redrive --watch): 0 every shard succeeded; 3 every
shard is final but some have no success (redrive them); 4 some shards may
still finish (still running, or --watch timed out). 1 is an error (no such
run, bad price table), 2 a usage error. redrive without --watch: 0 when every
selected shard was dispatched (or none needed it), 3 when a dispatch failed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from aws_adapters import resolve_endpoint_url
from aws_adapters.constants import AWS_ENDPOINT_URL_ENV, CHILD_FUNCTION_NAME_ENV
from pipeline.ops.cost import DEFAULT_MEMORY_MB, PRICES_PATH, Prices, RunCost, run_cost
from pipeline.ops.render import print_redrive, print_status, watch
from pipeline.ops.snapshot import RunSnapshot, read_snapshot
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_SUCCEEDED, VERDICT_EXIT, RunStatus, StragglerPolicy, run_status
from pipeline.ops.units import size
from pipeline.results import ResultsSource

DEFAULT_INTERVAL_SECONDS = 2.0
PIPED_WIDTH = 110


def register(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser("status", help="a run's shards, attempts, stragglers and cost")
    _source_options(status)
    status.add_argument("--watch", action="store_true", help="show a live progress bar until every shard is final")
    _watch_options(status)
    _straggler_options(status)
    _cost_options(status)
    status.add_argument("--json", action="store_true", help="print the status as JSON on stdout")
    status.set_defaults(handler=_status)

    again = subparsers.add_parser("redrive", help="dispatch again the shards that ended without success")
    _source_options(again)
    again.add_argument("--keep-injection", action="store_true", help="keep the request's failure injection")
    again.add_argument("--stragglers", action="store_true", help="also launch backup attempts of flagged stragglers")
    again.add_argument(
        "--child-function", default=None, help=f"child Lambda for an S3 source (default ${CHILD_FUNCTION_NAME_ENV})"
    )
    again.add_argument("--workers", type=int, default=None, help="worker processes for a local source")
    again.add_argument("--dry-run", action="store_true", help="show what would be redriven; change nothing")
    again.add_argument("--watch", action="store_true", help="then watch the run's status until every shard is final")
    _watch_options(again)
    _straggler_options(again)
    _cost_options(again)
    again.add_argument("--json", action="store_true", help="print the redrive as JSON on stdout")
    again.set_defaults(handler=_redrive)

    report = subparsers.add_parser("report", help="write a self-contained HTML report of a run")
    _source_options(report)
    report.add_argument("--out", type=Path, required=True, metavar="REPORT.html")
    _straggler_options(report)
    _cost_options(report)
    report.set_defaults(handler=_report)


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--source", required=True, help="a results directory (run --local --out), or s3://BUCKET")
    parser.add_argument(
        "--endpoint-url",
        default=None,
        help=f"AWS endpoint, e.g. the emulator (default ${AWS_ENDPOINT_URL_ENV}, else AWS)",
    )


def _watch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_SECONDS, help="seconds between polls")
    parser.add_argument("--timeout", type=float, default=None, help="stop watching after this many seconds")


def _straggler_options(parser: argparse.ArgumentParser) -> None:
    defaults = StragglerPolicy()
    parser.add_argument(
        "--straggler-factor", type=float, default=defaults.factor, help="flag past this many median durations"
    )
    parser.add_argument(
        "--straggler-min-seconds", type=float, default=defaults.min_seconds, help="never flag before this many seconds"
    )


def _cost_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prices", type=Path, default=PRICES_PATH, help="price table (JSON)")
    parser.add_argument(
        "--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="memory assumed for attempts that recorded none"
    )


def _source(args: argparse.Namespace) -> ResultsSource:
    location = args.source
    return ResultsSource(
        location, endpoint_url=resolve_endpoint_url(args.endpoint_url) if location.startswith("s3://") else None
    )


def _policy(args: argparse.Namespace) -> StragglerPolicy:
    return StragglerPolicy(args.straggler_factor, args.straggler_min_seconds)


def _priced(args: argparse.Namespace, source: ResultsSource) -> tuple[RunSnapshot, RunStatus, RunCost]:
    snapshot = read_snapshot(source, args.run_id, sizes=True)
    cost = run_cost(
        snapshot.manifest,
        snapshot.outcomes,
        snapshot.object_sizes,
        Prices.load(args.prices),
        fallback_memory_mb=args.memory_mb,
    )
    return snapshot, run_status(snapshot, policy=_policy(args)), cost


def _watch(args: argparse.Namespace, source: ResultsSource, console: Console) -> None:
    policy = _policy(args)
    watch(
        lambda: run_status(read_snapshot(source, args.run_id), policy=policy),
        console,
        interval=args.interval,
        timeout=args.timeout,
    )


def _console(stderr: bool) -> Console:
    """Rich's console; piped output (logs, docs) gets room for the shard table."""
    console = Console(stderr=stderr)
    if not console.is_terminal:
        console.width = max(console.width, PIPED_WIDTH)
    return console


def _status(args: argparse.Namespace) -> int:
    source = _source(args)
    console = _console(args.json)
    Prices.load(args.prices)  # a bad price table fails before any watching
    if args.watch:
        _watch(args, source, console)
    _, status, cost = _priced(args, source)
    code = VERDICT_EXIT[status.verdict]
    if args.json:
        print(json.dumps({**status.to_json(), "cost": cost.to_json(), "exit_code": code}, indent=2))
    else:
        print_status(status, console, cost)
    return code


def _redrive(args: argparse.Namespace) -> int:
    # the process pool, the Lambda invoker and the dispatch code only when redriving: status starts without them
    from pipeline.ops.backends import backend_for
    from pipeline.ops.redrive import plan_redrive, redrive

    source = _source(args)
    console = _console(args.json)
    options = {"keep_injection": args.keep_injection, "stragglers": args.stragglers, "policy": _policy(args)}
    if args.dry_run:
        result = plan_redrive(source, args.run_id, **options)
    else:
        backend = backend_for(source, function=args.child_function, workers=args.workers)
        with backend.child_invoker() as invoker:
            result = redrive(source, args.run_id, invoker, backend=backend.name, **options)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print_redrive(result, console)
    if not args.watch:
        return EXIT_SUCCEEDED if result.complete else EXIT_INCOMPLETE
    _watch(args, source, console)
    _, status, cost = _priced(args, source)
    print_status(status, console, cost)
    return VERDICT_EXIT[status.verdict]


def _report(args: argparse.Namespace) -> int:
    from pipeline.ops.report import build_report  # plotly only when a report is asked for

    source = _source(args)
    snapshot, status, cost = _priced(args, source)
    report = build_report(snapshot, status, cost, source.read("shard_metrics", args.run_id))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report.html, encoding="utf-8")
    print(f"wrote {args.out} ({size(len(report.html.encode()))}, {len(report.plot_ids)} plots)", file=sys.stderr)
    return EXIT_SUCCEEDED
