"""Turn a simulated point into its PointResult (trip rows, snapshots, metrics)."""

from __future__ import annotations

import math

import numpy as np

from sim.datasets.schemas import TRIP_STATUSES
from sim.market.compiled import kernels
from sim.market.constants import MINUTES_PER_HOUR
from sim.market.requests import DESTINATION_X, DESTINATION_Y, DISTANCE, MINUTE, ORIGIN_X, ORIGIN_Y
from sim.market.spec import PointSpec
from sim.market.types import PointResult

_COMPLETED, _ABANDONED = (TRIP_STATUSES.index(s) for s in ("completed", "abandoned"))
_DRIVER = 0  # row of the kernel's outcome array (see kernel.advance)
_ONLINE, _P1, _P2, _P3 = range(4)
_REQUESTED, _WAIT_ENDED, _DROPPED_OFF, _ABANDONED_AT = range(4)


def point_result(spec: PointSpec, requests: np.ndarray, outcome: np.ndarray, history: np.ndarray) -> PointResult:
    """The result of a simulated point from the kernel's int32 arrays (see kernel.advance).

    Requests are in request order, so the reported ones (made at or after warmup_min)
    are a slice: the trip columns are views of its rows where no computation is needed."""
    first = int(np.searchsorted(requests[MINUTE], spec.warmup_min))
    longest = int(requests[DISTANCE].max(initial=0))
    status, wait, trip_min, events, completed_by_distance, window_by_distance = kernels().tally(
        requests, outcome, spec.horizon_min, spec.warmup_min, first, longest
    )
    # Money depends on the trip distance only: one value per distance.
    fare = spec.base_fare + spec.per_block_fare * np.arange(longest + 1, dtype=np.float64)
    commission = fare * spec.commission_rate
    money = {"fare": fare, "commission": commission, "driver_payout": fare - commission}
    done = status == _COMPLETED
    distance = requests[DISTANCE, first:]
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
        "trip_distance": distance,
        "trip_min": trip_min,
        **{name: np.where(done, by_distance[distance], np.nan) for name, by_distance in money.items()},
    }
    snapshots = _snapshots(spec, events, history)
    metrics = _metrics(spec, history, trips, status, money, completed_by_distance, window_by_distance)
    return PointResult(trips=trips, snapshots=snapshots, metrics=metrics)


def _total(by_distance: np.ndarray, counts: np.ndarray) -> float:
    """Sum of the trips' values: value x count per distance, added exactly (math.fsum),
    so the same on every machine."""
    return math.fsum(by_distance * counts)


def _snapshots(spec: PointSpec, events: np.ndarray, history: np.ndarray) -> dict[str, np.ndarray]:
    minutes = np.arange(0, spec.horizon_min, spec.snapshot_interval_min)
    until = np.cumsum(events, axis=1)[:, minutes]  # events at or before each snapshot minute
    columns = {
        "minute": minutes,
        "drivers_online": history[_ONLINE, minutes],
        "p1": history[_P1, minutes],
        "p2": history[_P2, minutes],
        "p3": history[_P3, minutes],
        "riders_waiting": until[_REQUESTED] - until[_WAIT_ENDED],
        "completed_cum": until[_DROPPED_OFF],
        "abandoned_cum": until[_ABANDONED_AT],
    }
    return {name: np.asarray(values, dtype=np.int32) for name, values in columns.items()}


def _metrics(
    spec: PointSpec,
    history: np.ndarray,
    trips: dict[str, np.ndarray],
    status: np.ndarray,
    money: dict[str, np.ndarray],
    completed_by_distance: np.ndarray,
    window_by_distance: np.ndarray,
) -> dict[str, float | int | None]:
    window = slice(spec.warmup_min, spec.horizon_min)
    shares = history[:, window].sum(axis=1)
    online_minutes, busy_minutes = int(shares[_ONLINE]), int(shares[_P3])
    count = int(status.size)
    completed = status == _COMPLETED
    waits = trips["wait_min"][completed].astype(np.float64)
    p50, p95 = (float(v) for v in np.percentile(waits, [50, 95])) if waits.size else (None, None)
    # Flow metrics use the trips dropped off inside the window (whenever requested),
    # so they do not suffer from the trip rows' censoring at the horizon.
    distance_done = int(window_by_distance @ np.arange(window_by_distance.size))
    return {
        "requests": count,
        "trips_completed": int(completed.sum()),
        "trips_abandoned": int((status == _ABANDONED).sum()),
        "match_rate": float((trips["driver_id"] >= 0).sum() / count) if count else 0.0,
        "wait_mean_min": float(waits.mean()) if waits.size else None,
        "wait_p50_min": p50,
        "wait_p95_min": p95,
        "p1_share": int(shares[_P1]) / online_minutes,
        "p2_share": int(shares[_P2]) / online_minutes,
        "p3_share": busy_minutes / online_minutes,
        "drivers_online_mean": online_minutes / (spec.horizon_min - spec.warmup_min),
        "gross_bookings": _total(money["fare"], completed_by_distance),
        "platform_revenue": _total(money["commission"], completed_by_distance),
        "driver_payout_total": _total(money["driver_payout"], completed_by_distance),
        "driver_earnings_per_online_hour": _total(money["driver_payout"], window_by_distance)
        * MINUTES_PER_HOUR
        / online_minutes,
        "littles_law_ratio": busy_minutes / distance_done if distance_done else None,
    }
