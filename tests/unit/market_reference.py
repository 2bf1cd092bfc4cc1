"""A plain-Python reading of the market's minute (both dispatch rules), for the kernel's
equality tests. It takes the same random inputs as the engine (the point's streams, drawn
in the engine's chunks) and reads each rule as docs/simulation.md states it, one request
and one driver at a time, with lists and dicts."""

from __future__ import annotations

import math

import numpy as np

from sim.market.constants import (
    DISPATCH_KEYS,
    DISPATCH_WAVE,
    MAX_STEP_SHARE,
    STEP_X,
    STEP_Y,
    SUPPLY_DAMPING,
    TIE_BREAK_STRIDE,
    TURN_BY_CODE,
    TURN_CHUNK,
)
from sim.market.requests import draw_requests
from sim.market.results import point_result
from sim.market.spec import PointSpec
from sim.market.streams import PointStreams
from sim.market.types import PointResult

NEVER = np.iinfo(np.int32).max
MASK = (1 << 64) - 1


def distance(ax: int, ay: int, bx: int, by: int, size: int) -> int:
    dx, dy = abs(ax - bx), abs(ay - by)
    return min(dx, size - dx) + min(dy, size - dy)


def toward(start: int, goal: int, size: int, blocks: int) -> tuple[int, int]:
    ahead = (goal - start) % size
    forward = ahead <= size // 2
    moved = min(blocks, ahead if forward else size - ahead)
    return (start + (moved if forward else -moved)) % size, blocks - moved


def supply_change(online: int, online_minutes: int, busy_minutes: int, payout: float, wage: float, pool: int) -> int:
    earnings = payout * busy_minutes / max(online_minutes, 1)
    gap = earnings / wage - 1.0 if wage > 0 else math.inf
    cap = max(1.0, float(round(MAX_STEP_SHARE * online)))
    step = min(max(float(round(SUPPLY_DAMPING * online * min(gap, 1.0e9))), -cap), cap)
    return min(max(online + int(step), 1), pool) - online


