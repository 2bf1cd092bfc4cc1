"""``python -m pipeline verify --run-id RUN --source DIR|s3://BUCKET``."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from pipeline.athena import run_queries
from pipeline.athena.cli import print_rows
from pipeline.results import ResultsSource
from pipeline.verify.checks import VerifyReport, verify_run


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("verify", help="check a run's four datasets with DuckDB")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--source", required=True, help="a results directory, or s3://BUCKET")
    parser.add_argument("--endpoint-url", default=None, help="S3 endpoint (the emulator); default AWS")
    parser.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    source = ResultsSource(args.source, endpoint_url=args.endpoint_url)
    console = Console()
    report = verify_run(source, args.run_id)
    print_report(report, console)
    console.rule("the four Athena queries, transpiled to DuckDB, over the same files")
    for name, result in run_queries(source, args.run_id).items():
        print_rows(name, result.column_names, [tuple(row.values()) for row in result.to_pylist()], console)
    return 0 if report.ok else 1


def print_report(report: VerifyReport, console: Console) -> None:
    """One compact table per check, then the verdict."""
    for check in report.checks:
        mark = "[green]PASS[/]" if check.ok else "[red]FAIL[/]"
        table = Table(title=f"{mark} {check.name}", title_justify="left", show_edge=False)
        for column in check.columns:
            table.add_column(column)
        for row in check.rows:
            table.add_row(*(str(value) for value in row))
        console.print(table if check.rows else f"{mark} {check.name}: {check.detail}")
    failed = [c.name for c in report.checks if not c.ok]
    verdict = "[green]all checks passed[/]" if not failed else f"[red]failed: {', '.join(failed)}[/]"
    console.print(f"run {report.run_id}: {verdict}")
