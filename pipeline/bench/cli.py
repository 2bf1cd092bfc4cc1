"""``python -m pipeline bench sim``: this simulation against ridehail, side by side, and
the local sweep's wall time and a big shard's memory; exits 1 when a target is missed."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from pipeline.bench.compare import SCENARIOS, measure_ours, measure_ridehail, warm_up
from pipeline.bench.dispatch import register_dispatch
from pipeline.bench.reference import ensure_ridehail_venv
from pipeline.bench.sweep import measure_shard_memory, measure_sweep

# Targets of issue 10 (throughput ratios; agreement with ridehail under its dispatch rule).
SPEEDUP_ONE_POINT = {"a": 100.0, "b": 150.0}
SPEEDUP_BATCH = 200.0
AGREEMENT = {"a": (0.03, 0.10), "b": (0.03, 0.10), "c": (0.03, 0.10), "d": (0.15, 0.15)}  # P3, mean wait
DRIVERS_ONLINE_AGREEMENT = {"e1": 0.03, "e3": 0.03}
SWEEP_SECONDS = 5.0
SHARD_MEMORY_BYTES = 1 << 30

ONE_POINT, BATCH, RIDEHAIL = "ours, 1 point per call", "ours, batch", "ridehail"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="benchmarks (scripts, not tests)")
    benches = parser.add_subparsers(dest="bench", required=True, metavar="BENCH")
    sim = benches.add_parser("sim", help="the market simulation against ridehail on the same scenarios")
    sim.add_argument("--points", type=int, default=40, help="points of our shard-sized batch (default 40)")
    sim.add_argument("--runs", type=int, default=5, help="seeds per simulator, one point at a time (default 5)")
    sim.add_argument("--cpu", type=int, default=0, help="the one core both simulators run on (default 0)")
    sim.add_argument("--python", default=None, help="Python 3.12 for ridehail's venv (default: found)")
    sim.add_argument("--skip-sweep", action="store_true", help="skip the local sweep and the shard memory")
    sim.add_argument("--json", type=Path, default=None, help="also write the figures here")
    sim.set_defaults(handler=_bench_sim)
    register_dispatch(benches)


def _bench_sim(args: argparse.Namespace) -> int:
    console = Console()
    interpreter = ensure_ridehail_venv(args.python)
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {args.cpu})  # ridehail's subprocesses inherit it
    warm_up()
    report: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        console.print(f"[bold]{scenario.name}[/] ...")
        rows = {
            RIDEHAIL: measure_ridehail(interpreter, scenario, args.runs).summary(),
            ONE_POINT: measure_ours(scenario, args.runs, one_at_a_time=True).summary(),
            BATCH: measure_ours(scenario, args.points, one_at_a_time=False).summary(),
        }
        report.append({"scenario": scenario.key, "name": scenario.name, "results": rows})
    os.sched_setaffinity(0, cores)
    extra: dict[str, float] = {}
    if not args.skip_sweep:
        console.print("[bold]run --local[/] of the 2,000-point request, and a 1,000-point shard of (b) ...")
        extra["sweep_seconds"] = measure_sweep()
        extra["shard_memory_bytes"] = measure_shard_memory()
    targets = verdicts(report, extra)
    print(markdown_table(report))
    print()
    print(targets_table(targets))
    if args.json:
        args.json.write_text(json.dumps({"scenarios": report, **extra, "targets": targets}, indent=2) + "\n")
    return 0 if all(t["met"] for t in targets) else 1


def _ratio(entry: dict[str, Any], row: str) -> float:
    results = entry["results"]
    return float(results[row]["driver_minutes_per_s"] / results[RIDEHAIL]["driver_minutes_per_s"])


def _difference(entry: dict[str, Any], name: str) -> float:
    results = entry["results"]
    return float(results[BATCH][name] / results[RIDEHAIL][name] - 1.0)


def verdicts(report: list[dict[str, Any]], extra: dict[str, float]) -> list[dict[str, Any]]:
    """Every target of the issue with its measured value and whether it is met."""
    by_key = {entry["scenario"]: entry for entry in report}
    targets: list[dict[str, Any]] = []

    def target(name: str, measured: str, met: bool) -> None:
        targets.append({"target": name, "measured": measured, "met": met})

    for key, least in SPEEDUP_ONE_POINT.items():
        ratio = _ratio(by_key[key], ONE_POINT)
        target(f"({key}) one point >= {least:.0f}x ridehail", f"{ratio:.0f}x", ratio >= least)
    for key in SPEEDUP_ONE_POINT:
        ratio = _ratio(by_key[key], BATCH)
        target(f"({key}) shard-sized batch >= {SPEEDUP_BATCH:.0f}x ridehail", f"{ratio:.0f}x", ratio >= SPEEDUP_BATCH)
    for key, (p3_bound, wait_bound) in AGREEMENT.items():
        p3, wait = _difference(by_key[key], "p3_share"), _difference(by_key[key], "wait_mean_min")
        target(f"({key}) P3 share within {p3_bound:.0%} of ridehail", f"{p3:+.1%}", abs(p3) <= p3_bound)
        target(f"({key}) mean wait within {wait_bound:.0%} of ridehail", f"{wait:+.1%}", abs(wait) <= wait_bound)
    for key, bound in DRIVERS_ONLINE_AGREEMENT.items():
        online = _difference(by_key[key], "drivers_online_mean")
        target(f"({key}) drivers online within {bound:.0%} of ridehail", f"{online:+.1%}", abs(online) <= bound)
    if "sweep_seconds" in extra:
        seconds = extra["sweep_seconds"]
        target(f"2,000-point run --local under {SWEEP_SECONDS:.0f} s wall", f"{seconds:.1f} s", seconds < SWEEP_SECONDS)
        memory = extra["shard_memory_bytes"]
        target(
            "1,000-point shard of (b) under 1 GB resident",
            f"{memory / (1 << 20):,.0f} MiB",
            memory < SHARD_MEMORY_BYTES,
        )
    return targets


_HEADER = (
    "scenario",
    "simulator",
    "runs",
    "driver-min / CPU s",
    "x ridehail",
    "P1",
    "P2",
    "P3",
    "mean wait (min)",
    "trips / min",
    "drivers online",
)


def markdown_table(report: list[dict[str, Any]]) -> str:
    """The scenarios' figures as a Markdown table (docs/simulation.md holds one)."""
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    for entry in report:
        for simulator, row in entry["results"].items():
            cells = (
                entry["name"],
                simulator,
                str(row["runs"]),
                f"{row['driver_minutes_per_s']:,.0f}",
                "" if simulator == RIDEHAIL else f"**{_ratio(entry, simulator):.0f}**",
                f"{row['p1_share']:.3f}",
                f"{row['p2_share']:.3f}",
                f"{row['p3_share']:.3f}",
                f"{row['wait_mean_min']:.2f}",
                f"{row['trips_per_min']:.2f}",
                f"{row['drivers_online_mean']:.1f}",
            )
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets_table(targets: list[dict[str, Any]]) -> str:
    lines = ["| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |" for t in targets]
    return "\n".join(lines)
