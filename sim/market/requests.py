"""A point's ride requests, drawn up front from its request stream."""

from __future__ import annotations

import numpy as np

from sim.market.compiled import kernels
from sim.market.spec import PointSpec
from sim.market.streams import PointStreams

# Rows of the request array.
MINUTE, ORIGIN_X, ORIGIN_Y, DESTINATION_X, DESTINATION_Y, DISTANCE = range(6)


def draw_requests(spec: PointSpec, streams: PointStreams) -> np.ndarray:
    """Every request of the point as an int32 array of the rows above, by minute.

    Each potential rider requests with probability request_rate each minute
    (binomial counts), from a uniform origin to a destination uniform over the other
    cells. Drawn in one go: counts, then origins, then destination offsets; the kernel
    lays them out (kernel.request_rows)."""
    rng, size = streams.requests, spec.city_size
    counts = rng.binomial(spec.riders, spec.request_rate, spec.horizon_min)
    origin = rng.integers(0, size, size=(2, int(counts.sum())), dtype=np.int32)
    offset = rng.integers(1, size * size, size=origin.shape[1], dtype=np.int64)
    return kernels().request_rows(counts, origin, offset, size)
