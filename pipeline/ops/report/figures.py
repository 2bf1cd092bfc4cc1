"""The report's plots (plotly graph objects; no pandas needed).

The market metrics are means over the grid points of succeeded shards: a line
per metric against one swept dimension (averaged over the others), a heatmap
per metric for each pair of dimensions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import pyarrow as pa
from plotly.subplots import make_subplots

from pipeline.ops.cost import RunCost
from pipeline.ops.units import usd

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


def _means(metrics: pa.Table, keys: list[str]) -> dict[tuple[Any, ...], dict[str, float | None]]:
    """Mean of each metric per combination of the key columns (nulls skipped)."""
    if metrics.num_rows == 0:
        return {}
    grouped = metrics.group_by(keys).aggregate([(name, "mean") for name, _ in METRICS]).to_pylist()
    return {tuple(row[k] for k in keys): {name: row[f"{name}_mean"] for name, _ in METRICS} for row in grouped}


def _labels(values: Sequence[Any]) -> list[str]:
    return [f"{v:g}" if isinstance(v, float) else str(v) for v in values]


def dimension_figure(metrics: pa.Table, dimension: str, values: Sequence[Any]) -> go.Figure:
    """Each metric against one dimension, averaged over every other dimension."""
    means = _means(metrics, [dimension])
    xs = sorted(values)
    fig = _grid([label for _, label in METRICS])
    for index, (name, label) in enumerate(METRICS):
        ys = [means.get((x,), {}).get(name) for x in xs]
        fig.add_trace(
            go.Scatter(x=xs, y=ys, mode="lines+markers", name=label, showlegend=False, connectgaps=False),
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
        z = [[means.get((x, y), {}).get(name) for x in xs] for y in ys]
        fig.add_trace(
            go.Heatmap(
                x=_labels(xs),
                y=_labels(ys),
                z=z,
                name=label,
                showscale=False,
                colorscale="Viridis",
                texttemplate="%{z:,.4~r}",
                hovertemplate=f"{first}=%{{x}}<br>{second}=%{{y}}<br>{label}=%{{z:.4g}}<extra></extra>",
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
