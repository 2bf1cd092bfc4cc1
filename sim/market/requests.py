"""A point's ride requests, drawn up front from its request stream."""

from __future__ import annotations

import numpy as np

from sim.market.spec import PointSpec
from sim.market.streams import PointStreams

# Rows of the request array.
MINUTE, ORIGIN_X, ORIGIN_Y, DESTINATION_X, DESTINATION_Y, DISTANCE = range(6)


def draw_requests(spec: PointSpec, streams: PointStreams) -> np.ndarray:
    """Every request of the point as an int32 array of the rows above, by minute.

    Each potential rider requests with probability request_rate each minute
    (binomial counts), from a uniform origin to a destination uniform over the other
    cells. Drawn in one go: counts, then origins, then destination offsets."""
    rng, size = streams.requests, spec.city_size
    counts = rng.binomial(spec.riders, spec.request_rate, spec.horizon_min)
    total = int(counts.sum())
    rows = np.empty((6, total), dtype=np.int32)
    rows[MINUTE] = np.repeat(np.arange(spec.horizon_min, dtype=np.int32), counts)
    origin = rows[ORIGIN_X : ORIGIN_Y + 1]
    origin[:] = rng.integers(0, size, size=(2, total), dtype=np.int32)
    offset = rng.integers(1, size * size, size=total, dtype=np.int64)
    cell = (origin[0].astype(np.int64) * size + origin[1] + offset) % (size * size)
    rows[DESTINATION_X] = cell // size
    rows[DESTINATION_Y] = cell % size
    delta = np.abs(origin - rows[DESTINATION_X : DESTINATION_Y + 1])
    rows[DISTANCE] = np.minimum(delta, size - delta).sum(axis=0)
    return rows
