"""The compiled minute-by-minute step of one point (numba, nopython).

``advance`` simulates minutes ``[start, stop)`` of one point in place. Each minute,
in this order (ridehail's): idle online drivers cruise one block; supply adjusts (on
equilibration minutes); this minute's requests arrive; open requests are dispatched
by one of two rules; requests unmatched after their patience are abandoned; drivers
are counted by phase.

A matched trip's timeline is known at dispatch: pickup = minute + max(pickup
distance, 1), dropoff = pickup + trip distance. Busy drivers are not stepped block
by block: they reappear, idle, at the destination at dropoff. A rider whose driver
cannot arrive within patience abandons at the deadline, and the driver is idle from
then on wherever its drive towards the pickup had got to.

Randomness comes in as arrays drawn by the caller from the point's own numpy streams
(cruising turns, and the two keys of ridehail's dispatch), so the kernel itself is a
deterministic function of its inputs. ridehail's random order and tie-breaks are
counter-based: a request's draw in a minute is a hash of (key, minute, request id),
whatever else is open, so markets that drift apart by one request still draw alike
for all the others (what common random numbers need).

Development and tests run these functions with numba's JIT (cached on disk by numba);
the functions ship them compiled ahead of time (``python -m sim.market.precompile``).
Callers get them from ``sim.market.compiled``, which picks one of the two.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.market.constants import (
    BUSY_MINUTES,
    BUSY_SEEN,
    DISPATCH_WAVE,
    MAX_STEP_SHARE,
    NEXT_REQUEST,
    ONLINE,
    ONLINE_MINUTES,
    ONLINE_SEEN,
    OPEN,
    ORDER_KEY,
    STEP_X,
    STEP_Y,
    SUPPLY_DAMPING,
    TIE_BREAK_STRIDE,
    TIE_KEY,
    TURN_BY_CODE,
)

_NEVER = np.iinfo(np.int32).max
_UNIT = 2.0**-53  # a word's top 53 bits times this: a uniform double in [0, 1)
_FAR = np.iinfo(np.int64).max
# splitmix64 (Steele, Lea and Flood 2014): its increment and its finaliser's multipliers.
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True)
def torus_distance(ax: int, ay: int, bx: int, by: int, size: int) -> int:
    """Manhattan distance on a grid of ``size`` blocks per side that wraps at the edges."""
    dx = abs(ax - bx)
    dy = abs(ay - by)
    return min(dx, size - dx) + min(dy, size - dy)


@njit(cache=True)
def _wrap(position: int, size: int) -> int:
    """A position at most one block off the grid, back on it."""
    if position < 0:
        return position + size
    if position >= size:
        return position - size
    return position


@njit(cache=True)
def toward(start: int, goal: int, size: int, blocks: int) -> tuple[int, int]:
    """Position after up to ``blocks`` blocks from ``start`` to ``goal`` along one axis
    (the short way round), and the blocks left over."""
    ahead = (goal - start) % size
    forward = ahead <= size // 2
    length = ahead if forward else size - ahead
    moved = min(blocks, length)
    return (start + (moved if forward else -moved)) % size, blocks - moved


@njit(cache=True)
def below(word: np.uint64, n: int) -> int:
    """A uniform integer in [0, n) from one raw 64-bit word (its top 53 bits)."""
    return int(np.float64(word >> np.uint64(11)) * _UNIT * n)


@njit(cache=True)
def mix(z: np.uint64) -> np.uint64:
    """splitmix64's finaliser: a bijection of 64-bit words after which nearby inputs
    give unrelated outputs."""
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def counter_word(key: np.uint64, minute: int, request: int) -> np.uint64:
    """The random word of ``request`` in ``minute``: splitmix64's output number
    request + 1 from a seed that is its output number minute + 1 from ``key``.

    A fixed function of the three, not the next word of a sequence: it is the same
    however many words other requests used before."""
    seed = mix(key + _GAMMA * np.uint64(minute + 1))
    return mix(seed + _GAMMA * np.uint64(request + 1))


@njit(cache=True)
def _sift_down(ranks: np.ndarray, ids: np.ndarray, root: int, n: int) -> None:
    """Move entry ``root`` of the min-heap ``[:n]`` down until no child comes before it
    (the lower rank first, then the lower id; written out: a call here is 6x slower)."""
    while True:
        first = root
        for child in range(2 * root + 1, min(2 * root + 3, n)):
            if ranks[child] < ranks[first] or (ranks[child] == ranks[first] and ids[child] < ids[first]):
                first = child
        if first == root:
            return
        ranks[root], ranks[first] = ranks[first], ranks[root]
        ids[root], ids[first] = ids[first], ids[root]
        root = first


@njit(cache=True)
def _pop_first(ranks: np.ndarray, ids: np.ndarray, n: int) -> int:
    """The id first in the min-heap ``[:n]``, removed (the heap is ``[: n - 1]`` after)."""
    first = ids[0]
    ranks[0], ids[0] = ranks[n - 1], ids[n - 1]
    _sift_down(ranks, ids, 0, n - 1)
    return first


@njit(cache=True)
def supply_change(
    online: int, online_minutes: int, busy_minutes: int, busy_hour_payout: float, wage: float, pool: int
) -> int:
    """Drivers to add (positive) or remove, from the last interval.

    Expected hourly earnings = busy-hour payout x P3 share of the interval's online
    driver-minutes. The online count moves by SUPPLY_DAMPING x its relative gap to
    the reservation wage, at most MAX_STEP_SHARE of itself (at least one driver),
    and stays within [1, pool]. A zero wage always attracts drivers."""
    earnings = busy_hour_payout * busy_minutes / max(online_minutes, 1)
    gap = earnings / wage - 1.0 if wage > 0.0 else np.inf
    cap = max(1.0, np.rint(MAX_STEP_SHARE * online))
    step = min(max(np.rint(SUPPLY_DAMPING * online * min(gap, 1.0e9)), -cap), cap)
    return min(max(online + int(step), 1), pool) - online


@njit(cache=True)
def _adjust_supply(
    minute: int,
    pool: int,
    busy_hour_payout: float,
    wage: float,
    online: np.ndarray,
    free_at: np.ndarray,
    counters: np.ndarray,
) -> None:
    """Join the offline drivers with the lowest ids or retire the idle drivers with the
    highest ids (only idle drivers leave: fewer may go than the change asks)."""
    count = counters[ONLINE]
    want = supply_change(
        count,
        counters[ONLINE_MINUTES] - counters[ONLINE_SEEN],
        counters[BUSY_MINUTES] - counters[BUSY_SEEN],
        busy_hour_payout,
        wage,
        pool,
    )
    counters[ONLINE_SEEN] = counters[ONLINE_MINUTES]
    counters[BUSY_SEEN] = counters[BUSY_MINUTES]
    driver = 0
    while want > 0 and driver < pool:
        if not online[driver]:
            online[driver] = True
            count += 1
            want -= 1
        driver += 1
    driver = pool - 1
    while want < 0 and driver >= 0:
        if online[driver] and free_at[driver] <= minute:
            online[driver] = False
            count -= 1
            want += 1
        driver -= 1
    counters[ONLINE] = count


@njit(cache=True)
def _start_trip(
    minute: int,
    request: int,
    driver: int,
    distance: int,
    deadline: int,
    size: int,
    x: np.ndarray,
    y: np.ndarray,
    pickup_at: np.ndarray,
    free_at: np.ndarray,
    requests: np.ndarray,
    outcome: np.ndarray,
) -> None:
    """Record a match and move the driver to where it next becomes idle."""
    pickup = minute + max(distance, 1)
    outcome[0, request] = driver
    outcome[1, request] = minute
    if pickup > deadline:  # the rider abandons at the deadline, the driver stops where it got to
        outcome[2, request] = -1
        outcome[3, request] = -1
        outcome[4, request] = deadline
        stop_x, left = toward(x[driver], requests[1, request], size, deadline - minute)
        stop_y, _ = toward(y[driver], requests[2, request], size, left)
        pickup_at[driver] = _NEVER
        free_at[driver] = deadline
        x[driver] = stop_x
        y[driver] = stop_y
    else:
        dropoff = pickup + requests[5, request]
        outcome[2, request] = pickup
        outcome[3, request] = dropoff
        outcome[4, request] = -1
        pickup_at[driver] = pickup
        free_at[driver] = dropoff
        x[driver] = requests[3, request]
        y[driver] = requests[4, request]


@njit(cache=True)
def _nearest_by_scan(
    ox: int, oy: int, size: int, idle_x: np.ndarray, idle_y: np.ndarray, idle_count: int, nearest: np.ndarray
) -> tuple[int, int]:
    """The untaken idle slots nearest to (ox, oy) at a distance of at least one block,
    in slot order, into ``nearest``; returns their number and distance."""
    ties, best_distance = 0, _FAR
    for slot in range(idle_count):
        if idle_x[slot] < 0:
            continue
        distance = torus_distance(idle_x[slot], idle_y[slot], ox, oy, size)
        if distance == 0 or distance > best_distance:
            continue
        if distance < best_distance:
            ties, best_distance = 0, distance
        nearest[ties] = slot
        ties += 1
    return ties, best_distance


@njit(cache=True)
def _fill_grid(
    idle_x: np.ndarray, idle_y: np.ndarray, idle_count: int, size: int, grid_start: np.ndarray, grid_slots: np.ndarray
) -> None:
    """Counting sort of the idle slots by cell: cell c holds grid_slots[grid_start[c] : grid_start[c + 1]]."""
    cells = size * size
    grid_start[: cells + 1] = 0
    for slot in range(idle_count):
        grid_start[idle_x[slot] * size + idle_y[slot] + 1] += 1
    for cell in range(cells):
        grid_start[cell + 1] += grid_start[cell]
    for slot in range(idle_count):
        cell = idle_x[slot] * size + idle_y[slot]
        grid_slots[grid_start[cell]] = slot
        grid_start[cell] += 1
    for cell in range(cells, 0, -1):
        grid_start[cell] = grid_start[cell - 1]
    grid_start[0] = 0


@njit(cache=True)
def _nearest_by_grid(
    ox: int,
    oy: int,
    size: int,
    idle_x: np.ndarray,
    idle_y: np.ndarray,
    grid_start: np.ndarray,
    grid_slots: np.ndarray,
    nearest: np.ndarray,
) -> tuple[int, int]:
    """What _nearest_by_scan finds, searching the cells ring by ring outwards."""
    for ring in range(1, size + 1):
        ties = 0
        for dx in range(-ring, ring + 1):
            cx = (ox + dx) % size
            dy = ring - abs(dx)
            for side in range(2 if dy > 0 else 1):
                cy = (oy + dy if side == 0 else oy - dy) % size
                cell = cx * size + cy
                for position in range(grid_start[cell], grid_start[cell + 1]):
                    slot = grid_slots[position]
                    # Taken, or nearer than this ring (the ring wrapped round the grid)?
                    if idle_x[slot] < 0 or torus_distance(idle_x[slot], idle_y[slot], ox, oy, size) != ring:
                        continue
                    # A small ring may list a cell twice; keep the slots in slot order.
                    at = ties
                    while at > 0 and nearest[at - 1] > slot:
                        at -= 1
                    if at > 0 and nearest[at - 1] == slot:
                        continue
                    for move in range(ties, at, -1):
                        nearest[move] = nearest[move - 1]
                    nearest[at] = slot
                    ties += 1
        if ties > 0:
            return ties, ring
    return 0, _FAR


@njit(cache=True)
def _keep_unmatched(minute: int, open_ids: np.ndarray, count: int, outcome: np.ndarray, counters: np.ndarray) -> None:
    """Drop the requests matched this minute from the open list, keeping the others' order."""
    kept = 0
    for k in range(count):
        request = open_ids[k]
        if outcome[1, request] != minute:
            open_ids[kept] = request
            kept += 1
    counters[OPEN] = kept


