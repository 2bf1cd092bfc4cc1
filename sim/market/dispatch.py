"""Nearest-idle-driver dispatch, vectorised over requests, drivers and points.

Rule (per point, per minute): open requests are taken oldest first, in waves of
at most DISPATCH_WAVE. Within a wave, in rounds, every unmatched request proposes
to its nearest free idle driver (Manhattan distance on the wrapping grid; ties go
to the driver that comes first in the point's idle drivers, in the order given,
rotated left by the point's ``rotation``); a driver proposed to by several
requests takes the oldest; matched drivers and requests leave; rounds repeat
until no unmatched request of the wave has a free driver. Everything depends on
the point's own requests and drivers only, so batching points together never
changes a result.

Python loops: over waves (1 unless a point has more than DISPATCH_WAVE open
requests) and over rounds (1 unless two requests want the same driver; later
rounds only touch the requests that lost). Each iteration works on one
(requests x idle-driver slots) distance array covering every point at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.market.constants import DISPATCH_WAVE

_FAR = np.iinfo(np.int16).max  # cost of a padding slot or a taken driver


@dataclass(frozen=True)
class Requests:
    """Open requests in priority order (oldest first); ``xy`` has shape (2, n)."""

    point: np.ndarray
    xy: np.ndarray


@dataclass(frozen=True)
class IdleDrivers:
    """Idle drivers, grouped by point in ascending point order; ``xy`` has shape
    (2, n); ``rotation`` (per point) shifts the tie-break order."""

    point: np.ndarray
    xy: np.ndarray
    rotation: np.ndarray


@dataclass(frozen=True)
class Matches:
    """Matched pairs: positions into Requests and IdleDrivers, and the pickup distance."""

    request: np.ndarray
    driver: np.ndarray
    distance: np.ndarray


@dataclass(frozen=True)
class _Slots:
    """Idle drivers laid out per point: row = point, column = slot (tie-break order)."""

    driver: np.ndarray  # position in IdleDrivers, -1 for padding
    xy: np.ndarray  # (2, points, slots), int16
    free: np.ndarray  # not padding and not matched yet (updated in place)


def _layout(drivers: IdleDrivers, point_count: int) -> _Slots:
    count = np.bincount(drivers.point, minlength=point_count)
    position = np.arange(drivers.point.size) - (np.cumsum(count) - count)[drivers.point]
    slot = (position - drivers.rotation[drivers.point]) % count[drivers.point]
    driver = np.full((point_count, int(count.max())), -1, dtype=np.int64)
    driver[drivers.point, slot] = np.arange(drivers.point.size)
    xy = np.zeros((2, *driver.shape), dtype=np.int16)
    xy[:, drivers.point, slot] = drivers.xy
    return _Slots(driver=driver, xy=xy, free=driver >= 0)


def _waves(requests: Requests, point_count: int) -> list[np.ndarray]:
    """Request positions of each wave: the oldest DISPATCH_WAVE per point, then the next."""
    count = np.bincount(requests.point, minlength=point_count)
    if count.max() <= DISPATCH_WAVE:
        return [np.arange(requests.point.size)]
    order = np.argsort(requests.point, kind="stable")
    rank = np.empty(requests.point.size, dtype=np.int64)
    rank[order] = np.arange(order.size) - (np.cumsum(count) - count)[requests.point[order]]
    wave = rank // DISPATCH_WAVE
    return [np.flatnonzero(wave == number) for number in range(int(wave.max()) + 1)]


def match_nearest(requests: Requests, drivers: IdleDrivers, city_size: np.ndarray, point_count: int) -> Matches:
    """Match requests to idle drivers by the module's rule; city_size is per point."""
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if requests.point.size and drivers.point.size:
        slots = _layout(drivers, point_count)
        for wave in _waves(requests, point_count):
            wave = wave[np.asarray(slots.free.any(axis=1))[requests.point[wave]]]
            if wave.size:
                found.extend(_match_wave(requests, wave, slots, city_size))
    if not found:
        nothing = np.zeros(0, dtype=np.int64)
        return Matches(request=nothing, driver=nothing, distance=nothing)
    request, driver, distance = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return Matches(request=request, driver=driver, distance=distance)


def _match_wave(
    requests: Requests, wave: np.ndarray, slots: _Slots, city_size: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Proposal rounds for one wave (positions in priority order); clears matched slots."""
    point = requests.point[wave]
    size = city_size[point].astype(np.int16)[:, None]
    xy = requests.xy if wave.size == requests.point.size else requests.xy[:, wave]
    offset = np.abs(xy.astype(np.int16)[:, :, None] - slots.xy[:, point])
    distance = np.minimum(offset, size - offset).sum(axis=0, dtype=np.int16)
    cost = np.where(slots.free[point], distance, _FAR)
    rows = np.arange(wave.size)  # requests still waiting, oldest first
    width = slots.free.shape[1]
    found = []
    while True:
        best = cost.argmin(axis=1)
        proposing = cost[np.arange(rows.size), best] != _FAR
        rows, best = rows[proposing], best[proposing]
        if rows.size == 0:
            break
        wanted = point[rows] * width + best
        ordered = np.sort(wanted)
        conflict = bool((ordered[1:] == ordered[:-1]).any())
        if conflict:
            # rows are oldest first, so np.unique's first index per (point, slot) is
            # that driver's oldest proposer.
            _, first = np.unique(wanted, return_index=True)
            won, slot = rows[first], best[first]
        else:
            won, slot = rows, best
        found.append((wave[won], slots.driver[point[won], slot], distance[won, slot].astype(np.int64)))
        slots.free[point[won], slot] = False
        if not conflict:
            break  # every proposer got its driver, nobody else can match now
        lost = np.ones(rows.size, dtype=bool)
        lost[first] = False
        rows = rows[lost]
        cost = np.where(slots.free[point[rows]], distance[rows], _FAR)
    return found
