"""A batch of points simulated together, minute by minute, as flat numpy arrays.

Drivers of all points live in one flat array (point-major); per-point values are
arrays indexed by point. Each minute runs, in this order (ridehail's order):
idle drivers cruise one block; supply adjusts (on equilibration minutes); new
requests arrive; open requests are dispatched; requests still unmatched after
patience_min minutes are abandoned; drivers are counted by phase.

A matched trip's timeline is known at dispatch: pickup = minute + max(pickup
distance, 1) (a driver at the rider's corner still needs a minute to board),
dropoff = pickup + trip distance. So busy drivers are not stepped block by block:
they reappear, idle, at the trip's destination at dropoff. Only idle drivers move.
A rider whose driver cannot arrive within patience abandons at the deadline, and
the driver is idle from then on wherever the drive towards the pickup got to.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.market.constants import CHUNK_MINUTES, STEP_XY, TIE_BREAK_STRIDE, TURN_BY_CODE, TURN_CODES
from sim.market.dispatch import IdleDrivers, Requests, match_nearest
from sim.market.geometry import along_path
from sim.market.requests import RequestTable, draw_requests
from sim.market.spec import PointSpec
from sim.market.streams import PointStreams
from sim.market.supply import ranked_below, supply_change

_NEVER = np.iinfo(np.int32).max
# Rows of the open-request matrix: request id, point, origin x, origin y, and the
# minute by which the rider must be picked up.
_ID, _POINT, _X, _Y, _DEADLINE = range(5)


def _per_point(specs: Sequence[PointSpec], name: str, dtype: type) -> np.ndarray:
    return np.array([getattr(spec, name) for spec in specs], dtype=dtype)


class Batch:
    """State of every point of a batch; ``run()`` simulates them all."""

    def __init__(self, specs: Sequence[PointSpec], streams: Sequence[PointStreams]) -> None:
        self.specs = list(specs)
        self.streams = list(streams)
        self.point_count = count = len(self.specs)
        self.horizon = _per_point(specs, "horizon_min", np.int64)
        self.end = int(self.horizon.max())
        self.city_size = _per_point(specs, "city_size", np.int32)
        self.pool = _per_point(specs, "pool", np.int64)
        self.patience = _per_point(specs, "patience_min", np.int64)
        self.interval = _per_point(specs, "equilibration_interval_min", np.int64)
        self.equilibrating = _per_point(specs, "equilibrate", bool)
        self.wage = _per_point(specs, "reservation_wage", np.float64)
        self.busy_hour_payout = np.array([spec.busy_hour_payout for spec in specs], dtype=np.float64)
        self.offset = np.cumsum(self.pool) - self.pool
        drivers = int(self.pool.sum())

        self.driver_point = np.repeat(np.arange(count), self.pool)
        self.driver_local = (np.arange(drivers) - self.offset[self.driver_point]).astype(np.int32)
        self.driver_size = self.city_size[self.driver_point]
        self.xy = np.empty((2, drivers), dtype=np.int32)
        self.heading = np.empty(drivers, dtype=np.int8)
        for point, (spec, stream) in enumerate(zip(self.specs, self.streams, strict=True)):
            part = slice(self.offset[point], self.offset[point] + spec.pool)
            self.xy[:, part] = stream.init.integers(0, spec.city_size, size=(2, spec.pool))
            self.heading[part] = stream.init.integers(0, 4, size=spec.pool)
        # A driver is P2 before pickup_at, P3 from pickup_at, idle (P1) from free_at.
        self.pickup_at = np.full(drivers, -1, dtype=np.int32)
        self.free_at = np.full(drivers, -1, dtype=np.int32)
        self.online_count = np.array([spec.initial_online() for spec in specs], dtype=np.int64)
        self.online = self.driver_local < self.online_count[self.driver_point]
        self.idle_online = self.online.copy()

        expected = sum(spec.requests_per_min * spec.horizon_min for spec in specs)
        self.requests = RequestTable(capacity=max(1024, int(expected)))
        self.open = np.zeros((5, 0), dtype=np.int64)
        self.arrivals = np.zeros((5, 0), dtype=np.int64)
        self.arrival_bounds = np.zeros(CHUNK_MINUTES + 1, dtype=np.int64)
        self.turns = np.zeros((min(CHUNK_MINUTES, self.end), drivers), dtype=np.uint8)
        self.chunk_start = 0

        shape = (self.end, count)
        self.online_hist = np.zeros(shape, dtype=np.int32)
        self.p1_hist = np.zeros(shape, dtype=np.int32)
        self.p2_hist = np.zeros(shape, dtype=np.int32)
        self.p3_hist = np.zeros(shape, dtype=np.int32)
        # Running sums of online and P3 driver-minutes, and their values at each
        # point's last supply adjustment (the adjustment looks at one interval).
        self.online_minutes = np.zeros(count, dtype=np.int64)
        self.busy_minutes = np.zeros(count, dtype=np.int64)
        self.online_minutes_seen = np.zeros(count, dtype=np.int64)
        self.busy_minutes_seen = np.zeros(count, dtype=np.int64)
        self.horizons = set(self.horizon.tolist())
        self.adjustment_minutes = {
            minute
            for spec in self.specs
            if spec.equilibrate
            for minute in range(spec.equilibration_interval_min, spec.horizon_min, spec.equilibration_interval_min)
        }

    def run(self) -> None:
        for minute in range(self.end):
            self.step(minute)

    def step(self, minute: int) -> None:
        """Simulate one minute of every point."""
        if minute % CHUNK_MINUTES == 0:
            self._draw_chunk(minute)
        if minute in self.horizons:
            self._close_points(minute)
        self._cruise(minute)
        self._adjust_supply(minute)
        self._arrive(minute)
        self._dispatch(minute)
        self._abandon(minute)
        self._record(minute)

    def _draw_chunk(self, start: int) -> None:
        """Draw the next CHUNK_MINUTES of cruising turns and requests, point by point."""
        self.chunk_start = start
        parts = []
        for point, (spec, stream) in enumerate(zip(self.specs, self.streams, strict=True)):
            minutes = min(CHUNK_MINUTES, spec.horizon_min - start)
            if minutes <= 0:
                continue
            part = slice(self.offset[point], self.offset[point] + spec.pool)
            self.turns[:minutes, part] = stream.moves.integers(0, TURN_CODES, size=(minutes, spec.pool), dtype=np.uint8)
            rows = draw_requests(spec, stream, start, minutes)
            rows["point"] = np.full(rows["minute"].size, point, dtype=np.int32)
            parts.append(rows)
        rows = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
        order = np.argsort(rows["minute"], kind="stable")
        rows = {name: column[order] for name, column in rows.items()}
        ids = self.requests.append(rows)
        self.arrivals = np.stack(
            [
                np.arange(ids.start, ids.stop),
                rows["point"],
                rows["origin_x"],
                rows["origin_y"],
                rows["minute"] + self.patience[rows["point"]],
            ]
        )
        edges = np.arange(start, start + CHUNK_MINUTES + 1)
        self.arrival_bounds = np.searchsorted(rows["minute"], edges, side="left")

    def _close_points(self, minute: int) -> None:
        """Points whose horizon is reached stop dispatching: their open requests stay open."""
        self.open = self.open[:, self.horizon[self.open[_POINT]] > minute]

    def _cruise(self, minute: int) -> None:
        moving = np.flatnonzero(self.idle_online)  # idle and online at the end of the last minute
        heading = (self.heading[moving] + TURN_BY_CODE[self.turns[minute - self.chunk_start, moving]]) & 3
        self.heading[moving] = heading
        self.xy[:, moving] = (self.xy[:, moving] + STEP_XY[:, heading]) % self.driver_size[moving]

    def _adjust_supply(self, minute: int) -> None:
        """Every interval, join the offline drivers with the lowest ids or retire the
        idle drivers with the highest ids (see supply.supply_change)."""
        if minute not in self.adjustment_minutes:
            return
        due = self.equilibrating & (minute % self.interval == 0) & (minute < self.horizon)
        change = supply_change(
            self.online_count,
            self.online_minutes - self.online_minutes_seen,
            self.busy_minutes - self.busy_minutes_seen,
            self.busy_hour_payout,
            self.wage,
            self.pool,
        )
        change = np.where(due, change, 0)
        self.online_minutes_seen = np.where(due, self.online_minutes, self.online_minutes_seen)
        self.busy_minutes_seen = np.where(due, self.busy_minutes, self.busy_minutes_seen)
        want = change[self.driver_point]
        where = (self.offset, self.pool, self.driver_point)
        leave = ranked_below(self.online & (self.free_at <= minute) & (want < 0), -want, *where, highest=True)
        join = ranked_below(~self.online & (want > 0), want, *where, highest=False)
        self.online[leave] = False
        self.online[join] = True
        # Only idle drivers leave: fewer may go than the change asked for.
        self.online_count += np.add.reduceat(join.astype(np.int64) - leave, self.offset)

    def _arrive(self, minute: int) -> None:
        index = minute - self.chunk_start
        first, last = self.arrival_bounds[index], self.arrival_bounds[index + 1]
        if last > first:
            self.open = np.concatenate([self.open, self.arrivals[:, first:last]], axis=1)

    def _dispatch(self, minute: int) -> None:
        if self.open.shape[1] == 0:
            return
        idle = np.flatnonzero(self.online & (self.free_at <= minute))  # includes this minute's dropoffs
        if idle.size == 0:
            return
        drivers = IdleDrivers(
            point=self.driver_point[idle],
            xy=self.xy[:, idle],
            # Ties go round the idle drivers, so no driver is always first.
            rotation=(minute * TIE_BREAK_STRIDE) % self.pool,
        )
        pending = Requests(point=self.open[_POINT], xy=self.open[_X : _Y + 1])
        matches = match_nearest(pending, drivers, self.city_size, self.point_count)
        if matches.request.size:
            self._start_trips(minute, self.open[:, matches.request], idle[matches.driver], matches.distance)
            keep = np.ones(self.open.shape[1], dtype=bool)
            keep[matches.request] = False
            self.open = self.open[:, keep]

    def _start_trips(self, minute: int, matched: np.ndarray, driver: np.ndarray, distance: np.ndarray) -> None:
        table = self.requests
        ids, deadline = matched[_ID], matched[_DEADLINE]
        pickup = minute + np.maximum(distance, 1)
        late = pickup > deadline
        dropoff = pickup + table["distance"][ids]
        table["driver"][ids] = driver
        table["matched"][ids] = minute
        table["pickup"][ids] = np.where(late, -1, pickup)
        table["dropoff"][ids] = np.where(late, -1, dropoff)
        table["abandoned"][ids] = np.where(late, deadline, -1)
        stop = along_path(self.xy[:, driver], matched[_X : _Y + 1], self.city_size[matched[_POINT]], deadline - minute)
        destination = np.stack([table["destination_x"][ids], table["destination_y"][ids]])
        self.pickup_at[driver] = np.where(late, _NEVER, pickup)
        self.free_at[driver] = np.where(late, deadline, dropoff)
        self.xy[:, driver] = np.where(late, stop, destination)

    def _abandon(self, minute: int) -> None:
        if self.open.shape[1] == 0:
            return
        gone = self.open[_DEADLINE] <= minute
        if gone.any():
            self.requests["abandoned"][self.open[_ID, gone]] = minute
            self.open = self.open[:, ~gone]

    def _record(self, minute: int) -> None:
        """Count online drivers by phase; drivers are point-major, so per-point counts are segment sums."""
        idle = self.free_at <= minute
        carrying = self.pickup_at <= minute
        self.idle_online = idle & self.online
        p3 = np.add.reduceat(~idle & carrying, self.offset, dtype=np.int64)
        self.p1_hist[minute] = np.add.reduceat(self.idle_online, self.offset, dtype=np.int64)
        self.p2_hist[minute] = np.add.reduceat(~(idle | carrying), self.offset, dtype=np.int64)
        self.p3_hist[minute] = p3
        self.online_hist[minute] = self.online_count
        self.online_minutes += self.online_count
        self.busy_minutes += p3
