"""``python -m pipeline bench sim``: this simulation against ridehail, side by side."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from pipeline.bench.compare import RANDOM, SCENARIOS, measure_ours, measure_ridehail, warm_up
from pipeline.bench.dispatch import register_dispatch
from pipeline.bench.reference import ensure_ridehail_venv

# Targets of issue 2: throughput ratio, and agreement on fixed-fleet scenarios.
MIN_SPEEDUP = 20.0
MAX_P3_DIFFERENCE = 0.03
MAX_WAIT_DIFFERENCE = 0.10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="benchmarks (scripts, not tests)")
    benches = parser.add_subparsers(dest="bench", required=True, metavar="BENCH")
    sim = benches.add_parser("sim", help="the market simulation against ridehail on the same scenarios")
    sim.add_argument("--points", type=int, default=64, help="replicate points in our batch (default 64)")
    sim.add_argument("--ridehail-runs", type=int, default=3, help="ridehail runs per scenario (default 3)")
    sim.add_argument("--cpu", type=int, default=0, help="the one core both run on (default 0)")
    sim.add_argument("--python", default=None, help="Python 3.12 for ridehail's venv (default: found)")
    sim.add_argument("--json", type=Path, default=None, help="also write the figures here")
    sim.set_defaults(handler=_bench_sim)
    register_dispatch(benches)


def _bench_sim(args: argparse.Namespace) -> int:
    os.sched_setaffinity(0, {args.cpu})  # ridehail's subprocesses inherit it
    console = Console()
    interpreter = ensure_ridehail_venv(args.python)
    warm_up()
    report: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        console.print(f"[bold]{scenario.name}[/], {scenario.horizon_min} minutes ...")
        rows = {
            "ridehail": measure_ridehail(interpreter, scenario, args.ridehail_runs).summary(),
            "ours, 1 point": measure_ours(scenario, 1).summary(),
            f"ours, batch of {args.points}, random arrivals": measure_ours(scenario, args.points, RANDOM).summary(),
            f"ours, batch of {args.points}": measure_ours(scenario, args.points).summary(),
        }
        report.append({"scenario": scenario.name, "results": rows, **_verdict(rows)})
    print(markdown_table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(entry["meets_targets"] for entry in report) else 1


def _verdict(rows: dict[str, dict[str, float]]) -> dict[str, Any]:
    reference, *_, batch = rows.values()
    speedup = batch["driver_minutes_per_s"] / reference["driver_minutes_per_s"]
    p3 = batch["p3_share"] / reference["p3_share"] - 1.0
    wait = batch["wait_mean_min"] / reference["wait_mean_min"] - 1.0
    meets = speedup >= MIN_SPEEDUP and abs(p3) <= MAX_P3_DIFFERENCE and abs(wait) <= MAX_WAIT_DIFFERENCE
    return {"speedup": speedup, "p3_difference": p3, "wait_difference": wait, "meets_targets": meets}


_HEADER = ("scenario", "simulator", "runs", "driver-min/s", "trips/s", "x ridehail", "P3 share", "mean wait (min)")


def markdown_table(report: list[dict[str, Any]]) -> str:
    """The figures as a Markdown table (docs/simulation.md holds one)."""
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    for entry in report:
        reference = entry["results"]["ridehail"]
        for name, row in entry["results"].items():
            cells = (
                entry["scenario"],
                name,
                str(row["runs"]),
                f"{row['driver_minutes_per_s']:,.0f}",
                f"{row['trips_per_s']:,.0f}",
                f"{row['driver_minutes_per_s'] / reference['driver_minutes_per_s']:.1f}",
                f"{row['p3_share']:.3f}",
                f"{row['wait_mean_min']:.2f}",
            )
            lines.append("| " + " | ".join(cells) + " |")
        verdict = (
            entry["scenario"],
            "**batch vs ridehail**",
            "",
            "",
            "",
            f"**{entry['speedup']:.1f}**",
            f"{entry['p3_difference']:+.1%}",
            f"{entry['wait_difference']:+.1%}",
        )
        lines.append("| " + " | ".join(verdict) + " |")
    return "\n".join(lines)
