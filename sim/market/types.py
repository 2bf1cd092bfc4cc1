"""What one simulated point produces."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PointResult:
    """Columns of trip_data and snapshot_counts (without point_index) and the
    point's summary metrics (the metric columns of shard_metrics except sim_wall_ms).

    trips: one row per request made at or after warmup_min, in request order.
    int32 columns, except ``status`` (int8, the status's index in TRIP_STATUSES: the
    tables spell it out) and the float64 money columns. Nullable columns use sentinels: ``driver_id`` and ``trip_min``
    are -1 where null, ``fare``, ``commission`` and ``driver_payout`` are NaN where
    null (every status but ``completed``). snapshots: int32 columns. metrics: plain
    Python int/float, None where undefined (e.g. wait statistics without a
    completed trip)."""

    trips: dict[str, np.ndarray]
    snapshots: dict[str, np.ndarray]
    metrics: dict[str, float | int | None]
