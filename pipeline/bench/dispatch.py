"""``python -m pipeline bench dispatch``: how fast the parent fans out, and how long a run takes.

1. Dispatch: a 1000-shard request POSTed to a warm parent; the parent reports (Server-Timing)
   how long recording the run and invoking every child took. The bench stack's child has a
   reserved concurrency of 0, so the emulator accepts each event (202, as Lambda queues it)
   and runs none: on AWS the children run elsewhere, here they would take the same two cores
   the parent dispatches from. Their events are throttled and dropped by the emulator.
2. Runbook: the runbook request on a normal stack, from POST to the last shard's final
   outcome, first with cold functions and then again (another run_id) with warm ones."""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from aws_adapters import S3Store
from pipeline.demo.http import post
from pipeline.demo.monitor import RunMonitor
from pipeline.demo.runner import DEMO_REQUEST
from pipeline.deploy import Deployment, DeploymentNames, deploy
from pipeline.emulator import Emulator
from pipeline.emulator.constants import EMULATOR_CLIENT_ENV
from sim.constants import DISPATCH_CONCURRENCY
from sim.exceptions import SweepError

BENCH_PREFIX = "sweep-bench"
TARGET_SECONDS = 5.0
RUN_TIMEOUT_SECONDS = 600.0


class BenchFailed(SweepError):
    """A benchmark request was not accepted."""


@dataclass(frozen=True)
class DispatchFigures:
    shards: int
    concurrency: int
    post_seconds: float
    submit_seconds: float
    dispatched: int

    @property
    def invokes_per_second(self) -> float:
        return self.dispatched / self.submit_seconds


def register_dispatch(benches: argparse._SubParsersAction) -> None:
    parser = benches.add_parser("dispatch", help="the parent's fan-out rate and the runbook's POST-to-done time")
    parser.add_argument("--shards", type=int, default=1000, help="shards of the dispatch request (max 1000)")
    parser.add_argument("--concurrency", type=int, default=DISPATCH_CONCURRENCY, help="the parent's dispatch threads")
    parser.add_argument("--skip-runbook", action="store_true", help="only the dispatch benchmark")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.set_defaults(handler=_bench)


def dispatch_body(shards: int, run_id: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "dimensions": {"num_drivers": list(range(1, shards + 1))},
        "shard_count": shards,
        "seed": 1,
    }


def measure_dispatch(deployment: Deployment, shards: int, concurrency: int) -> DispatchFigures:
    deployment.client("lambda").put_function_concurrency(
        FunctionName=deployment.child_function, ReservedConcurrentExecutions=0
    )
    post(deployment.api_url, json.dumps(dispatch_body(1, "bench-warm-up")))  # a warm parent from here on
    answer = post(deployment.api_url, json.dumps(dispatch_body(shards, f"bench-dispatch-{time.time_ns()}")))
    if answer.status != 202:
        raise BenchFailed(f"dispatch request answered {answer.status}: {answer.body[:300]!r}")
    submit_ms = answer.server_timing_ms()
    if submit_ms is None:
        raise BenchFailed("the parent reported no Server-Timing")
    return DispatchFigures(
        shards, concurrency, answer.elapsed_seconds, submit_ms / 1000, answer.json()["shards_dispatched"]
    )


def measure_runbook(deployment: Deployment, run_id: str) -> float:
    """Seconds from the POST to every shard's final outcome."""
    body = {**json.loads(DEMO_REQUEST.read_text()), "run_id": run_id}
    store = S3Store(deployment.results_bucket, deployment.client("s3"))
    started = time.perf_counter()
    answer = post(deployment.api_url, json.dumps(body))
    if answer.status != 202:
        raise BenchFailed(f"runbook request answered {answer.status}: {answer.body[:300]!r}")
    RunMonitor(store, run_id, body["shard_count"], deployment.results_prefix).wait(
        RUN_TIMEOUT_SECONDS, interval_seconds=0.2
    )
    return time.perf_counter() - started


def _bench(args: argparse.Namespace) -> int:
    for name, value in EMULATOR_CLIENT_ENV.items():
        os.environ.setdefault(name, value)
    console = Console()
    with Emulator() as emulator:
        with console.status("deploying the bench stack ..."):
            bench = deploy(
                emulator.endpoint_url, names=DeploymentNames(prefix=BENCH_PREFIX), dispatch_concurrency=args.concurrency
            )
        figures = measure_dispatch(bench, args.shards, args.concurrency)
        runbook: dict[str, float] = {}
        if not args.skip_runbook:
            with console.status("deploying the runbook stack ..."):
                stack = deploy(emulator.endpoint_url)
            runbook["cold_seconds"] = measure_runbook(stack, "bench-runbook-cold")
            runbook["warm_seconds"] = measure_runbook(stack, "bench-runbook-warm")
    console.print(_table(figures, runbook))
    if args.json:
        print(
            json.dumps(
                {"dispatch": {**asdict(figures), "invokes_per_second": figures.invokes_per_second}, "runbook": runbook}
            )
        )
    return 0 if figures.dispatched == figures.shards and figures.submit_seconds < TARGET_SECONDS else 1


def _table(figures: DispatchFigures, runbook: dict[str, float]) -> Table:
    table = Table(title="dispatch benchmark (MiniStack on this machine)", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row(f"shards dispatched ({figures.concurrency} threads)", f"{figures.dispatched}/{figures.shards}")
    table.add_row("parent: record + dispatch (Server-Timing)", f"{figures.submit_seconds:.2f} s")
    table.add_row("parent: invokes per second", f"{figures.invokes_per_second:.0f}")
    table.add_row("client: POST round trip", f"{figures.post_seconds:.2f} s")
    table.add_row(
        f"target: all dispatched in < {TARGET_SECONDS:.0f} s",
        "met" if figures.submit_seconds < TARGET_SECONDS else "MISSED",
    )
    for name, seconds in runbook.items():
        table.add_row(f"runbook POST -> last outcome ({name.removesuffix('_seconds')})", f"{seconds:.1f} s")
    return table
