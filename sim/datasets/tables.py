"""Assemble Arrow tables for a shard from simulated points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from sim.datasets.schemas import (
    KEY_FIELDS,
    SHARD_METRICS,
    SHARD_OUTCOMES,
    SNAPSHOT_COUNTS,
    TRIP_DATA,
    TRIP_STATUSES,
)
from sim.grid import WorkUnit
from sim.market import PointResult

_KEY = tuple(f.name for f in KEY_FIELDS)
# As Python strings: pyarrow converts an object array of them 5x faster than numpy's fixed-width
# unicode, and without importing pyarrow.compute (0.1-0.25 s a process) as a dictionary cast would.
_STATUS_NAMES = np.array(TRIP_STATUSES, dtype=object)


def _column(values: np.ndarray, field: pa.Field) -> pa.Array:
    """Convert one engine column; the engine marks nulls as -1 (integers) or NaN (floats),
    and a trip's status by its index in TRIP_STATUSES."""
    if field.name == "status":
        return pa.array(_STATUS_NAMES[values], type=field.type)
    mask = None
    if field.nullable and values.dtype.kind in "iu":
        mask = values < 0
    elif field.nullable and values.dtype.kind == "f":
        mask = np.isnan(values)
    return pa.array(values, type=field.type, mask=mask)


def _table(schema: pa.Schema, parts: Sequence[Mapping[str, np.ndarray]], units: Sequence[WorkUnit]) -> pa.Table:
    """One table of every unit's rows, in unit order: each column converted once for the chunk
    (Arrow's conversion costs about as much per call as per thousand rows)."""
    lengths = [len(next(iter(part.values()))) for part in parts]
    keys = np.array([(u.point.index, u.replicate) for u in units], dtype=np.int32)  # KEY_FIELDS' order
    arrays = [pa.array(np.repeat(keys[:, k], lengths)) for k in range(len(_KEY))]
    arrays += [_column(np.concatenate([part[f.name] for part in parts]), f) for f in schema if f.name not in _KEY]
    return pa.Table.from_arrays(arrays, schema=schema)


def shard_tables(
    units: Sequence[WorkUnit], results: Sequence[PointResult], sim_wall_ms: Sequence[int]
) -> dict[str, pa.Table]:
    """The three data datasets of a chunk of a shard (at least one unit), rows in unit order."""
    metrics_rows = [
        {"point_index": u.point.index, "replicate": u.replicate, **u.point.params, **r.metrics, "sim_wall_ms": ms}
        for u, r, ms in zip(units, results, sim_wall_ms, strict=True)
    ]
    return {
        "shard_metrics": pa.Table.from_pylist(metrics_rows, schema=SHARD_METRICS),
        "trip_data": _table(TRIP_DATA, [r.trips for r in results], units),
        "snapshot_counts": _table(SNAPSHOT_COUNTS, [r.snapshots for r in results], units),
    }


def outcome_table(row: Mapping[str, Any]) -> pa.Table:
    """One shard_outcomes row as a table."""
    return pa.Table.from_pylist([dict(row)], schema=SHARD_OUTCOMES)
