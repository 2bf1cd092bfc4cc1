"""A point's ride requests, drawn up front from its request stream."""

from __future__ import annotations

import numpy as np

from sim.market.constants import CHUNK_MINUTES
from sim.market.spec import PointSpec
from sim.market.streams import PointStreams

# Rows of the request array.
MINUTE, ORIGIN_X, ORIGIN_Y, DESTINATION_X, DESTINATION_Y, DISTANCE = range(6)


def draw_requests(spec: PointSpec, streams: PointStreams) -> np.ndarray:
    """Every request of the point as an int32 array of the rows above, by minute.

    Each potential rider requests with probability request_rate each minute
    (binomial counts), from a uniform origin to a destination uniform over the other
    cells; drawn CHUNK_MINUTES at a time."""
    chunks = [
        _draw_chunk(spec, streams.requests, start, min(CHUNK_MINUTES, spec.horizon_min - start))
        for start in range(0, spec.horizon_min, CHUNK_MINUTES)
    ]
    return np.ascontiguousarray(np.concatenate(chunks, axis=1), dtype=np.int32)


def _draw_chunk(spec: PointSpec, rng: np.random.Generator, start: int, minutes: int) -> np.ndarray:
    size = spec.city_size
    counts = rng.binomial(spec.riders, spec.request_rate, minutes)
    total = int(counts.sum())
    origin = rng.integers(0, size, size=(2, total), dtype=np.int32)
    offset = rng.integers(1, size * size, size=total, dtype=np.int64)
    cell = (origin[0].astype(np.int64) * size + origin[1] + offset) % (size * size)
    destination = np.stack([cell // size, cell % size])
    delta = np.abs(origin - destination)
    distance = np.minimum(delta, size - delta).sum(axis=0)
    minute = start + np.repeat(np.arange(minutes), counts)
    return np.vstack([minute, origin, destination, distance])
