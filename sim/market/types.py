"""What one simulated point produces."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PointResult:
    """Columns of trip_data and snapshot_counts (without point_index) and the
    point's summary metrics (the metric columns of shard_metrics except sim_wall_ms)."""

    trips: dict[str, np.ndarray]
    snapshots: dict[str, np.ndarray]
    metrics: dict[str, float | int | None]
