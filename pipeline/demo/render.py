"""The demo's tables: dispatch summary, per-shard outcomes, run-level metrics, live progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.demo.monitor import ShardProgress
from pipeline.duck import connect
from pipeline.ops.render import STATE_STYLE

RUN_METRICS_SQL = """
SELECT count(DISTINCT point_index) AS points,
       count(*) AS work_units,
       sum(requests) AS requests,
       sum(trips_completed) AS completed,
       sum(trips_abandoned) AS abandoned,
       round(sum(trips_completed) / sum(requests), 3) AS match_rate,
       round(avg(wait_mean_min), 2) AS wait_mean_min,
       round(avg(drivers_online_mean), 1) AS drivers_online,
       round(sum(gross_bookings), 2) AS gross_bookings,
       round(sum(platform_revenue), 2) AS platform_revenue,
       round(avg(driver_earnings_per_online_hour), 2) AS driver_hourly
FROM shard_metrics
"""


def dispatch_table(summary: dict[str, Any]) -> Table:
    # A dispatch record's point_count counts the shard's work units (point, replicate).
    units = sum(record["point_count"] for record in summary["dispatches"])
    title = (
        f"run {summary['run_id']}: {summary['shards_dispatched']} shards dispatched, "
        f"{summary['points_total']} points, {units} work units -> {summary['results_prefix']}"
    )
    table = Table(title=title, title_justify="left")
    for column in ("shard", "units", "status", "code", "request id / error"):
        table.add_column(column)
    for record in summary["dispatches"]:
        table.add_row(
            str(record["shard_id"]),
            str(record["point_count"]),
            record["status"],
            str(record["status_code"]),
            record["request_id"] or record["error"] or "",
        )
    return table


def outcomes_table(outcomes: pa.Table, progress: list[ShardProgress]) -> Table:
    """One row per shard: its final state, and each attempt's status and duration."""
    table = Table(title="shard outcomes (one shard_outcomes row per attempt)", title_justify="left")
    for column in ("shard", "outcome", "attempts", "rows written", "attempt statuses", "error"):
        table.add_column(column)
    rows = sorted(outcomes.to_pylist(), key=lambda r: (r["shard_id"], r["attempt"]))
    for shard in progress:
        attempts = [r for r in rows if r["shard_id"] == shard.shard_id]
        statuses = ", ".join(f"{r['attempt']}:{r['status']} ({r['duration_ms']} ms)" for r in attempts)
        errors = {f"{r['error_type']}" for r in attempts if r["error_type"]}
        table.add_row(
            str(shard.shard_id),
            f"[{STATE_STYLE[shard.status]}]{shard.status.value}[/]",
            str(shard.attempts),
            str(sum(r["rows_written"] for r in attempts)),
            statuses,
            ", ".join(sorted(errors)),
        )
    return table


def metrics_table(shard_metrics: pa.Table) -> Table:
    db = connect()
    db.register("shard_metrics", shard_metrics)
    result = db.execute(RUN_METRICS_SQL)
    columns = [d[0] for d in result.description]
    table = Table(title="run-level metrics (succeeded shards)", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in zip(columns, result.fetchall()[0], strict=True):
        table.add_row(name, str(value))
    return table


@contextmanager
def live_progress(console: Console, shard_count: int) -> Iterator[Callable[[list[ShardProgress]], None]]:
    """A progress bar of final shards; yields the callback that updates it."""
    columns = (
        TextColumn("shards"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("shards", total=shard_count, detail="")

        def update(progress: list[ShardProgress]) -> None:
            counts = {state: sum(p.status == state for p in progress) for state in STATE_STYLE}
            detail = " · ".join(
                f"[{style}]{counts[state]} {state.value.replace('_', ' ')}[/]" for state, style in STATE_STYLE.items()
            )
            bar.update(task, completed=sum(p.final for p in progress), detail=detail)

        yield update
