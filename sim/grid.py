"""The parameter grid: row-major points over sorted dimension names, strided
shards, and a random stream per point that depends only on the run seed and
the point's full parameter set (so never on sharding)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.params import ParamValue, defaults, parameters

Dimensions = Mapping[str, Sequence[ParamValue]]


@dataclass(frozen=True)
class Point:
    """One grid point: its row-major index and its full parameter set."""

    index: int
    params: Mapping[str, ParamValue]


def grid_size(dimensions: Dimensions) -> int:
    """Number of points: the product of the dimensions' lengths."""
    return math.prod(len(values) for values in dimensions.values())


def point_at(dimensions: Dimensions, index: int) -> Point:
    """The point with this row-major index over the sorted dimension names."""
    size = grid_size(dimensions)
    if not 0 <= index < size:
        raise IndexError(f"point index {index} outside the grid of {size} points")
    params = defaults()
    remainder = index
    for name in reversed(sorted(dimensions)):
        values = dimensions[name]
        remainder, position = divmod(remainder, len(values))
        params[name] = values[position]
    catalogue = parameters()
    typed = {name: catalogue[name].python_type(value) for name, value in params.items()}
    return Point(index=index, params=typed)


def shard_point_indices(point_count: int, shard_count: int, shard_id: int) -> range:
    """Shard ``shard_id`` owns the points with ``index % shard_count == shard_id``."""
    if not 0 <= shard_id < shard_count:
        raise ValueError(f"shard_id {shard_id} outside 0..{shard_count - 1} (shard_count {shard_count})")
    return range(shard_id, point_count, shard_count)


def shard_points(dimensions: Dimensions, shard_count: int, shard_id: int) -> Iterator[Point]:
    """The points of one shard, in index order."""
    for index in shard_point_indices(grid_size(dimensions), shard_count, shard_id):
        yield point_at(dimensions, index)


def point_seed(run_seed: int, params: Mapping[str, ParamValue]) -> np.random.SeedSequence:
    """The point's random stream: run seed plus a stable hash of its parameters."""
    canonical = json.dumps(dict(sorted(params.items())), separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    words = np.frombuffer(digest, dtype="<u4").tolist()
    return np.random.SeedSequence(entropy=[run_seed, *words])
