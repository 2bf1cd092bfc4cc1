"""The batch's ride requests: a growable column table, one row per request."""

from __future__ import annotations

import numpy as np

from sim.market.geometry import torus_distance
from sim.market.spec import PointSpec
from sim.market.streams import PointStreams

_INT_COLUMNS = (
    "point",
    "minute",
    "origin_x",
    "origin_y",
    "destination_x",
    "destination_y",
    "distance",
    "driver",  # flat driver index, -1 while unmatched
    "matched",  # minute matched, -1 while unmatched
    "pickup",  # minute picked up (may be past the horizon), -1 while unmatched
    "dropoff",  # minute dropped off (may be past the horizon), -1 while unmatched
    "abandoned",  # minute abandoned, -1 unless abandoned
)
_UNSET = ("driver", "matched", "pickup", "dropoff", "abandoned")


def draw_requests(spec: PointSpec, streams: PointStreams, start: int, minutes: int) -> dict[str, np.ndarray]:
    """One point's requests for ``minutes`` minutes from ``start``: each potential rider
    requests with probability request_rate each minute (binomial counts), from a
    uniform origin to a destination uniform over the other cells."""
    rng = streams.requests
    size = spec.city_size
    counts = rng.binomial(spec.riders, spec.request_rate, minutes)
    total = int(counts.sum())
    origin = rng.integers(0, size, size=(2, total), dtype=np.int32)
    offset = rng.integers(1, size * size, size=total, dtype=np.int64)
    cell = (origin[0].astype(np.int64) * size + origin[1] + offset) % (size * size)
    dest_x = (cell // size).astype(np.int32)
    dest_y = (cell % size).astype(np.int32)
    return {
        "minute": (start + np.repeat(np.arange(minutes, dtype=np.int32), counts)).astype(np.int32),
        "origin_x": origin[0],
        "origin_y": origin[1],
        "destination_x": dest_x,
        "destination_y": dest_y,
        "distance": torus_distance(origin[0], origin[1], dest_x, dest_y, size).astype(np.int32),
    }


class RequestTable:
    """Rows in id order: by minute, then point, then draw order. So ids ascend with
    age within a point, and one minute's arrivals are a contiguous id range."""

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self.columns = {name: np.empty(capacity, dtype=np.int32) for name in _INT_COLUMNS}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def append(self, rows: dict[str, np.ndarray]) -> range:
        """Append rows (every column except the unset ones); returns their ids."""
        count = rows["point"].size
        needed = self.size + count
        capacity = self.columns["point"].size
        if needed > capacity:
            grown = max(needed, 2 * capacity)
            for name, column in self.columns.items():
                bigger = np.empty(grown, dtype=np.int32)
                bigger[: self.size] = column[: self.size]
                self.columns[name] = bigger
        ids = range(self.size, needed)
        for name, column in self.columns.items():
            column[self.size : needed] = -1 if name in _UNSET else rows[name]
        self.size = needed
        return ids

    def view(self) -> dict[str, np.ndarray]:
        return {name: column[: self.size] for name, column in self.columns.items()}
