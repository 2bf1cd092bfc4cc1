"""``python -m pipeline submit | runs | results | sql`` (also ``sweep …``): a thin layer over ``pipeline.client``.

Exit codes of ``submit``: 0 accepted (with ``--wait``: every shard succeeded); 3 some shard
could not be dispatched (502), or with ``--wait`` every shard is final, some without success;
4 ``--wait`` timed out with shards still running; 2 the request is invalid (400); 5 the
run_id belongs to a different request (409); 1 any other error (403, unreachable, refused
credentials). The other commands exit 0, or 1 with the error on stderr."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from rich.console import Console
from rich.table import Table

from aws_adapters.constants import AWS_ENDPOINT_URL_ENV
from pipeline.athena.cli import print_rows
from pipeline.client.client import RunInfo, SweepClient
from pipeline.client.constants import DEFAULT_RUNS_LIMIT, ExportFormat, Signing, SqlFormat
from pipeline.client.datasets import DATASETS, export_table
from pipeline.client.exceptions import DispatchIncomplete, SubmitRefused
from pipeline.demo.render import dispatch_table
from pipeline.ops.cli import DEFAULT_INTERVAL_SECONDS, EXIT_INCOMPLETE, EXIT_SUCCEEDED, PIPED_WIDTH, VERDICT_EXIT
from pipeline.ops.render import print_status
from pipeline.ops.units import size

EXIT_ERROR = 1
EXIT_INVALID_REQUEST = 2
EXIT_CONFLICT = 5
REFUSAL_EXIT = {400: EXIT_INVALID_REQUEST, 409: EXIT_CONFLICT}


class OptionDefaults(argparse.HelpFormatter):
    """Every option's help ends with its default (or says it is required), unless it names it already."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if not action.option_strings or isinstance(action, argparse._HelpAction) or "default" in text:
            return text
        if action.required:
            return f"{text} (required)"
        if isinstance(action, argparse._StoreTrueAction):
            return f"{text} (default: off)"
        return f"{text} (default: %(default)s)"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    submit = _parser(subparsers, "submit", "POST a sweep request to the API (or run it --local); optionally wait")
    submit.add_argument("request", metavar="REQUEST.json", type=Path, help="the sweep request")
    submit.add_argument("--api-url", default=None, help="the API's POST URL (default: none; required without --local)")
    submit.add_argument("--local", action="store_true", help="run the request in-process instead, writing to --out")
    submit.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=None,
        help="the results directory (default: none; required with --local)",
    )
    submit.add_argument(
        "--workers", type=int, default=None, help="with --local: worker processes (default: one per core)"
    )
    submit.add_argument(
        "--source", default=None, help="where to watch the run (default: the location the API reports, or --out)"
    )
    _endpoint_option(submit)
    submit.add_argument(
        "--signing",
        choices=[s.value for s in Signing],
        default=Signing.AUTO.value,
        help="SigV4-sign the POST; auto: signed unless an emulator endpoint is set",
    )
    submit.add_argument(
        "--region", default=None, help="region to sign for (default: the API's host name, else the session's)"
    )
    submit.add_argument(
        "--allow-long-lived-keys", action="store_true", help="sign with an access key that has no session"
    )
    submit.add_argument("--wait", action="store_true", help="show a live progress bar until every shard is final")
    submit.add_argument(
        "--interval", type=float, default=DEFAULT_INTERVAL_SECONDS, help="with --wait: seconds between polls"
    )
    submit.add_argument(
        "--timeout", type=float, default=None, help="with --wait: stop after this many seconds (default: never)"
    )
    submit.add_argument("--json", action="store_true", help="print the summary (and final status) as JSON on stdout")
    submit.set_defaults(handler=_submit, parser=submit)

    runs = _parser(subparsers, "runs", "list the runs at a results location, newest first")
    _source_options(runs)
    runs.add_argument("--limit", type=int, default=DEFAULT_RUNS_LIMIT, help="runs per page")
    runs.add_argument("--offset", type=int, default=0, help="runs to skip (the page's start)")
    runs.add_argument("--json", action="store_true", help="print the runs as JSON on stdout")
    runs.set_defaults(handler=_runs)

    results = _parser(subparsers, "results", "export one dataset of a run as one file, run_id and shard_id included")
    results.add_argument("--run-id", required=True, help="the run")
    _source_options(results)
    results.add_argument("--dataset", required=True, choices=DATASETS, help="which dataset")
    results.add_argument(
        "--format",
        choices=[f.value for f in ExportFormat],
        default=None,
        help="file format (default: from --out's suffix, else parquet)",
    )
    results.add_argument("--out", metavar="FILE", type=Path, required=True, help="the file to write")
    results.set_defaults(handler=_results)

    sql = _parser(subparsers, "sql", "read-only DuckDB SQL over the four datasets (views named like the Athena tables)")
    sql.add_argument("query", metavar="SQL", help='the query, e.g. "SELECT count(*) FROM shard_metrics"')
    _source_options(sql)
    sql.add_argument("--run-id", default=None, help="only this run's rows in the views (default: every run)")
    sql.add_argument("--format", choices=[f.value for f in SqlFormat], default=SqlFormat.TABLE.value, help="output")
    sql.set_defaults(handler=_sql)


def _parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text, formatter_class=OptionDefaults
    )
    return parser


def _endpoint_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint-url",
        default=None,
        help=f"AWS endpoint for S3 and STS, e.g. the emulator (default: ${AWS_ENDPOINT_URL_ENV}, else AWS)",
    )


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", required=True, help="a results directory (submit --local --out), or s3://BUCKET")
    _endpoint_option(parser)


