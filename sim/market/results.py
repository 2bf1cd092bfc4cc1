"""Turn a simulated point into its PointResult (trip rows, snapshots, metrics)."""

from __future__ import annotations

import math

import numpy as np

from sim.datasets.schemas import TRIP_STATUSES
from sim.market.constants import MINUTES_PER_HOUR
from sim.market.requests import DESTINATION_X, DESTINATION_Y, DISTANCE, MINUTE, ORIGIN_X, ORIGIN_Y
from sim.market.spec import PointSpec
from sim.market.types import PointResult

_COMPLETED, _ABANDONED, _OPEN = (TRIP_STATUSES.index(s) for s in ("completed", "abandoned", "open_at_end"))
_STATUS = np.asarray(TRIP_STATUSES)
# Rows of the kernel's outcome array (see kernel.advance).
_DRIVER, _MATCHED, _PICKUP, _DROPOFF, _ABANDONED_AT = range(5)
_ONLINE, _P1, _P2, _P3 = range(4)


def point_result(spec: PointSpec, requests: np.ndarray, outcome: np.ndarray, history: np.ndarray) -> PointResult:
    """The result of a simulated point from the kernel's int32 arrays (see kernel.advance).

    Requests are in request order, so the reported ones (made at or after warmup_min)
    are a slice: the trip columns are views of its rows where no computation is needed."""
    horizon = spec.horizon_min
    pickup, dropoff, abandoned_at = outcome[_PICKUP], outcome[_DROPOFF], outcome[_ABANDONED_AT]
    completed = (dropoff >= 0) & (dropoff < horizon)
    # A late driver's rider abandons at request + patience, which may lie past the horizon.
    abandoned = (abandoned_at >= 0) & (abandoned_at < horizon)
    status = np.where(completed, _COMPLETED, np.where(abandoned, _ABANDONED, _OPEN))
    picked_up = (pickup >= 0) & (pickup < horizon)
    wait = np.where(picked_up, pickup, np.where(abandoned, abandoned_at, horizon)) - requests[MINUTE]
    # Money depends on the trip distance only: one value per distance.
    fare = spec.base_fare + spec.per_block_fare * np.arange(
        int(requests[DISTANCE].max(initial=0)) + 1, dtype=np.float64
    )
    commission = fare * spec.commission_rate
    money = {"fare": fare, "commission": commission, "driver_payout": fare - commission}
    reported = slice(int(np.searchsorted(requests[MINUTE], spec.warmup_min)), None)
    done = completed[reported]
    distance = requests[DISTANCE, reported]
    trips = {
        "request_id": np.arange(reported.start, requests.shape[1], dtype=np.int32),
        "request_minute": requests[MINUTE, reported],
        "origin_x": requests[ORIGIN_X, reported],
        "origin_y": requests[ORIGIN_Y, reported],
        "destination_x": requests[DESTINATION_X, reported],
        "destination_y": requests[DESTINATION_Y, reported],
        "driver_id": outcome[_DRIVER, reported],
        "status": _STATUS[status[reported]],
        "wait_min": wait[reported].astype(np.int32),
        "trip_distance": distance,
        "trip_min": np.where(done, dropoff[reported] - pickup[reported], -1).astype(np.int32),
        **{name: np.where(done, by_distance[distance], np.nan) for name, by_distance in money.items()},
    }
    snapshots = _snapshots(spec, requests, outcome, history)
    metrics = _metrics(spec, requests, outcome, history, trips, status[reported], money)
    return PointResult(trips=trips, snapshots=snapshots, metrics=metrics)


def _total(by_distance: np.ndarray, distances: np.ndarray) -> float:
    """Sum of by_distance[distances]: value x count per distance, added exactly
    (math.fsum), so the same on every machine."""
    return math.fsum(by_distance * np.bincount(distances, minlength=by_distance.size))


def _count_until(events: np.ndarray, minutes: np.ndarray, horizon: int) -> np.ndarray:
    """How many of the events (minutes >= 0) happened at or before each minute (< horizon)."""
    return np.cumsum(np.bincount(np.minimum(events, horizon), minlength=horizon + 1))[minutes]


def _snapshots(
    spec: PointSpec, requests: np.ndarray, outcome: np.ndarray, history: np.ndarray
) -> dict[str, np.ndarray]:
    horizon = spec.horizon_min
    minutes = np.arange(0, horizon, spec.snapshot_interval_min)
    pickup, dropoff, abandoned = outcome[_PICKUP], outcome[_DROPOFF], outcome[_ABANDONED_AT]
    wait_end = np.where(pickup >= 0, pickup, np.where(abandoned >= 0, abandoned, horizon))
    waiting = _count_until(requests[MINUTE], minutes, horizon) - _count_until(wait_end, minutes, horizon)
    columns = {
        "minute": minutes,
        "drivers_online": history[_ONLINE, minutes],
        "p1": history[_P1, minutes],
        "p2": history[_P2, minutes],
        "p3": history[_P3, minutes],
        "riders_waiting": waiting,
        "completed_cum": _count_until(dropoff[dropoff >= 0], minutes, horizon),
        "abandoned_cum": _count_until(abandoned[abandoned >= 0], minutes, horizon),
    }
    return {name: np.asarray(values, dtype=np.int32) for name, values in columns.items()}


def _metrics(
    spec: PointSpec,
    requests: np.ndarray,
    outcome: np.ndarray,
    history: np.ndarray,
    trips: dict[str, np.ndarray],
    status: np.ndarray,
    money: dict[str, np.ndarray],
) -> dict[str, float | int | None]:
    window = slice(spec.warmup_min, spec.horizon_min)
    online_minutes = int(history[_ONLINE, window].sum())
    busy_minutes = int(history[_P3, window].sum())
    count = int(status.size)
    completed = status == _COMPLETED
    waits = trips["wait_min"][completed].astype(np.float64)
    p50, p95 = (float(v) for v in np.percentile(waits, [50, 95])) if waits.size else (None, None)
    # Flow metrics use the trips dropped off inside the window (whenever requested),
    # so they do not suffer from the trip rows' censoring at the horizon.
    dropoff = outcome[_DROPOFF]
    in_window = (dropoff >= spec.warmup_min) & (dropoff < spec.horizon_min)
    distance_done = int(requests[DISTANCE, in_window].sum())
    distance_completed = trips["trip_distance"][completed]
    return {
        "requests": count,
        "trips_completed": int(completed.sum()),
        "trips_abandoned": int((status == _ABANDONED).sum()),
        "match_rate": float((trips["driver_id"] >= 0).sum() / count) if count else 0.0,
        "wait_mean_min": float(waits.mean()) if waits.size else None,
        "wait_p50_min": p50,
        "wait_p95_min": p95,
        "p1_share": int(history[_P1, window].sum()) / online_minutes,
        "p2_share": int(history[_P2, window].sum()) / online_minutes,
        "p3_share": busy_minutes / online_minutes,
        "drivers_online_mean": online_minutes / (spec.horizon_min - spec.warmup_min),
        "gross_bookings": _total(money["fare"], distance_completed),
        "platform_revenue": _total(money["commission"], distance_completed),
        "driver_payout_total": _total(money["driver_payout"], distance_completed),
        "driver_earnings_per_online_hour": _total(money["driver_payout"], requests[DISTANCE, in_window])
        * MINUTES_PER_HOUR
        / online_minutes,
        "littles_law_ratio": busy_minutes / distance_done if distance_done else None,
    }
