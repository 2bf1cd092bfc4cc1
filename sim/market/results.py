"""Turn a simulated point into its PointResult (trip rows, snapshots, metrics)."""

from __future__ import annotations

import math

import numpy as np

from sim.datasets.schemas import TRIP_STATUSES
from sim.market.constants import MINUTES_PER_HOUR
from sim.market.spec import PointSpec
from sim.market.types import PointResult

_COMPLETED, _ABANDONED, _OPEN = (TRIP_STATUSES.index(s) for s in ("completed", "abandoned", "open_at_end"))
_STATUS = np.asarray(TRIP_STATUSES)
_NEVER = np.iinfo(np.int64).max
_REQUEST_ROWS = ("minute", "origin_x", "origin_y", "destination_x", "destination_y", "distance")
_OUTCOME_ROWS = ("driver", "matched", "pickup", "dropoff", "abandoned")
_HISTORY_ROWS = ("online", "p1", "p2", "p3")


def point_result(spec: PointSpec, requests: np.ndarray, outcome: np.ndarray, history: np.ndarray) -> PointResult:
    """The result of a simulated point from the kernel's arrays (see kernel.advance)."""
    rows = dict(zip(_REQUEST_ROWS, requests.astype(np.int64), strict=True))
    rows.update(zip(_OUTCOME_ROWS, outcome.astype(np.int64), strict=True))
    return _point_result(spec, rows, dict(zip(_HISTORY_ROWS, history, strict=True)))


def _point_result(spec: PointSpec, rows: dict[str, np.ndarray], history: dict[str, np.ndarray]) -> PointResult:
    horizon = spec.horizon_min
    completed = (rows["dropoff"] >= 0) & (rows["dropoff"] < horizon)
    # A late driver's rider abandons at request + patience, which may lie past the horizon.
    abandoned = (rows["abandoned"] >= 0) & (rows["abandoned"] < horizon)
    status = np.where(completed, _COMPLETED, np.where(abandoned, _ABANDONED, _OPEN))
    picked_up = (rows["pickup"] >= 0) & (rows["pickup"] < horizon)
    waited_until = np.where(picked_up, rows["pickup"], np.where(abandoned, rows["abandoned"], horizon))
    # Money depends on the trip distance only: one value per distance.
    fare = spec.base_fare + spec.per_block_fare * np.arange(int(rows["distance"].max(initial=0)) + 1, dtype=np.float64)
    commission = fare * spec.commission_rate
    payout = fare - commission
    money = {"fare": fare, "commission": commission, "driver_payout": payout}
    trips = _trip_columns(spec, rows, status, waited_until - rows["minute"], money)
    snapshots = _snapshots(spec, rows, history)
    metrics = _metrics(spec, rows, history, trips, money)
    return PointResult(trips=trips, snapshots=snapshots, metrics=metrics)


def _total(by_distance: np.ndarray, distances: np.ndarray) -> float:
    """Sum of by_distance[distances]: value x count per distance, added exactly
    (math.fsum), so the same on every machine."""
    return math.fsum(by_distance * np.bincount(distances, minlength=by_distance.size))