def _console(stderr: bool) -> Console:
    """Rich's console; piped output (logs, docs) gets room for the tables, as ``status``'s does."""
    console = Console(stderr=stderr)
    if not console.is_terminal:
        console.width = max(console.width, PIPED_WIDTH)
    return console


def _client(args: argparse.Namespace) -> SweepClient:
    return SweepClient(source=args.source, endpoint_url=args.endpoint_url)


def _submit_client(args: argparse.Namespace) -> SweepClient:
    if args.local:
        if args.out is None:
            args.parser.error("--local needs --out DIR")
        return SweepClient.local(args.out, workers=args.workers)
    if not args.api_url:
        args.parser.error("--api-url is required (or run it in-process with --local --out DIR)")
    return SweepClient(
        api_url=args.api_url,
        source=args.source,
        endpoint_url=args.endpoint_url,
        signing=Signing(args.signing),
        region=args.region,
        allow_long_lived_keys=args.allow_long_lived_keys,
    )


def _submit(args: argparse.Namespace) -> int:
    client = _submit_client(args)
    console = _console(stderr=args.json)
    try:
        run, code = client.submit(args.request), EXIT_SUCCEEDED
    except SubmitRefused as refused:
        _print_messages(f"{args.request} refused with {refused.status}", refused.messages)
        return REFUSAL_EXIT.get(refused.status, EXIT_ERROR)
    except DispatchIncomplete as incomplete:
        run, code = incomplete.run, EXIT_INCOMPLETE
        _print_messages(f"run {run.run_id}: some shards were not dispatched", incomplete.messages)
    status = run.wait(interval=args.interval, timeout=args.timeout, console=console) if args.wait else None
    code = code if status is None else VERDICT_EXIT[status.verdict]
    assert run.summary is not None  # a submitted run carries the parent's answer
    if args.json:
        document = {
            "summary": run.summary.to_json(),
            "source": run.source.location,
            "status": None if status is None else status.to_json(),
            "exit_code": code,
        }
        print(json.dumps(document, indent=2))
    elif status is not None:
        print_status(status, console)
    else:
        console.print(dispatch_table(run.summary.to_json()))
        endpoint = f" --endpoint-url {run.source.endpoint_url}" if run.source.endpoint_url else ""
        console.print(
            f"follow it with: python -m pipeline status --run-id {run.run_id} --source {run.source.location}{endpoint}"
            " --watch"
        )
    return code


def _print_messages(headline: str, messages: list[str]) -> None:
    print(f"error: {headline}:", file=sys.stderr)
    for message in messages:
        print(f"  {message}", file=sys.stderr)


def _runs(args: argparse.Namespace) -> int:
    client = _client(args)
    everything = client.runs()
    page = everything[args.offset : args.offset + args.limit]
    if args.json:
        print(json.dumps({"total": len(everything), "offset": args.offset, "runs": [r.to_json() for r in page]}))
        return EXIT_SUCCEEDED
    print_runs(page, _console(stderr=False), total=len(everything), offset=args.offset)
    return EXIT_SUCCEEDED


def print_runs(runs: list[RunInfo], console: Console, *, total: int, offset: int) -> None:
    table = Table(show_edge=False)
    for column in ("run_id", "created (UTC)", "points", "shards", "state", "code version"):
        table.add_column(column, justify="right" if column in ("points", "shards") else "left", no_wrap=True)
    styles = {"complete": "green", "incomplete": "red", "running": "yellow"}
    for run in runs:
        table.add_row(
            run.run_id,
            f"{run.created_at:%Y-%m-%d %H:%M:%S}",
            str(run.points),
            str(run.shards),
            f"[{styles[run.state.value]}]{run.state.value}[/]",
            run.code_version,
        )
    console.print(table)
    shown = f"{offset + 1}-{offset + len(runs)}" if runs else "none"
    more = f"; next page: --offset {offset + len(runs)}" if offset + len(runs) < total else ""
    console.print(f"runs {shown} of {total} (newest first){more}")


def _results(args: argparse.Namespace) -> int:
    run = _client(args).run(args.run_id)
    table = run.table(args.dataset)
    file_format = ExportFormat(args.format) if args.format else _format_of(args.out)
    export_table(table, args.out, file_format)
    shards = len(set(table.column("shard_id").to_pylist()))
    print(
        f"wrote {args.out} ({file_format.value}, {size(args.out.stat().st_size)}): {table.num_rows} rows of "
        f"{args.dataset} from {shards} shards of run {args.run_id}",
        file=sys.stderr,
    )
    return EXIT_SUCCEEDED


def _format_of(out: Path) -> ExportFormat:
    suffix = out.suffix.removeprefix(".").lower()
    return ExportFormat(suffix) if suffix in ExportFormat.__members__.values() else ExportFormat.PARQUET


def _sql(args: argparse.Namespace) -> int:
    result = _client(args).sql(args.query, run_id=args.run_id)
    output = SqlFormat(args.format)
    if output is SqlFormat.CSV:
        sys.stdout.write(csv_text(result))
    elif output is SqlFormat.JSON:
        print(json.dumps(result.to_pylist(), default=str, indent=2))
    else:
        print_rows(
            "result", result.column_names, [tuple(row.values()) for row in result.to_pylist()], _console(stderr=False)
        )
    return EXIT_SUCCEEDED


def csv_text(table: pa.Table) -> str:
    """The table as CSV with a header (pyarrow's writer; an empty result keeps its header)."""
    if table.num_columns == 0:
        return ""
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer)
    return buffer.getvalue().decode()
