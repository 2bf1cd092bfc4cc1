"""The report as one self-contained HTML file: plotly.js inlined once, no network needed."""

from __future__ import annotations

import html
import itertools
import json
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import pyarrow as pa
from plotly.offline import get_plotlyjs

from pipeline.ops.cost import CostLine, RunCost
from pipeline.ops.report.figures import cost_figure, dimension_figure, pair_figure, timeline_figure
from pipeline.ops.snapshot import RunSnapshot
from pipeline.ops.status import RunStatus, dispatch_times
from pipeline.ops.units import size, usd
from pipeline.summary import KEY_METRICS, SweepSummary, summarize
from pipeline.summary.render import interval, number
from sim.contract import SweepRequest, parse_request

MAX_PAIR_FIGURES = 10
"""Heatmap figures beyond this many dimension pairs are left out (and the page says so)."""
MAX_EFFECT_ROWS = 300
"""Effects beyond this many rows are left out of the table (and the page says so; `summary --json` has all)."""
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; padding: 0 1.5rem; max-width: 1280px; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .6rem 0; } td, th { padding: .2rem .8rem; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.verdict-succeeded { color: #2e7d32; } .verdict-incomplete { color: #c62828; } .verdict-running { color: #ef6c00; }
.plot { margin: 1rem 0; } .note { color: #555; } pre { background: #f7f7f7; padding: .6rem; }
"""


@dataclass(frozen=True)
class Report:
    html: str
    plot_ids: list[str]


def build_report(snapshot: RunSnapshot, status: RunStatus, cost: RunCost, metrics: pa.Table) -> Report:
    """Every plot of the run, with its status and cost, as one HTML page."""
    request = parse_request(snapshot.manifest["request"])
    dimensions = request.dimensions
    varied = [name for name, values in dimensions.items() if len(values) > 1]
    pairs = list(itertools.combinations(varied, 2))
    sections: dict[str, tuple[str, list[tuple[str, go.Figure]]]] = {
        "Shard outcomes": (
            "<p class='note'>Each attempt from its start to its end; dotted lines mark dispatches.</p>",
            [("plot-timeline", timeline_figure(snapshot.outcomes, _dispatch_labels(snapshot.manifest)))],
        ),
        "Cost": (_cost_table(cost), [("plot-cost", cost_figure(cost))]),
        "How the market responds to each swept dimension": (
            _coverage(request, status, metrics) + _interval_note(request),
            [(f"plot-dim-{name}", dimension_figure(metrics, name, values)) for name, values in dimensions.items()],
        ),
        "Pairs of dimensions": (
            _omitted(len(pairs)),
            [
                (f"plot-pair-{a}-{b}", pair_figure(metrics, a, b, dimensions[a], dimensions[b]))
                for a, b in pairs[:MAX_PAIR_FIGURES]
            ],
        ),
    }
    body = [_summary(snapshot, status, request)]
    for heading, (intro, figures) in sections.items():
        if figures:
            body.append(f"<h2>{html.escape(heading)}</h2>{intro}")
            body += [_plot(plot_id, fig) for plot_id, fig in figures]
    body.append(_effects(summarize(request, metrics)))
    title = f"Sweep report: {status.run_id}"
    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style><script type='text/javascript'>{get_plotlyjs()}</script></head>"
        f"<body><h1>{html.escape(title)}</h1>{''.join(body)}</body></html>"
    )
    return Report(page, [plot_id for _, figures in sections.values() for plot_id, _ in figures])


def _plot(plot_id: str, fig: go.Figure) -> str:
    div = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=plot_id, config=PLOT_CONFIG)
    return f"<div class='plot'>{div}</div>"


def _dispatch_labels(manifest: dict[str, Any]) -> list[tuple[Any, str]]:
    times = sorted({t for shard_times in dispatch_times(manifest).values() for t in shard_times})
    return [(t, "dispatch" if i == 0 else f"redrive {i}") for i, t in enumerate(times)]


def _summary(snapshot: RunSnapshot, status: RunStatus, request: SweepRequest) -> str:
    counts = status.to_json()["counts"]
    rows = "".join(f"<tr><td>{html.escape(k.replace('_', ' '))}</td><td>{v}</td></tr>" for k, v in counts.items())
    verdict = status.verdict.value
    body = json.dumps(snapshot.manifest["request"], indent=2, sort_keys=True)
    return (
        f"<p><b class='verdict-{verdict}'>{verdict}</b>: {status.points_total} grid points x "
        f"{request.replications} replication(s) = {status.points_total * request.replications} work units in "
        f"{len(status.shards)} shards; created {status.created_at:%Y-%m-%d %H:%M:%S} UTC, elapsed "
        f"{status.elapsed_s:.1f} s, {status.redrives} redrive(s); code {html.escape(status.code_version)}.</p>"
        f"<table><tr><th>shards</th><th>count</th></tr>{rows}</table>"
        f"<details><summary>request</summary><pre>{html.escape(body)}</pre></details>"
    )


def _coverage(request: SweepRequest, status: RunStatus, metrics: pa.Table) -> str:
    units = status.points_total * request.replications
    if metrics.num_rows == units:
        return f"<p class='note'>All {status.points_total} grid points" + (
            f", {request.replications} replications each.</p>" if request.replications > 1 else ".</p>"
        )
    what = "grid points" if request.replications == 1 else "work units (point, replicate)"
    return (
        f"<p class='note'>Only {metrics.num_rows} of {units} {what} have results "
        "(shards without a successful attempt are missing): redrive the run for the full picture.</p>"
    )


def _interval_note(request: SweepRequest) -> str:
    if request.replications == 1:
        return (
            "<p class='note'>One replication per point: no interval can be given. Request "
            "<code>replications</code> of 2 or more for 95% intervals.</p>"
        )
    pairing = " (common random numbers)" if request.common_random_numbers else ""
    return (
        f"<p class='note'>Means over {request.replications} replications{pairing}; error bars and heatmap "
        "hovers give the 95% interval (Student t over the replicates).</p>"
    )


def _effects(summary: SweepSummary) -> str:
    """The effects of moving between adjacent levels, those whose interval excludes zero marked."""
    effects = [e for e in summary.effects if e.metric in KEY_METRICS]
    heading = "<h2>Effects between adjacent levels</h2>"
    if not summary.intervals_possible:
        return heading + "<p class='note'>One replication per point: no interval can be given for any effect.</p>"
    if not effects:
        return heading + "<p class='note'>No swept dimension has two levels with results.</p>"
    pairing = "paired by replicate (common random numbers)" if summary.common_random_numbers else "independent samples"
    rows = "".join(
        f"<tr class='{'effect-nonzero' if e.estimate.excludes_zero else 'effect'}'>"
        f"<td>{html.escape(e.dimension)}</td><td>{e.low} &rarr; {e.high}</td>"
        f"<td>{html.escape(', '.join(f'{k}={v}' for k, v in e.at.items()) or '-')}</td>"
        f"<td>{html.escape(e.metric)}</td><td>{e.estimate.n}</td><td>{number(e.estimate.mean)}</td>"
        f"<td>{interval(e.estimate)}</td><td>{'&#10003;' if e.estimate.excludes_zero else ''}</td></tr>"
        for e in effects[:MAX_EFFECT_ROWS]
    )
    shown = f" The first {MAX_EFFECT_ROWS} of {len(effects)} are shown." if len(effects) > MAX_EFFECT_ROWS else ""
    return (
        f"{heading}<p class='note'>The change in each metric when one dimension moves to its next level, "
        f"the others held; 95% interval, {pairing}. &#10003;: the interval excludes zero.{shown}</p>"
        "<table><tr><th>dimension</th><th>levels</th><th>at</th><th>metric</th><th>n</th><th>effect</th>"
        f"<th>95% interval</th><th>excludes 0</th></tr>{rows}</table>"
    )


def _omitted(pairs: int) -> str:
    if pairs <= MAX_PAIR_FIGURES:
        return ""
    return f"<p class='note'>The first {MAX_PAIR_FIGURES} of {pairs} pairs are shown.</p>"


def _cost_table(cost: RunCost) -> str:
    rows = "".join(
        f"<tr><td>{part}: {line.item.replace('_', ' ')}</td><td>{_quantity(line)}</td><td>{usd(line.usd)}</td></tr>"
        for part, lines in (("run", cost.run), ("one query", cost.query))
        for line in lines
    )
    prices = cost.prices
    assumed = (
        f" {cost.memory_assumed_attempts} attempts recorded no memory size; priced at {cost.fallback_memory_mb} MB."
        if cost.memory_assumed_attempts
        else ""
    )
    return (
        f"<table><tr><th>item</th><th>quantity</th><th>{html.escape(prices.currency)}</th></tr>{rows}"
        f"<tr><th>run total</th><th></th><th>{usd(cost.run_usd)}</th></tr></table>"
        f"<p class='note'>List prices for {html.escape(prices.region)} as of {html.escape(prices.as_of)} "
        f"(free tier not applied).{assumed}</p>"
    )


def _quantity(line: CostLine) -> str:
    if line.unit == "bytes":
        return size(line.quantity)
    return f"{line.quantity:,.3f} {line.unit}" if line.unit == "GB-s" else f"{line.quantity:,.0f} {line.unit}"
