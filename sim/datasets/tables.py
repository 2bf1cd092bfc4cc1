"""Assemble Arrow tables for a shard from simulated points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from sim.datasets.schemas import KEY_FIELDS, SHARD_METRICS, SHARD_OUTCOMES, SNAPSHOT_COUNTS, TRIP_DATA
from sim.grid import WorkUnit
from sim.market import PointResult


def _column(values: np.ndarray, field: pa.Field) -> pa.Array:
    """Convert one engine column; the engine marks nulls as -1 (integers) or NaN (floats)."""
    mask = None
    if field.nullable and values.dtype.kind in "iu":
        mask = values < 0
    elif field.nullable and values.dtype.kind == "f":
        mask = np.isnan(values)
    return pa.array(values, type=field.type, mask=mask)


_KEY = tuple(f.name for f in KEY_FIELDS)


def _table(schema: pa.Schema, columns: Mapping[str, np.ndarray], unit: WorkUnit) -> pa.Table:
    length = len(next(iter(columns.values())))
    arrays = [pa.array(np.full(length, value, dtype=np.int32)) for value in (unit.point.index, unit.replicate)]
    arrays += [_column(np.asarray(columns[f.name]), f) for f in schema if f.name not in _KEY]
    return pa.Table.from_arrays(arrays, schema=schema)


def shard_tables(
    units: Sequence[WorkUnit], results: Sequence[PointResult], sim_wall_ms: Sequence[int]
) -> dict[str, pa.Table]:
    """The three data datasets of a shard, rows in unit order (point index, then replicate)."""
    metrics_rows = [
        {"point_index": u.point.index, "replicate": u.replicate, **u.point.params, **r.metrics, "sim_wall_ms": ms}
        for u, r, ms in zip(units, results, sim_wall_ms, strict=True)
    ]
    trips = [_table(TRIP_DATA, r.trips, u) for u, r in zip(units, results, strict=True)]
    snapshots = [_table(SNAPSHOT_COUNTS, r.snapshots, u) for u, r in zip(units, results, strict=True)]
    return {
        "shard_metrics": pa.Table.from_pylist(metrics_rows, schema=SHARD_METRICS),
        "trip_data": pa.concat_tables(trips) if trips else TRIP_DATA.empty_table(),
        "snapshot_counts": pa.concat_tables(snapshots) if snapshots else SNAPSHOT_COUNTS.empty_table(),
    }


def outcome_table(row: Mapping[str, Any]) -> pa.Table:
    """One shard_outcomes row as a table."""
    return pa.Table.from_pylist([dict(row)], schema=SHARD_OUTCOMES)
