"""Terminal rendering of status, cost and redrive results (rich), and the --watch loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.ops.cost import RunCost
from pipeline.ops.shard_state import ShardState
from pipeline.ops.status import RunStatus, Verdict
from pipeline.ops.units import seconds, size, usd

if TYPE_CHECKING:
    from pipeline.ops.redrive import RedriveResult

FULL_TABLE_SHARDS = 20
"""Up to this many shards every shard gets a row; beyond, only the unsuccessful ones."""
STATE_STYLE = {
    ShardState.SUCCEEDED: "green",
    ShardState.FAILED: "red",
    ShardState.DISPATCH_FAILED: "red",
    ShardState.IN_FLIGHT: "yellow",
    ShardState.NEVER_STARTED: "yellow",
    ShardState.PLANNED: "dim",
}
VERDICT_TEXT = {
    Verdict.SUCCEEDED: "[green]complete[/]: every shard succeeded",
    Verdict.INCOMPLETE: "[red]incomplete[/]: every shard is final, some without success; redrive them",
    Verdict.RUNNING: "[yellow]running[/]: some shards may still finish",
}


def print_status(status: RunStatus, console: Console, cost: RunCost | None = None) -> None:
    units = (
        f"{status.points_total} points"
        if status.replications == 1
        else f"{status.points_total} points x {status.replications} replications = {status.units_total} work units"
    )
    console.print(f"run [bold]{status.run_id}[/]: {units} in {len(status.shards)} shards, code {status.code_version}")
    finished = f"finished {status.finished_at:%Y-%m-%d %H:%M:%S} UTC" if status.finished_at else "not finished"
    console.print(
        f"created {status.created_at:%Y-%m-%d %H:%M:%S} UTC, {finished}, elapsed {seconds(status.elapsed_s)}, "
        f"redrives {status.redrives}"
    )
    shown = [
        s
        for s in status.shards
        if len(status.shards) <= FULL_TABLE_SHARDS or s.state != ShardState.SUCCEEDED or s.straggler
    ]
    table = Table(show_edge=False)
    owned = "points" if status.replications == 1 else "units"
    for column in ("shard", owned, "state", "attempts", "failed", "dispatches", "duration", "waiting"):
        table.add_column(column, justify="left" if column == "state" else "right", no_wrap=True)
    table.add_column("note", overflow="ellipsis", no_wrap=True)
    for shard in shown:
        note = "[magenta]straggler[/] " if shard.straggler else ""
        error = (shard.last_error or "").split(":", 1)[0]
        table.add_row(
            str(shard.shard_id),
            str(shard.points),
            f"[{STATE_STYLE[shard.state]}]{shard.state.value}[/]",
            str(shard.attempts),
            str(shard.failed_attempts),
            str(shard.dispatches),
            seconds(shard.duration_s),
            seconds(shard.waiting_s),
            note + error,
        )
    console.print(table)
    if len(shown) < len(status.shards):
        console.print(f"({len(status.shards) - len(shown)} succeeded shards not listed)")
    counts = ", ".join(f"{status.count(state)} {state.value.replace('_', ' ')}" for state in ShardState)
    attempts = sum(s.attempts for s in status.shards)
    failed = sum(s.failed_attempts for s in status.shards)
    console.print(f"shards: {counts} of {len(status.shards)}; attempts {attempts} ({failed} failed)")
    if status.replications > 1:
        console.print(f"work units: {status.units_succeeded} of {status.units_total} written")
    baseline = (
        "no finished shard yet"
        if status.median_duration_s is None
        else f"median {seconds(status.median_duration_s)}, flagged past {seconds(status.straggler_threshold_s)}"
    )
    flagged = ", ".join(map(str, status.stragglers)) or "none"
    console.print(f"stragglers: {flagged} ({baseline})")
    if cost is not None:
        print_cost(cost, console)
    console.print(f"verdict: {VERDICT_TEXT[status.verdict]}")


def print_cost(cost: RunCost, console: Console) -> None:
    prices = cost.prices
    lines = {line.item: line for line in cost.run + cost.query}
    compute, requests, puts = lines["lambda_compute"], lines["lambda_requests"], lines["s3_put_requests"]
    scan, gets = lines["athena_scan"], lines["s3_get_requests"]
    per_unit = f", {usd(cost.run_usd_per_unit)} per work unit ({cost.units} units)" if cost.units else ""
    console.print(f"cost ({prices.region} list prices of {prices.as_of}): run {usd(cost.run_usd)}{per_unit}")
    console.print(
        f"  Lambda {compute.quantity:.3f} GB-s {usd(compute.usd)}, {requests.quantity:.0f} requests "
        f"{usd(requests.usd)}; S3 {puts.quantity:.0f} PUT/LIST {usd(puts.usd)}"
    )
    console.print(
        f"  one Athena query of the run: {size(scan.quantity)} scanned {usd(scan.usd)} "
        f"(billed at least {prices.athena_minimum_mb} MB) + {gets.quantity:.0f} S3 GET {usd(gets.usd)}"
    )
    if cost.memory_assumed_attempts:
        console.print(
            f"  ({cost.memory_assumed_attempts} attempts recorded no memory size: "
            f"priced at {cost.fallback_memory_mb} MB)"
        )


def print_redrive(result: RedriveResult, console: Console) -> None:
    verb = "redrove" if result.redrive_id else "would redrive"
    if not result.targets:
        console.print(f"run {result.run_id}: nothing to redrive")
    else:
        shards = ", ".join(f"{t.shard_id} ({t.reason})" for t in result.targets)
        injection = "kept" if result.failure_injection else "off"
        via = f" via {result.backend}" if result.backend else ""
        console.print(f"run {result.run_id}: {verb} shards {shards}{via}, failure injection {injection}")
    for record in result.dispatches:
        if record.status != "dispatched":
            console.print(f"  [red]shard {record.shard_id} not dispatched[/]: {record.error}")
    if result.skipped_in_flight:
        skipped = ", ".join(map(str, result.skipped_in_flight))
        console.print(f"  still in flight, left alone: {skipped} (use --stragglers for backup attempts)")
    if result.redrive_id:
        console.print(f"  recorded in the manifest as {result.redrive_id}")


def watch(load: Callable[[], RunStatus], console: Console, *, interval: float, timeout: float | None) -> RunStatus:
    """Poll until every shard is final (or the timeout passes), showing a progress bar."""
    deadline = None if timeout is None else time.monotonic() + timeout
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("final: {task.fields[done]} succeeded, {task.fields[failed]} failed; {task.fields[waiting]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("shards", total=None, done=0, failed=0, waiting="")
        while True:
            status = load()
            final = sum(s.final for s in status.shards)
            waiting = (
                f"{status.count(ShardState.IN_FLIGHT)} in flight, "
                f"{status.count(ShardState.NEVER_STARTED)} not started, {status.count(ShardState.PLANNED)} planned"
            )
            if status.stragglers:
                waiting += f", stragglers {', '.join(map(str, status.stragglers))}"
            bar.update(
                task,
                total=len(status.shards),
                completed=final,
                done=status.count(ShardState.SUCCEEDED),
                failed=final - status.count(ShardState.SUCCEEDED),
                waiting=waiting,
            )
            if status.final or (deadline is not None and time.monotonic() >= deadline):
                return status
            time.sleep(interval)