def _trip_columns(
    spec: PointSpec,
    rows: dict[str, np.ndarray],
    status: np.ndarray,
    wait: np.ndarray,
    money: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    reported = rows["minute"] >= spec.warmup_min
    done = status[reported] == _COMPLETED
    distance = rows["distance"][reported]

    def int32(values: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(values[reported], dtype=np.int32)

    def paid(by_distance: np.ndarray) -> np.ndarray:
        return np.where(done, by_distance[distance], np.nan)

    return {
        "request_id": np.flatnonzero(reported).astype(np.int32),
        "request_minute": int32(rows["minute"]),
        "origin_x": int32(rows["origin_x"]),
        "origin_y": int32(rows["origin_y"]),
        "destination_x": int32(rows["destination_x"]),
        "destination_y": int32(rows["destination_y"]),
        "driver_id": int32(rows["driver"]),
        "status": _STATUS[status[reported]],
        "wait_min": int32(wait),
        "trip_distance": int32(rows["distance"]),
        "trip_min": np.where(done, int32(rows["dropoff"] - rows["pickup"]), -1).astype(np.int32),
        **{name: paid(by_distance) for name, by_distance in money.items()},
    }


def _count_until(events: np.ndarray, minutes: np.ndarray, horizon: int) -> np.ndarray:
    """How many of the events (minutes >= 0) happened at or before each minute (< horizon)."""
    return np.cumsum(np.bincount(np.minimum(events, horizon), minlength=horizon + 1))[minutes]


def _snapshots(spec: PointSpec, rows: dict[str, np.ndarray], history: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    minutes = np.arange(0, spec.horizon_min, spec.snapshot_interval_min)
    wait_end = np.where(
        rows["pickup"] >= 0, rows["pickup"], np.where(rows["abandoned"] >= 0, rows["abandoned"], _NEVER)
    )
    dropoff = rows["dropoff"][rows["dropoff"] >= 0]
    abandoned = rows["abandoned"][rows["abandoned"] >= 0]
    horizon = spec.horizon_min
    waiting = _count_until(rows["minute"], minutes, horizon) - _count_until(wait_end, minutes, horizon)
    columns = {
        "minute": minutes,
        "drivers_online": history["online"][minutes],
        "p1": history["p1"][minutes],
        "p2": history["p2"][minutes],
        "p3": history["p3"][minutes],
        "riders_waiting": waiting,
        "completed_cum": _count_until(dropoff, minutes, horizon),
        "abandoned_cum": _count_until(abandoned, minutes, horizon),
    }
    return {name: np.asarray(values, dtype=np.int32) for name, values in columns.items()}


def _metrics(
    spec: PointSpec,
    rows: dict[str, np.ndarray],
    history: dict[str, np.ndarray],
    trips: dict[str, np.ndarray],
    money: dict[str, np.ndarray],
) -> dict[str, float | int | None]:
    window = slice(spec.warmup_min, spec.horizon_min)
    online_minutes = int(history["online"][window].sum())
    busy_minutes = int(history["p3"][window].sum())
    status = trips["status"]
    requests = int(status.size)
    completed = status == "completed"
    waits = trips["wait_min"][completed].astype(np.float64)
    # Flow metrics use the trips dropped off inside the window (whenever requested),
    # so they do not suffer from the trip rows' censoring at the horizon.
    in_window = (rows["dropoff"] >= spec.warmup_min) & (rows["dropoff"] < spec.horizon_min)
    distance_done = int(rows["distance"][in_window].sum())
    return {
        "requests": requests,
        "trips_completed": int(completed.sum()),
        "trips_abandoned": int((status == "abandoned").sum()),
        "match_rate": float((trips["driver_id"] >= 0).sum() / requests) if requests else 0.0,
        "wait_mean_min": float(waits.mean()) if waits.size else None,
        "wait_p50_min": float(np.percentile(waits, 50)) if waits.size else None,
        "wait_p95_min": float(np.percentile(waits, 95)) if waits.size else None,
        "p1_share": int(history["p1"][window].sum()) / online_minutes,
        "p2_share": int(history["p2"][window].sum()) / online_minutes,
        "p3_share": busy_minutes / online_minutes,
        "drivers_online_mean": online_minutes / (spec.horizon_min - spec.warmup_min),
        "gross_bookings": _total(money["fare"], trips["trip_distance"][completed]),
        "platform_revenue": _total(money["commission"], trips["trip_distance"][completed]),
        "driver_payout_total": _total(money["driver_payout"], trips["trip_distance"][completed]),
        "driver_earnings_per_online_hour": _total(money["driver_payout"], rows["distance"][in_window])
        * MINUTES_PER_HOUR
        / online_minutes,
        "littles_law_ratio": busy_minutes / distance_done if distance_done else None,
    }
