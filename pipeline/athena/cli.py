"""``python -m pipeline athena apply|render|query|lint``.

``athena/apply_athena_sql.py`` runs ``athena apply`` through this same code."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pipeline.athena.apply import apply_statements, run_athena_query
from pipeline.athena.execution import DEFAULT_TIMEOUT_SECONDS, AthenaRunner, Target, athena_client
from pipeline.athena.files import QUERY_NAMES, plan_path
from pipeline.athena.lint import lint_files
from pipeline.athena.local import run_queries
from pipeline.athena.render import Statement, render_file, render_plan
from pipeline.athena.settings import (
    DEFAULT_DATABASE,
    DEFAULT_WORKGROUP,
    BootstrapSettings,
    normalise_prefix,
    parse_s3_location,
    validate_run_id,
)
from pipeline.results import ResultsSource
from sim.datasets import layout


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("athena", help="Athena tables and queries: apply the bootstrap, query, lint")
    actions = parser.add_subparsers(dest="athena_action", required=True, metavar="ACTION")

    apply = actions.add_parser("apply", help="run the bootstrap plan's SQL files on Athena, in order")
    _bootstrap_options(apply)
    _athena_options(apply)
    apply.add_argument("--dry-run", action="store_true", help="print the rendered statements; run nothing")
    apply.set_defaults(handler=_apply)

    render = actions.add_parser("render", help="print SQL files (default: the plan's) rendered for a bucket")
    _bootstrap_options(render)
    render.add_argument("files", nargs="*", type=Path, metavar="FILE", help="SQL files to render instead")
    render.set_defaults(handler=_render)

    query = actions.add_parser("query", help="run one of the five queries for a run and print the result")
    query.add_argument("name", choices=QUERY_NAMES, metavar="NAME", help=f"one of: {', '.join(QUERY_NAMES)}")
    query.add_argument("--run-id", required=True)
    query.add_argument(
        "--source", default=None, help="run locally (DuckDB) over a results directory or s3://BUCKET instead"
    )
    query.add_argument("--results-prefix", default=layout.DEFAULT_PREFIX, help="with --source: the layout's key prefix")
    query.add_argument("--database", default=DEFAULT_DATABASE, help=f"Glue database (default {DEFAULT_DATABASE})")
    _athena_options(query)
    query.set_defaults(handler=_query)

    lint = actions.add_parser("lint", help="reject query constructs that do not transpile faithfully")
    lint.add_argument("files", nargs="*", type=Path, metavar="FILE", help="query files (default: the four)")
    lint.set_defaults(handler=_lint)


def _bootstrap_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results-bucket", required=True, help="the results bucket: a name, or s3://bucket[/prefix]")
    parser.add_argument(
        "--results-prefix", default=None, help="key prefix of the results layout (default serverless-sweeps)"
    )
    parser.add_argument("--database", default=DEFAULT_DATABASE, help=f"Glue database (default {DEFAULT_DATABASE})")
    parser.add_argument(
        "--projection",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="render the tables with partition projection enabled (plan without repair steps) instead of MSCK REPAIR",
    )
    parser.add_argument("--plan", type=Path, default=None, help="a plan file to run instead of the chosen default")


def _athena_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--query-results-s3", default=None, help="s3:// folder for Athena's results (else the workgroup's)"
    )
    parser.add_argument("--workgroup", default=DEFAULT_WORKGROUP, help=f"default {DEFAULT_WORKGROUP}")
    parser.add_argument("--endpoint-url", default=None, help="Athena endpoint (the emulator); default AWS")
    parser.add_argument("--region", default=None, help="AWS region (default: boto3's configuration)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds per statement")


def _statements(args: argparse.Namespace) -> list[Statement]:
    settings = BootstrapSettings.from_options(
        args.results_bucket, args.results_prefix, args.database, projection=args.projection
    )
    files = getattr(args, "files", None)
    if files:
        return [render_file(path, settings) for path in files]
    return render_plan(args.plan or plan_path(settings.projection), settings)


def _runner(args: argparse.Namespace, database: str | None) -> AthenaRunner:
    output = parse_s3_location(args.query_results_s3, "--query-results-s3") if args.query_results_s3 else None
    target = Target(workgroup=args.workgroup, database=database, output_location=output)
    return AthenaRunner(athena_client(args.endpoint_url, args.region), target, timeout_seconds=args.timeout)


def _print_statements(statements: Sequence[Statement]) -> None:
    for number, statement in enumerate(statements, start=1):
        print(f"-- [{number}/{len(statements)}] {statement.source}\n{statement.sql};\n")


def _apply(args: argparse.Namespace) -> int:
    statements = _statements(args)
    if args.dry_run:
        _print_statements(statements)
        return 0
    # DDL names its database explicitly, so no query context: the database may not exist yet.
    apply_statements(statements, _runner(args, database=None))
    print(f"applied {len(statements)} statements")
    return 0


def _render(args: argparse.Namespace) -> int:
    _print_statements(_statements(args))
    return 0


def _query(args: argparse.Namespace) -> int:
    validate_run_id(args.run_id)
    title = f"{args.name} for run {args.run_id}"
    if args.source:
        prefix = normalise_prefix(args.results_prefix)
        source = ResultsSource(args.source, endpoint_url=args.endpoint_url, prefix=prefix)
        table = run_queries(source, args.run_id, [args.name])[args.name]
        print_rows(title, table.column_names, [list(row.values()) for row in table.to_pylist()])
        return 0
    result = run_athena_query(_runner(args, database=args.database), args.name, args.run_id)
    print_rows(title, result.columns, result.rows)
    return 0


def _lint(args: argparse.Namespace) -> int:
    violations = lint_files(args.files or None)
    for violation in violations:
        print(violation)
    print(f"{len(violations)} violation(s)" if violations else "query files clean")
    return 1 if violations else 0


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def print_rows(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], console: Console | None = None
) -> None:
    """A query result as a table: one row as column/value pairs, more as a grid as wide as it needs."""
    cells = [[_cell(value) for value in row] for row in rows]
    if len(cells) == 1:
        table = Table("column", "value", title=title, title_justify="left")
        for column, value in zip(columns, cells[0], strict=True):
            table.add_row(column, value)
    else:
        table = Table(*columns, title=title, title_justify="left")
        for row in cells:
            table.add_row(*row)
    widths = [max(len(str(c)), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)] if cells else [0]
    console = console or Console()
    if len(cells) != 1 and sum(widths) + 3 * len(widths) + 1 > console.width:
        console = Console(width=sum(widths) + 3 * len(widths) + 1)  # wide, never truncated or folded
    console.print(table)
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
