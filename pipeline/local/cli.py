"""``python -m pipeline run --local REQUEST.json --out DIR``.

Exits as ``status`` does for the run it leaves (0 every shard succeeded, 3 every shard
final and some without success; a repeat of a run still going exits 4), 2 for a request
that cannot be read or is invalid."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.local.runner import LocalRun, run_local
from pipeline.ops.snapshot import read_snapshot
from pipeline.ops.status import VERDICT_EXIT, run_status
from pipeline.results import ResultsSource
from sim.contract import RequestInvalid, parse_request_text

EXIT_INVALID_REQUEST = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run a sweep request locally, writing the S3 layout to a directory")
    parser.add_argument("--local", metavar="REQUEST.json", type=Path, required=True, help="the sweep request")
    parser.add_argument("--out", metavar="DIR", type=Path, required=True, help="where the bucket layout goes")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        request = parse_request_text(args.local.read_bytes())
    except OSError as error:
        print(f"error: cannot read {args.local}: {error.strerror}", file=sys.stderr)
        return EXIT_INVALID_REQUEST
    except RequestInvalid as invalid:
        print(f"error: invalid request {args.local}:", file=sys.stderr)
        for message in invalid.errors:
            print(f"  {message}", file=sys.stderr)
        return EXIT_INVALID_REQUEST
    started = time.perf_counter()
    run = run_local(request, args.out, workers=args.workers, progress=sys.stderr.isatty())
    _print_summary(run, time.perf_counter() - started)
    status = run_status(read_snapshot(ResultsSource(str(args.out)), request.run_id))
    return VERDICT_EXIT[status.verdict]


def _print_summary(run: LocalRun, elapsed: float) -> None:
    console = Console()
    summary = run.summary
    if summary.duplicate:
        console.print(f"run {summary.run_id} already exists in {summary.results_prefix}: nothing re-run")
        return
    table = Table(title=f"run {summary.run_id}: {summary.points_total} points in {len(run.shards)} shards")
    for column in ("shard", "points", "status", "attempts", "rows", "error"):
        table.add_column(column)
    points = {d.shard_id: d.point_count for d in summary.dispatches}
    for shard in run.shards:
        style = "green" if shard.status == "succeeded" else "red"
        table.add_row(
            str(shard.shard_id),
            str(points[shard.shard_id]),
            f"[{style}]{shard.status}[/]",
            str(shard.attempts),
            str(shard.rows_written),
            shard.error or "",
        )
    console.print(table)
    outcome = f"{run.succeeded}/{len(run.shards)} shards succeeded in {elapsed:.1f} s"
    console.print(f"{outcome}; results in {summary.results_prefix}")
