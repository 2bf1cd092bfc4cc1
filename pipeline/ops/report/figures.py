"""The report's plots (plotly graph objects; no pandas needed).

The market metrics are means over the grid points of succeeded shards: a line
per metric against one swept dimension (averaged over the others), a heatmap
per metric for each pair of dimensions. Each plotted value comes with its 95%
interval (error bars; on a heatmap, on hover): per replicate the metric is
averaged over the points of that level (or cell), and the interval is Student
t's over those replicate averages (``pipeline.summary.intervals``), so it is
valid with or without common random numbers. One replication: no interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import pyarrow as pa
from plotly.subplots import make_subplots

from pipeline.ops.cost import RunCost
from pipeline.ops.units import usd
from pipeline.summary.intervals import Estimate, estimate

METRICS: tuple[tuple[str, str], ...] = (
    ("platform_revenue", "platform revenue"),
    ("match_rate", "match rate"),
    ("wait_p50_min", "wait p50 (min)"),
    ("wait_p95_min", "wait p95 (min)"),
    ("drivers_online_mean", "drivers online"),
    ("driver_earnings_per_online_hour", "driver earnings / online hour"),
)
COLUMNS = 3
ROWS = -(-len(METRICS) // COLUMNS)
PANEL_HEIGHT = 260
SUCCEEDED_COLOUR = "#2e7d32"
FAILED_COLOUR = "#c62828"
DISPATCH_COLOUR = "#546e7a"


def _grid(titles: Sequence[str]) -> go.Figure:
    return make_subplots(
        rows=ROWS, cols=COLUMNS, subplot_titles=list(titles), horizontal_spacing=0.08, vertical_spacing=0.16
    )


def _cell(index: int) -> dict[str, int]:
    return {"row": index // COLUMNS + 1, "col": index % COLUMNS + 1}


def _means(metrics: pa.Table, keys: list[str]) -> dict[tuple[Any, ...], dict[str, Estimate]]:
    """Each metric per combination of the key columns: the estimate over its replicates, each
    replicate's value the mean over that combination's points (nulls skipped)."""
    if metrics.num_rows == 0:
        return {}
    grouped = metrics.group_by([*keys, "replicate"]).aggregate([(name, "mean") for name, _ in METRICS]).to_pylist()
    samples: dict[tuple[Any, ...], dict[str, list[float]]] = {}
    for row in sorted(grouped, key=lambda r: r["replicate"]):
        per_metric = samples.setdefault(tuple(row[k] for k in keys), {name: [] for name, _ in METRICS})
        for name, _ in METRICS:
            if row[f"{name}_mean"] is not None:
                per_metric[name].append(row[f"{name}_mean"])
    return {key: {name: estimate(values) for name, values in per.items()} for key, per in samples.items()}


_NONE = Estimate(0, None, None, None)


def _labels(values: Sequence[Any]) -> list[str]:
    return [f"{v:g}" if isinstance(v, float) else str(v) for v in values]


def dimension_figure(metrics: pa.Table, dimension: str, values: Sequence[Any]) -> go.Figure:
    """Each metric against one dimension, averaged over every other dimension."""
    means = _means(metrics, [dimension])
    xs = sorted(values)
    fig = _grid([label for _, label in METRICS])
    for index, (name, label) in enumerate(METRICS):
        estimates = [means.get((x,), {}).get(name, _NONE) for x in xs]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[e.mean for e in estimates],
                error_y={"type": "data", "array": [e.half_width for e in estimates], "visible": True},
                mode="lines+markers",
                name=label,
                showlegend=False,
                connectgaps=False,
            ),
            **_cell(index),
        )
    fig.update_xaxes(title_text=dimension, title_standoff=4, tickvals=xs)
    fig.update_layout(
        title=f"Market response to {dimension} (mean over the other dimensions)",
        height=ROWS * PANEL_HEIGHT + 80,
        margin={"t": 80, "b": 40},
    )
    return fig


def pair_figure(
    metrics: pa.Table, first: str, second: str, first_values: Sequence[Any], second_values: Sequence[Any]
) -> go.Figure:
    """A heatmap per metric: ``first`` across, ``second`` up, other dimensions averaged."""
    means = _means(metrics, [first, second])
    xs, ys = sorted(first_values), sorted(second_values)
    fig = _grid([label for _, label in METRICS])
    for index, (name, label) in enumerate(METRICS):
        cells = [[means.get((x, y), {}).get(name, _NONE) for x in xs] for y in ys]
        fig.add_trace(
            go.Heatmap(
                x=_labels(xs),
                y=_labels(ys),
                z=[[e.mean for e in row] for row in cells],
                customdata=[[_interval_text(e) for e in row] for row in cells],
                name=label,
                showscale=False,
                colorscale="Viridis",
                texttemplate="%{z:,.4~r}",
                hovertemplate=(
                    f"{first}=%{{x}}<br>{second}=%{{y}}<br>{label}=%{{z:.4g}}<br>%{{customdata}}<extra></extra>"
                ),
            ),
            **_cell(index),
        )
    fig.update_xaxes(title_text=first, type="category", title_standoff=4)
    fig.update_yaxes(title_text=second, type="category")
    fig.update_layout(
        title=f"{first} x {second} (mean over the other dimensions)",
        height=ROWS * PANEL_HEIGHT + 80,
        margin={"t": 80, "b": 40},
    )
    return fig


def _interval_text(e: Estimate) -> str:
    if e.low is None or e.high is None:
        return "no interval (one replication)" if e.n == 1 else ""
    return f"95% interval [{e.low:.4g}, {e.high:.4g}] (n={e.n})"


def timeline_figure(outcomes: Sequence[Mapping[str, Any]], dispatches: Sequence[tuple[datetime, str]]) -> go.Figure:
    """One segment per attempt from start to end, failures marked; dispatches and redrives as lines."""
    fig = go.Figure()
    shards = sorted({o["shard_id"] for o in outcomes})
    for status, colour in (("succeeded", SUCCEEDED_COLOUR), ("failed", FAILED_COLOUR)):
        rows = [o for o in outcomes if (o["status"] == "succeeded") == (status == "succeeded")]
        xs: list[Any] = []
        ys: list[Any] = []
        hover: list[str | None] = []
        for o in rows:
            text = f"shard {o['shard_id']} attempt {o['attempt']}: {o['status']} in {o['duration_ms']} ms" + (
                f"<br>{o['error_type']}" if o["error_type"] else ""
            )
            xs += [o["started_at"], o["ended_at"], None]
            ys += [f"shard {o['shard_id']}"] * 2 + [None]
            hover += [text, text, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=f"attempt {status}",
                line={"color": colour, "width": 10},
                marker={"color": colour, "size": 9, "symbol": "x" if status == "failed" else "circle"},
                hovertext=hover,
                hoverinfo="text",
            )
        )
    for when, label in dispatches:
        fig.add_shape(
            type="line", x0=when, x1=when, y0=0, y1=1, yref="paper", line={"color": DISPATCH_COLOUR, "dash": "dot"}
        )
        fig.add_annotation(x=when, y=1, yref="paper", text=label, showarrow=False, yanchor="bottom", font={"size": 11})
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=[f"shard {s}" for s in shards], autorange="reversed"
    )
    fig.update_xaxes(title_text="time (UTC)")
    fig.update_layout(
        title="Shard attempts (x: failed attempt)",
        height=max(260, 60 + 28 * len(shards)),
        margin={"t": 80},
    )
    return fig


def cost_figure(cost: RunCost) -> go.Figure:
    lines = [*cost.run, *cost.query]
    labels = [line.item.replace("_", " ") for line in lines]
    colours = ["#1565c0"] * len(cost.run) + ["#8e24aa"] * len(cost.query)
    fig = go.Figure(
        go.Bar(
            x=[line.usd for line in lines],
            y=labels,
            orientation="h",
            marker_color=colours,
            text=[usd(line.usd) for line in lines],
            textposition="auto",
        )
    )
    fig.update_xaxes(
        title_text=f"{cost.prices.currency} ({cost.prices.region}, prices of {cost.prices.as_of})", tickformat="$.2~g"
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title="Cost: the run (blue) and one Athena query of it (purple)", height=320, margin={"t": 60})
    return fig
