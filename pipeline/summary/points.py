"""A run's point summaries and effects: per point and key metric the mean of its replicates with a
95% interval, and for each swept dimension the effect of moving between adjacent levels.

Adjacent levels are adjacent in sorted order (false before true), at every combination of the
other swept dimensions. With common random numbers the two points of an effect share the random
streams of each replicate, so their difference is taken replicate by replicate (paired, n - 1
degrees of freedom); without, the two samples are independent (pooled two-sample t). A replicate
with no value for a metric (e.g. no completed trip, so no wait) is left out of that metric."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from pipeline.ops.snapshot import read_manifest
from pipeline.results import ResultsSource
from pipeline.summary.intervals import Estimate, estimate, independent_difference, paired_difference
from sim.contract import SweepRequest
from sim.grid import unit_count
from sim.params import POLICY_PARAMETERS, ParamValue

KEY_METRICS = (
    "platform_revenue",
    "match_rate",
    "wait_mean_min",
    "wait_p95_min",
    "drivers_online_mean",
    "driver_earnings_per_online_hour",
    "trips_completed",
)


@dataclass(frozen=True)
class PointSummary:
    """One grid point: its swept values and, per metric, the estimate over its replicates."""

    point_index: int
    swept: dict[str, ParamValue]
    estimates: dict[str, Estimate]


@dataclass(frozen=True)
class Effect:
    """Moving ``dimension`` from ``low`` to ``high`` with the other swept dimensions at ``at``."""

    dimension: str
    low: ParamValue
    high: ParamValue
    at: dict[str, ParamValue]
    metric: str
    paired: bool
    estimate: Estimate


@dataclass(frozen=True)
class SweepSummary:
    run_id: str
    replications: int
    common_random_numbers: bool
    dimensions: dict[str, tuple[ParamValue, ...]]
    units_expected: int
    units_found: int
    points: list[PointSummary]
    effects: list[Effect]

    @property
    def intervals_possible(self) -> bool:
        """A single replication gives one value per point: no interval can be given."""
        return self.replications > 1

    def to_json(self) -> dict[str, Any]:
        def est(e: Estimate) -> dict[str, Any]:
            return {"n": e.n, "mean": e.mean, "sd": e.sd, "ci95_half_width": e.half_width, "ci95": [e.low, e.high]}

        return {
            "run_id": self.run_id,
            "replications": self.replications,
            "common_random_numbers": self.common_random_numbers,
            "units_expected": self.units_expected,
            "units_found": self.units_found,
            "intervals_possible": self.intervals_possible,
            "points": [
                {
                    "point_index": p.point_index,
                    "swept": p.swept,
                    "metrics": {name: est(e) for name, e in p.estimates.items()},
                }
                for p in self.points
            ],
            "effects": [
                {
                    "dimension": e.dimension,
                    "from": e.low,
                    "to": e.high,
                    "at": e.at,
                    "metric": e.metric,
                    "paired": e.paired,
                    "policy_dimension": e.dimension in POLICY_PARAMETERS,
                    "excludes_zero": e.estimate.excludes_zero,
                    **est(e.estimate),
                }
                for e in self.effects
            ],
        }


Replicates = dict[int, float]
"""A metric's values of one point, by replicate (replicates without a value left out)."""


def summarize(request: SweepRequest, shard_metrics: pa.Table, metrics: Sequence[str] = KEY_METRICS) -> SweepSummary:
    """Summarize one run's shard_metrics rows (any subset of its units)."""
    names = sorted(request.dimensions)
    rows = shard_metrics.select(["point_index", "replicate", *names, *metrics]).to_pylist()
    swept: dict[int, dict[str, ParamValue]] = {}
    values: dict[int, dict[str, Replicates]] = {}
    for row in sorted(rows, key=lambda r: (r["point_index"], r["replicate"])):
        index = row["point_index"]
        swept[index] = {name: row[name] for name in names}
        per_metric = values.setdefault(index, {m: {} for m in metrics})
        for m in metrics:
            if row[m] is not None:
                per_metric[m][row["replicate"]] = float(row[m])
    points = [
        PointSummary(i, swept[i], {m: estimate(list(values[i][m].values())) for m in metrics}) for i in sorted(swept)
    ]
    by_values = {tuple(swept[i][n] for n in names): i for i in swept}
    effects = list(_effects(request, names, by_values, values, metrics))
    return SweepSummary(
        run_id=request.run_id,
        replications=request.replications,
        common_random_numbers=request.common_random_numbers,
        dimensions={name: tuple(request.dimensions[name]) for name in names},
        units_expected=unit_count(request.dimensions, request.replications),
        units_found=len(rows),
        points=points,
        effects=effects,
    )


def _effects(
    request: SweepRequest,
    names: list[str],
    by_values: Mapping[tuple[ParamValue, ...], int],
    values: Mapping[int, Mapping[str, Replicates]],
    metrics: Sequence[str],
) -> Iterable[Effect]:
    paired = request.common_random_numbers
    for position, name in enumerate(names):
        levels = sorted(request.dimensions[name])
        others = [sorted(request.dimensions[n]) for n in names if n != name]
        for low, high in itertools.pairwise(levels):
            for rest in itertools.product(*others):
                key_low = (*rest[:position], low, *rest[position:])
                key_high = (*rest[:position], high, *rest[position:])
                if key_low not in by_values or key_high not in by_values:
                    continue  # a point without any unit written (its shards failed)
                at = dict(zip([n for n in names if n != name], rest, strict=True))
                first, second = values[by_values[key_low]], values[by_values[key_high]]
                for metric in metrics:
                    difference = _difference(first[metric], second[metric], paired)
                    yield Effect(name, low, high, at, metric, paired, difference)


def _difference(low: Replicates, high: Replicates, paired: bool) -> Estimate:
    if paired:
        common = sorted(low.keys() & high.keys())
        return paired_difference([low[r] for r in common], [high[r] for r in common])
    return independent_difference(list(low.values()), list(high.values()))


def read_request(source: ResultsSource, run_id: str) -> SweepRequest:
    """The run's request, from its manifest."""
    return read_manifest(source, run_id).sweep_request()


def read_summary(source: ResultsSource, run_id: str, metrics: Sequence[str] = KEY_METRICS) -> SweepSummary:
    """The summary of a run in a results directory or bucket."""
    return summarize(read_request(source, run_id), source.read("shard_metrics", run_id), metrics)
