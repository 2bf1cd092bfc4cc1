"""The parameter grid: row-major points over sorted dimension names, work units
(point, replicate), strided shards of work units, and the random streams of each
unit, which depend only on the run seed, the replicate and (without common random
numbers) the point's full parameter set, so never on sharding or the rest of the grid.

Work unit ``u`` is replicate ``u % replications`` of point ``u // replications``: a
point's replicates are adjacent, so strided shards spread them (and an expensive
corner of the grid) over different shards. Shards own units, not whole points, so a
request may have more shards than points (docs/replications.md says why)."""

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


@dataclass(frozen=True)
class WorkUnit:
    """One simulation: replicate ``replicate`` (0-based) of ``point``."""

    point: Point
    replicate: int


def unit_count(dimensions: Dimensions, replications: int) -> int:
    """Number of work units: grid points x replications."""
    return grid_size(dimensions) * replications


def shard_unit_indices(unit_total: int, shard_count: int, shard_id: int) -> range:
    """Shard ``shard_id`` owns the work units with ``index % shard_count == shard_id``."""
    if not 0 <= shard_id < shard_count:
        raise ValueError(f"shard_id {shard_id} outside 0..{shard_count - 1} (shard_count {shard_count})")
    return range(shard_id, unit_total, shard_count)


def shard_units(dimensions: Dimensions, replications: int, shard_count: int, shard_id: int) -> Iterator[WorkUnit]:
    """The work units of one shard, in unit order (point index, then replicate)."""
    for index in shard_unit_indices(unit_count(dimensions, replications), shard_count, shard_id):
        point_index, replicate = divmod(index, replications)
        yield WorkUnit(point_at(dimensions, point_index), replicate)


def point_seed(run_seed: int, params: Mapping[str, ParamValue]) -> np.random.SeedSequence:
    """The point's random stream: run seed plus a stable hash of its parameters."""
    canonical = json.dumps(dict(sorted(params.items())), separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return np.random.SeedSequence(entropy=_words(run_seed, *np.frombuffer(digest, dtype="<u4")))


def _words(*values: int) -> np.ndarray:
    """Entropy as uint32 words: hashed as the same list of ints would be (each below 2**32), but the
    engine derives its four child sequences from it in half the time (numpy converts a list of
    Python ints word by word, for every child)."""
    return np.array(values, dtype=np.uint32)


REPLICATE_SPAWN_KEY = 0xFFFF_FFFF
"""Replicates r >= 1 of a point are its SeedSequence's children ``(REPLICATE_SPAWN_KEY, r)``: a key
space of their own, so they never equal a child stream the engine derives from replicate 0's
sequence (its keys are small) whether it draws from a sequence directly or from its children."""


def unit_seed(
    run_seed: int, params: Mapping[str, ParamValue], replicate: int, common_random_numbers: bool
) -> np.random.SeedSequence:
    """The work unit's random streams (the engine derives one child stream per purpose from it).

    Without common random numbers: the point's stream, and for replicate r >= 1 its child
    ``(REPLICATE_SPAWN_KEY, r)``, so replicate 0 reproduces the results of runs made before
    replications existed. With common
    random numbers: derived from the run seed and the replicate only, so every point of replicate
    r receives the same streams; the engine draws requests and the initial placement of the driver
    pool from streams whose use does not depend on the policy parameters, so points that differ
    only in those see identical demand and initial supply (tests/unit/test_replications.py)."""
    if common_random_numbers:
        return np.random.SeedSequence(entropy=_words(run_seed), spawn_key=(replicate,))
    seed = point_seed(run_seed, params)
    if replicate == 0:
        return seed
    return np.random.SeedSequence(entropy=seed.entropy, spawn_key=(REPLICATE_SPAWN_KEY, replicate))