@njit(cache=True)
def _dispatch_ridehail(
    minute: int,
    size: int,
    patience: int,
    idle: np.ndarray,
    idle_count: int,
    open_ids: np.ndarray,
    order: np.ndarray,
    ranks: np.ndarray,
    keys: np.ndarray,
    grid_start: np.ndarray,
    work: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    pickup_at: np.ndarray,
    free_at: np.ndarray,
    requests: np.ndarray,
    outcome: np.ndarray,
    counters: np.ndarray,
) -> None:
    """ridehail's rule: the open requests in a random order, each taking the nearest idle
    driver at least one block away (a driver at the rider's corner is never sent), at
    random among equally near ones (in id order).

    The order is that of the requests' counter words under the order key (i.i.d.
    64-bit words, so a uniformly random order, like ridehail's shuffle; equal words,
    never seen, keep id order), taken from a heap: under a backlog the idle drivers
    run out after a few of many open requests. A tie-break picks below(counter word
    under the tie key, ties)."""
    count = counters[OPEN]
    for k in range(count):
        order[k] = open_ids[k]
        ranks[k] = counter_word(keys[ORDER_KEY], minute, open_ids[k])
    for root in range(count // 2 - 1, -1, -1):
        _sift_down(ranks, order, root, count)
    # The idle drivers' cells, in id order (-1: taken this minute).
    idle_x, idle_y, nearest, grid_slots = work[0], work[1], work[2], work[3]
    for slot in range(idle_count):
        idle_x[slot] = x[idle[slot]]
        idle_y[slot] = y[idle[slot]]
    # Search by scanning the idle drivers, or ring by ring over a grid of their cells,
    # whichever is cheaper (ridehail's own criterion); both find the same drivers.
    cells = size * size
    by_grid = count * idle_count > cells + count * cells // idle_count
    if by_grid:
        _fill_grid(idle_x, idle_y, idle_count, size, grid_start, grid_slots)
    left = idle_count
    for k in range(count):
        if left == 0:
            break
        request = _pop_first(ranks, order, count - k)
        ox, oy = requests[1, request], requests[2, request]
        if by_grid:
            ties, best_distance = _nearest_by_grid(ox, oy, size, idle_x, idle_y, grid_start, grid_slots, nearest)
        else:
            ties, best_distance = _nearest_by_scan(ox, oy, size, idle_x, idle_y, idle_count, nearest)
        if ties == 0:
            continue
        slot = nearest[0]
        if ties > 1:
            slot = nearest[below(counter_word(keys[TIE_KEY], minute, request), ties)]
        idle_x[slot] = -1
        left -= 1
        deadline = requests[0, request] + patience
        _start_trip(
            minute, request, idle[slot], best_distance, deadline, size, x, y, pickup_at, free_at, requests, outcome
        )
    _keep_unmatched(minute, open_ids, count, outcome, counters)


@njit(cache=True)
def _dispatch_batch(
    minute: int,
    size: int,
    patience: int,
    pool: int,
    idle: np.ndarray,
    idle_count: int,
    open_ids: np.ndarray,
    work: np.ndarray,
    wave: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    pickup_at: np.ndarray,
    free_at: np.ndarray,
    requests: np.ndarray,
    outcome: np.ndarray,
    counters: np.ndarray,
) -> None:
    """Oldest-first proposal rounds: open requests in waves of DISPATCH_WAVE, oldest
    first; in rounds, every unmatched request of the wave proposes to its nearest free
    idle driver (ties: the first in the idle drivers by id, rotated left by a rotation
    that changes every minute); a driver proposed to by several takes the oldest;
    rounds repeat until no unmatched request of the wave has a free driver."""
    count = counters[OPEN]
    rotation = (minute * TIE_BREAK_STRIDE) % pool
    # Slot s holds the idle driver at position (s + rotation) % idle_count (ties go to lower slots).
    slots, free, claimed = work[0], work[1], work[2]
    for position in range(idle_count):
        slots[(position - rotation) % idle_count] = idle[position]
    free[:idle_count] = 1
    claimed[:idle_count] = 0
    left = idle_count
    # One round's winners: proposals are simultaneous, so trips start after the round.
    waiting, won_request, won_slot, won_distance = wave[0], wave[1], wave[2], wave[3]
    for first in range(0, count, DISPATCH_WAVE):
        if left == 0:
            break
        pending = min(DISPATCH_WAVE, count - first)
        for k in range(pending):
            waiting[k] = open_ids[first + k]
        while pending > 0 and left > 0:
            won = lost = 0
            for k in range(pending):  # oldest first: the first proposer of a driver wins it
                request = waiting[k]
                ox, oy = requests[1, request], requests[2, request]
                best, best_distance = -1, _FAR
                for slot in range(idle_count):
                    if free[slot] == 1:
                        distance = torus_distance(x[slots[slot]], y[slots[slot]], ox, oy, size)
                        if distance < best_distance:
                            best, best_distance = slot, distance
                if best < 0:
                    continue
                if claimed[best] == 1:
                    waiting[lost] = request
                    lost += 1
                else:
                    claimed[best] = 1
                    won_request[won], won_slot[won], won_distance[won] = request, best, best_distance
                    won += 1
            for k in range(won):
                request, slot = won_request[k], won_slot[k]
                claimed[slot] = 0
                free[slot] = 0
                left -= 1
                deadline = requests[0, request] + patience
                _start_trip(
                    minute, request, slots[slot], won_distance[k], deadline, size,
                    x, y, pickup_at, free_at, requests, outcome,
                )  # fmt: skip
            pending = lost
    _keep_unmatched(minute, open_ids, count, outcome, counters)


@njit(cache=True)
def advance(
    start: int,
    stop: int,
    city_size: int,
    patience: int,
    horizon: int,
    equilibrate: bool,
    interval: int,
    busy_hour_payout: float,
    wage: float,
    batch_dispatch: bool,
    turns: np.ndarray,
    keys: np.ndarray,
    requests: np.ndarray,
    outcome: np.ndarray,
    open_ids: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    heading: np.ndarray,
    pickup_at: np.ndarray,
    free_at: np.ndarray,
    online: np.ndarray,
    moving: np.ndarray,
    history: np.ndarray,
    counters: np.ndarray,
) -> None:
    """Simulate minutes [start, stop).

    ``turns`` packs two 4-bit turn codes a byte, low nibble first: the code of a
    driver in minute m is number (m - start) x pool + driver.
    ``requests`` rows: minute, origin x, origin y, destination x, destination y,
    distance (columns in request order, by minute). ``outcome`` rows: driver,
    matched, pickup, dropoff, abandoned (-1 while unset). ``history`` rows: online,
    P1, P2, P3 per minute. ``keys`` holds the two keys of ridehail's rule (``batch_dispatch``
    false) at ORDER_KEY and TIE_KEY."""
    pool = x.size
    total = requests.shape[1]
    # Scratch space of the dispatchers, allocated once per call.
    idle = np.empty(pool, dtype=np.int64)
    work = np.empty((4, pool), dtype=np.int64)
    if batch_dispatch:
        order = grid_start = np.empty(0, dtype=np.int64)
        ranks = np.empty(0, dtype=np.uint64)
        wave = np.empty((4, DISPATCH_WAVE), dtype=np.int64)
    else:
        order = np.empty(open_ids.size, dtype=np.int64)
        ranks = np.empty(open_ids.size, dtype=np.uint64)
        grid_start = np.empty(city_size * city_size + 1, dtype=np.int64)
        wave = np.empty((4, 0), dtype=np.int64)
    # The moving drivers' ids in id order, rebuilt by the phase count: the loops over the pool
    # are branch-free (which drivers are idle is random, so branches on it mispredict).
    cruising = np.empty(pool, dtype=np.int64)
    cruisers = 0
    for driver in range(pool):
        cruising[cruisers] = driver
        cruisers += moving[driver]
    for minute in range(start, stop):
        # 1. idle online drivers (as at the end of the last minute) cruise one block
        first_turn = (minute - start) * pool
        for k in range(cruisers):
            driver = cruising[k]
            turn = first_turn + driver
            code = (turns[turn >> 1] >> ((turn & 1) << 2)) & 15
            h = (heading[driver] + TURN_BY_CODE[code]) & 3
            heading[driver] = h
            x[driver] = _wrap(x[driver] + STEP_X[h], city_size)
            y[driver] = _wrap(y[driver] + STEP_Y[h], city_size)
        # 2. supply
        if equilibrate and minute > 0 and minute % interval == 0:
            _adjust_supply(minute, pool, busy_hour_payout, wage, online, free_at, counters)
        # 3. arrivals: the open list grows by this minute's requests
        while counters[NEXT_REQUEST] < total and requests[0, counters[NEXT_REQUEST]] == minute:
            open_ids[counters[OPEN]] = counters[NEXT_REQUEST]
            counters[OPEN] += 1
            counters[NEXT_REQUEST] += 1
        # 4. dispatch (drivers dropping a rider off this minute are idle already)
        if counters[OPEN] > 0:
            idle_count = 0
            for driver in range(pool):
                idle[idle_count] = driver
                idle_count += online[driver] & (free_at[driver] <= minute)
            if idle_count > 0:
                if batch_dispatch:
                    _dispatch_batch(
                        minute, city_size, patience, pool, idle, idle_count, open_ids, work, wave,
                        x, y, pickup_at, free_at, requests, outcome, counters,
                    )  # fmt: skip
                else:
                    _dispatch_ridehail(
                        minute, city_size, patience, idle, idle_count, open_ids, order, ranks, keys,
                        grid_start, work, x, y, pickup_at, free_at, requests, outcome, counters,
                    )  # fmt: skip
        # 5. abandonment of requests still unmatched after their patience
        kept = 0
        for k in range(counters[OPEN]):
            request = open_ids[k]
            if requests[0, request] + patience <= minute:
                outcome[4, request] = minute
            else:
                open_ids[kept] = request
                kept += 1
        counters[OPEN] = kept
        # 6. phase counts at the end of the minute
        p2 = p3 = cruisers = 0
        for driver in range(pool):
            busy = free_at[driver] > minute
            carrying = pickup_at[driver] <= minute
            idle_online = online[driver] & (not busy)
            moving[driver] = idle_online
            cruising[cruisers] = driver
            cruisers += idle_online
            p2 += busy & (not carrying)
            p3 += busy & carrying
        history[0, minute] = counters[ONLINE]
        history[1, minute] = cruisers  # P1
        history[2, minute] = p2
        history[3, minute] = p3
        counters[ONLINE_MINUTES] += counters[ONLINE]
        counters[BUSY_MINUTES] += p3


@njit(cache=True)
def request_rows(counts: np.ndarray, origin: np.ndarray, offset: np.ndarray, size: int) -> np.ndarray:
    """The request array (rows: minute, origin x, origin y, destination x, destination y,
    distance; columns in request order) from the drawn requests per minute, origins and
    destination offsets (destination = origin's cell + offset, modulo the cells)."""
    total = origin.shape[1]
    rows = np.empty((6, total), dtype=np.int32)
    request = 0
    for minute in range(counts.size):
        for _ in range(counts[minute]):
            rows[0, request] = minute
            request += 1
    cells = size * size
    for request in range(total):
        ox, oy = origin[0, request], origin[1, request]
        cell = (ox * size + oy + offset[request]) % cells
        dx, dy = cell // size, cell % size
        rows[1, request], rows[2, request] = ox, oy
        rows[3, request], rows[4, request] = dx, dy
        rows[5, request] = torus_distance(ox, oy, dx, dy, size)
    return rows


@njit(cache=True)
def tally(
    requests: np.ndarray,
    outcome: np.ndarray,
    history: np.ndarray,
    money: np.ndarray,
    horizon: int,
    warmup: int,
    first: int,
    snapshot_interval: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the results need from a simulated point, in one pass over its requests and one over
    its minutes.

    For the reported requests (from ``first``): status (0 completed, 1 abandoned, 2 open at the
    horizon, TRIP_STATUSES' order), wait and trip minutes (-1 unless completed), and the money
    rows of ``money`` (fare, commission, payout per trip distance) at their distance (NaN unless
    completed). The snapshot rows (minute, online, P1, P2, P3, riders waiting, completed and
    abandoned since minute 0) every ``snapshot_interval`` minutes. Per trip distance: reported
    completed trips, and trips dropped off in [warmup, horizon) whenever requested; per wait
    minute: reported completed trips. ``counts``: reported completed, abandoned and matched
    trips, then the online, P1, P2 and P3 driver-minutes of [warmup, horizon)."""
    total = requests.shape[1]
    reported = total - first
    status = np.empty(reported, dtype=np.int8)
    wait = np.empty(reported, dtype=np.int32)
    trip_min = np.empty(reported, dtype=np.int32)
    trip_money = np.empty((3, reported), dtype=np.float64)
    # Per minute (the horizon collects later ones): requests made, waits ended (pickup or
    # abandonment), dropoffs, abandonments.
    events = np.zeros((4, horizon + 1), dtype=np.int64)
    distances = money.shape[1]
    completed_by_distance = np.zeros(distances, dtype=np.int64)
    window_by_distance = np.zeros(distances, dtype=np.int64)
    completed_by_wait = np.zeros(horizon + 1, dtype=np.int64)
    counts = np.zeros(7, dtype=np.int64)
    for request in range(total):
        minute, distance = requests[0, request], requests[5, request]
        pickup, dropoff, abandoned = outcome[2, request], outcome[3, request], outcome[4, request]
        events[0, min(minute, horizon)] += 1
        if pickup >= 0:
            events[1, min(pickup, horizon)] += 1
        elif abandoned >= 0:
            events[1, min(abandoned, horizon)] += 1
        if dropoff >= 0:
            events[2, min(dropoff, horizon)] += 1
            if warmup <= dropoff < horizon:
                window_by_distance[distance] += 1
        if abandoned >= 0:
            events[3, min(abandoned, horizon)] += 1
        if request < first:
            continue
        row = request - first
        completed = 0 <= dropoff < horizon
        # A late driver's rider abandons at request + patience, which may lie past the horizon.
        gone = 0 <= abandoned < horizon
        status[row] = 0 if completed else (1 if gone else 2)
        if 0 <= pickup < horizon:
            wait[row] = pickup - minute
        elif gone:
            wait[row] = abandoned - minute
        else:
            wait[row] = horizon - minute
        trip_min[row] = dropoff - pickup if completed else -1
        for column in range(3):
            trip_money[column, row] = money[column, distance] if completed else np.nan
        if completed:
            completed_by_distance[distance] += 1
            completed_by_wait[wait[row]] += 1
            counts[0] += 1
        counts[1] += gone and not completed
        counts[2] += outcome[0, request] >= 0
    for minute in range(warmup, horizon):
        for phase in range(4):
            counts[3 + phase] += history[phase, minute]
    rows = (horizon + snapshot_interval - 1) // snapshot_interval
    snapshots = np.empty((8, rows), dtype=np.int32)
    until = np.zeros(4, dtype=np.int64)  # events at or before the minute
    for minute in range(horizon):
        for kind in range(4):
            until[kind] += events[kind, minute]
        if minute % snapshot_interval == 0:
            row = minute // snapshot_interval
            snapshots[0, row] = minute
            for phase in range(4):
                snapshots[1 + phase, row] = history[phase, minute]
            snapshots[5, row] = until[0] - until[1]
            snapshots[6, row] = until[2]
            snapshots[7, row] = until[3]
    return (
        status, wait, trip_min, trip_money, snapshots,
        completed_by_distance, window_by_distance, completed_by_wait, counts,
    )  # fmt: skip
