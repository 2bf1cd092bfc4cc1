"""Turn a simulated point into its PointResult (trip rows, snapshots, metrics)."""

from __future__ import annotations

import math

import numpy as np

from sim.datasets.schemas import SNAPSHOT_COUNTS
from sim.market.compiled import kernels
from sim.market.constants import MINUTES_PER_HOUR
from sim.market.requests import DESTINATION_X, DESTINATION_Y, DISTANCE, MINUTE, ORIGIN_X, ORIGIN_Y
from sim.market.spec import PointSpec
from sim.market.types import PointResult

_DRIVER = 0  # row of the kernel's outcome array (see kernel.advance)
_MONEY = ("fare", "commission", "driver_payout")  # rows of kernel.tally's money arrays
# kernel.tally's snapshot rows: the snapshot_counts columns after the key.
_SNAPSHOTS = tuple(f.name for f in SNAPSHOT_COUNTS)[2:]
_COMPLETED, _ABANDONED, _MATCHED, _ONLINE, _P1, _P2, _P3 = range(7)  # kernel.tally's counts
_PERCENTILES = (50, 95)  # of the completed trips' waits


def point_result(spec: PointSpec, requests: np.ndarray, outcome: np.ndarray, history: np.ndarray) -> PointResult:
    """The result of a simulated point from the kernel's int32 arrays (see kernel.advance).

    Requests are in request order, so the reported ones (made at or after warmup_min)
    are a slice: the trip columns are views of its rows where no computation is needed."""
    first = int(np.searchsorted(requests[MINUTE], spec.warmup_min))
    # Money depends on the trip distance only (at most the torus's diameter): one value per distance.
    fare = spec.base_fare + spec.per_block_fare * np.arange(2 * (spec.city_size // 2) + 1, dtype=np.float64)
    commission = fare * spec.commission_rate
    money = np.stack((fare, commission, fare - commission))
    status, wait, trip_min, trip_money, snapshots, completed_by_distance, window_by_distance, by_wait, counts = (
        kernels().tally(
            requests, outcome, history, money, spec.horizon_min, spec.warmup_min, first, spec.snapshot_interval_min
        )
    )
    trips = {
        "request_id": np.arange(first, requests.shape[1], dtype=np.int32),
        "request_minute": requests[MINUTE, first:],
        "origin_x": requests[ORIGIN_X, first:],
        "origin_y": requests[ORIGIN_Y, first:],
        "destination_x": requests[DESTINATION_X, first:],
        "destination_y": requests[DESTINATION_Y, first:],
        "driver_id": outcome[_DRIVER, first:],
        "status": status,
        "wait_min": wait,
        "trip_distance": requests[DISTANCE, first:],
        "trip_min": trip_min,
        **dict(zip(_MONEY, trip_money, strict=True)),
    }
    metrics = _metrics(spec, status.size, counts, money, completed_by_distance, window_by_distance, by_wait)
    return PointResult(trips=trips, snapshots=dict(zip(_SNAPSHOTS, snapshots, strict=True)), metrics=metrics)


def _total(by_distance: np.ndarray, counts: np.ndarray) -> float:
    """Sum of the trips' values: value x count per distance, added exactly (math.fsum),
    so the same on every machine."""
    return math.fsum(by_distance * counts)


def _metrics(
    spec: PointSpec,
    count: int,
    counts: np.ndarray,
    money: np.ndarray,
    completed_by_distance: np.ndarray,
    window_by_distance: np.ndarray,
    by_wait: np.ndarray,
) -> dict[str, float | int | None]:
    completed = int(counts[_COMPLETED])
    online_minutes, busy_minutes = int(counts[_ONLINE]), int(counts[_P3])
    waits = np.repeat(np.arange(by_wait.size, dtype=np.float64), by_wait)  # the completed waits, sorted
    p50, p95 = (float(v) for v in np.percentile(waits, _PERCENTILES)) if completed else (None, None)
    # Waits are whole minutes: their float sum is exact in any order, as numpy's mean adds them.
    wait_total = float(by_wait @ np.arange(by_wait.size))
    fare, commission, payout = money
    # Flow metrics use the trips dropped off inside the window (whenever requested),
    # so they do not suffer from the trip rows' censoring at the horizon.
    distance_done = int(window_by_distance @ np.arange(window_by_distance.size))
    return {
        "requests": count,
        "trips_completed": completed,
        "trips_abandoned": int(counts[_ABANDONED]),
        "match_rate": int(counts[_MATCHED]) / count if count else 0.0,
        "wait_mean_min": wait_total / completed if completed else None,
        "wait_p50_min": p50,
        "wait_p95_min": p95,
        "p1_share": int(counts[_P1]) / online_minutes,
        "p2_share": int(counts[_P2]) / online_minutes,
        "p3_share": busy_minutes / online_minutes,
        "drivers_online_mean": online_minutes / (spec.horizon_min - spec.warmup_min),
        "gross_bookings": _total(fare, completed_by_distance),
        "platform_revenue": _total(commission, completed_by_distance),
        "driver_payout_total": _total(payout, completed_by_distance),
        "driver_earnings_per_online_hour": _total(payout, window_by_distance) * MINUTES_PER_HOUR / online_minutes,
        "littles_law_ratio": busy_minutes / distance_done if distance_done else None,
    }
