"""simulate_points: run points in memory-bounded batches, results in input order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.market.batch import Batch
from sim.market.results import point_results
from sim.market.spec import PointSpec
from sim.market.streams import PointStreams
from sim.market.types import PointResult
from sim.params import ParamValue

# A batch's size is bounded so memory stays modest whatever the shard: drivers
# (cruising turns: CHUNK_MINUTES bytes each), point-minutes (four int32 count
# arrays) and expected requests (twelve int32 columns).
MAX_BATCH_DRIVERS = 1 << 17
MAX_BATCH_POINT_MINUTES = 1 << 21
MAX_BATCH_REQUESTS = 1 << 21


def simulate_points(
    points: Sequence[tuple[Mapping[str, ParamValue], np.random.SeedSequence]],
) -> list[PointResult]:
    """Simulate each (full parameter set, seed sequence) pair; results in input order.

    Each point's result depends only on its own parameters and seed sequence,
    never on which other points are in the batch: every random draw comes from the
    point's own streams, and the batched step treats points independently."""
    specs = [PointSpec.from_params(params) for params, _ in points]
    results: dict[int, PointResult] = {}
    for group in _batches(specs):
        batch = Batch([specs[i] for i in group], [PointStreams.from_seed(points[i][1]) for i in group])
        batch.run()
        results.update(zip(group, point_results(batch), strict=True))
    return [results[index] for index in range(len(specs))]


def _batches(specs: Sequence[PointSpec]) -> list[list[int]]:
    """Group points of similar horizon (a batch runs to its longest) within the bounds."""
    order = sorted(range(len(specs)), key=lambda i: (specs[i].horizon_min, specs[i].pool))
    groups: list[list[int]] = []
    drivers = requests = 0.0
    for index in order:
        spec = specs[index]
        expected = spec.requests_per_min * spec.horizon_min
        # Sorted by horizon, so this point's horizon is the group's longest.
        fits = (
            bool(groups)
            and drivers + spec.pool <= MAX_BATCH_DRIVERS
            and requests + expected <= MAX_BATCH_REQUESTS
            and spec.horizon_min * (len(groups[-1]) + 1) <= MAX_BATCH_POINT_MINUTES
        )
        if not fits:
            groups.append([])
            drivers = requests = 0.0
        groups[-1].append(index)
        drivers += spec.pool
        requests += expected
    return groups
