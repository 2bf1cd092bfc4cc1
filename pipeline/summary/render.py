"""The summary as text: one table of point estimates, one of effects (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipeline.summary.intervals import Estimate
from pipeline.summary.points import SweepSummary
from sim.params import ParamValue


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


def interval(e: Estimate) -> str:
    """``[low, high]``, or a dash when no interval can be given."""
    return "-" if e.low is None or e.high is None else f"[{number(e.low)}, {number(e.high)}]"


def _values(values: dict[str, ParamValue]) -> str:
    return ", ".join(f"{name}={value}" for name, value in values.items()) or "-"


def print_summary(summary: SweepSummary, console: Console) -> None:
    crn = "with common random numbers" if summary.common_random_numbers else "independent replicates"
    console.print(
        f"run [bold]{summary.run_id}[/]: {len(summary.points)} points x {summary.replications} replications "
        f"({crn}); {summary.units_found} of {summary.units_expected} work units present"
    )
    if not summary.intervals_possible:
        console.print("[yellow]one replication per point: no interval can be given[/] (request replications >= 2)")
    names = list(summary.dimensions)
    points = Table(show_edge=False, title="points: mean of the replicates, 95% interval (Student t)")
    for column in ("point", *names, "metric", "n", "mean", "sd", "95% interval"):
        points.add_column(column, justify="left" if column == "metric" else "right", no_wrap=True)
    for point in summary.points:
        for metric, e in point.estimates.items():
            cells = [str(point.swept[n]) for n in names]
            points.add_row(str(point.point_index), *cells, metric, str(e.n), number(e.mean), number(e.sd), interval(e))
    console.print(points)
    pairing = "paired by replicate" if summary.common_random_numbers else "independent samples"
    effects = Table(show_edge=False, title=f"effects between adjacent levels ({pairing}); * the interval excludes 0")
    for column in ("dimension", "from", "to", "at", "metric", "n", "effect", "95% interval", ""):
        effects.add_column(column, justify="right" if column in ("n", "effect", "95% interval") else "left")
    for effect in summary.effects:
        e = effect.estimate
        effects.add_row(
            effect.dimension,
            str(effect.low),
            str(effect.high),
            _values(effect.at),
            effect.metric,
            str(e.n),
            number(e.mean),
            interval(e),
            "*" if e.excludes_zero else "",
        )
    if summary.effects:
        console.print(effects)
    else:
        console.print("no effects: no swept dimension has two levels with data")