def splitmix64(state: int, number: int) -> int:
    """Output ``number`` (1, 2, ...) of splitmix64 seeded with ``state``."""
    z = (state + number * 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class Keys:
    """ridehail's dispatch draws: a word per (key, minute, request), from two keys that
    are the dispatch stream's first two words."""

    def __init__(self, streams: PointStreams) -> None:
        self.order, self.tie = (int(word) for word in streams.dispatch.bit_generator.random_raw(DISPATCH_KEYS))

    @staticmethod
    def word(key: int, minute: int, request: int) -> int:
        return splitmix64(splitmix64(key, minute + 1), request + 1)

    def rank(self, minute: int, request: int) -> int:
        return self.word(self.order, minute, request)

    def tie_break(self, minute: int, request: int, n: int) -> int:
        return int(float(self.word(self.tie, minute, request) >> 11) * 2.0**-53 * n)


class Point:
    """One point's state, simulated minute by minute in plain Python."""

    def __init__(self, spec: PointSpec, streams: PointStreams) -> None:
        self.spec, self.streams, self.keys = spec, streams, Keys(streams)
        self.requests = draw_requests(spec, streams).tolist()
        total = len(self.requests[0])
        self.outcome = [[-1] * total for _ in range(5)]  # driver, matched, pickup, dropoff, abandoned
        pool = spec.pool
        placed = streams.placement.integers(0, spec.city_size, size=(2, pool))
        self.x, self.y = placed[0].tolist(), placed[1].tolist()
        self.heading = streams.placement.integers(0, 4, size=pool).tolist()
        self.pickup_at, self.free_at = [-1] * pool, [-1] * pool
        self.online = [driver < spec.initial_online() for driver in range(pool)]
        self.moving = list(self.online)
        self.open: list[int] = []
        self.next_request = 0
        self.history = [[0] * spec.horizon_min for _ in range(4)]
        self.online_minutes = self.busy_minutes = self.online_seen = self.busy_seen = 0
        self.turns: list[int] = []
        self.turn_start = 0

    def run(self) -> PointResult:
        chunk = max(1, TURN_CHUNK // self.spec.pool)
        for minute in range(self.spec.horizon_min):
            if minute % chunk == 0:
                self._draw_turns(minute, min(chunk, self.spec.horizon_min - minute))
            self.step(minute)
        arrays = (np.array(self.requests), np.array(self.outcome), np.array(self.history, dtype=np.int32))
        return point_result(self.spec, *arrays)

    def _draw_turns(self, start: int, minutes: int) -> None:
        count = minutes * self.spec.pool
        packed = self.streams.moves.bit_generator.random_raw(-(-count // 16)).view(np.uint8).tolist()
        self.turns = [(packed[k // 2] >> (4 * (k % 2))) & 15 for k in range(count)]
        self.turn_start = start

    def step(self, minute: int) -> None:
        spec, pool = self.spec, self.spec.pool
        for driver in range(pool):  # 1. cruise
            if self.moving[driver]:
                code = self.turns[(minute - self.turn_start) * pool + driver]
                self.heading[driver] = heading = (self.heading[driver] + int(TURN_BY_CODE[code])) % 4
                self.x[driver] = (self.x[driver] + int(STEP_X[heading])) % spec.city_size
                self.y[driver] = (self.y[driver] + int(STEP_Y[heading])) % spec.city_size
        if spec.equilibrate and minute > 0 and minute % spec.equilibration_interval_min == 0:
            self._adjust_supply(minute)  # 2. supply
        while self.next_request < len(self.requests[0]) and self.requests[0][self.next_request] == minute:
            self.open.append(self.next_request)  # 3. arrivals
            self.next_request += 1
        idle = [d for d in range(pool) if self.online[d] and self.free_at[d] <= minute]
        if self.open and idle:  # 4. dispatch
            (self._dispatch_batch if spec.batch_dispatch else self._dispatch_ridehail)(minute, idle)
        for request in list(self.open):  # 5. abandonment
            if self.requests[0][request] + spec.patience_min <= minute:
                self.outcome[4][request] = minute
                self.open.remove(request)
        online = sum(self.online)  # 6. phase counts
        p1 = p2 = p3 = 0
        for driver in range(pool):
            is_idle, carrying = self.free_at[driver] <= minute, self.pickup_at[driver] <= minute
            self.moving[driver] = is_idle and self.online[driver]
            p1 += self.moving[driver]
            p2 += not is_idle and not carrying
            p3 += not is_idle and carrying
        for row, value in enumerate((online, p1, p2, p3)):
            self.history[row][minute] = value
        self.online_minutes += online
        self.busy_minutes += p3

    def _adjust_supply(self, minute: int) -> None:
        spec = self.spec
        want = supply_change(
            sum(self.online),
            self.online_minutes - self.online_seen,
            self.busy_minutes - self.busy_seen,
            spec.busy_hour_payout,
            spec.reservation_wage,
            spec.pool,
        )
        self.online_seen, self.busy_seen = self.online_minutes, self.busy_minutes
        if want > 0:
            for driver in [d for d in range(spec.pool) if not self.online[d]][:want]:
                self.online[driver] = True
        elif want < 0:
            idle = [d for d in range(spec.pool) if self.online[d] and self.free_at[d] <= minute]
            for driver in idle[::-1][:-want]:
                self.online[driver] = False

    def distance_to(self, driver: int, request: int) -> int:
        origin = self.requests[1][request], self.requests[2][request]
        return distance(self.x[driver], self.y[driver], *origin, self.spec.city_size)

    def _dispatch_ridehail(self, minute: int, idle: list[int]) -> None:
        """Open requests in the order of their random ranks this minute (equal ranks by id),
        each the nearest idle driver at distance >= 1, a random one (by id order) among
        equally near ones."""
        order = sorted(self.open, key=lambda request: (self.keys.rank(minute, request), request))
        available = list(idle)
        for request in order:
            if not available:
                break
            near = {driver: self.distance_to(driver, request) for driver in available}
            reachable = [d for d in available if near[d] >= 1]
            if not reachable:
                continue
            best = min(near[d] for d in reachable)
            ties = sorted(d for d in reachable if near[d] == best)
            driver = ties[self.keys.tie_break(minute, request, len(ties))] if len(ties) > 1 else ties[0]
            available.remove(driver)
            self.start_trip(minute, request, driver, best)
        self.open = [r for r in self.open if self.outcome[1][r] != minute]

    def _dispatch_batch(self, minute: int, idle: list[int]) -> None:
        """Waves of the oldest requests; rounds of proposals to the nearest free driver
        (ties: lowest slot of the rotated idle order); the oldest proposer wins."""
        rotation = (minute * TIE_BREAK_STRIDE) % self.spec.pool
        free = {(k - rotation) % len(idle): driver for k, driver in enumerate(idle)}
        queue = list(self.open)
        for start in range(0, len(queue), DISPATCH_WAVE):
            waiting = queue[start : start + DISPATCH_WAVE]
            while waiting and free:
                proposals: dict[int, tuple[int, int]] = {}
                for request in waiting:
                    slot = min(free, key=lambda s, r=request: (self.distance_to(free[s], r), s))
                    proposals.setdefault(slot, (request, self.distance_to(free[slot], request)))
                for slot, (request, blocks) in proposals.items():
                    self.start_trip(minute, request, free.pop(slot), blocks)
                won = {request for request, _ in proposals.values()}
                waiting = [r for r in waiting if r not in won]
        self.open = [r for r in self.open if self.outcome[1][r] != minute]

    def start_trip(self, minute: int, request: int, driver: int, blocks: int) -> None:
        spec, requests, outcome = self.spec, self.requests, self.outcome
        deadline = requests[0][request] + spec.patience_min
        pickup = minute + max(blocks, 1)
        outcome[0][request], outcome[1][request] = driver, minute
        if pickup > deadline:
            outcome[4][request] = deadline
            stop_x, left = toward(self.x[driver], requests[1][request], spec.city_size, deadline - minute)
            stop_y, _ = toward(self.y[driver], requests[2][request], spec.city_size, left)
            self.x[driver], self.y[driver] = stop_x, stop_y
            self.pickup_at[driver], self.free_at[driver] = NEVER, deadline
        else:
            dropoff = pickup + requests[5][request]
            outcome[2][request], outcome[3][request] = pickup, dropoff
            self.x[driver], self.y[driver] = requests[3][request], requests[4][request]
            self.pickup_at[driver], self.free_at[driver] = pickup, dropoff
