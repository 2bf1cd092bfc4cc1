"""The compiled kernel against a plain-Python reading of the market's minute under each
dispatch rule (tests/unit/market_reference.py), on small random markets: the same
matches, waits, trip rows, snapshots and metrics, exactly. And the rules' edge cases."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.market import kernel, simulate_points
from sim.market.constants import COUNTERS, ONLINE
from sim.market.kernel import torus_distance, toward
from sim.market.spec import PointSpec
from sim.market.streams import PointStreams
from sim.params import ParamValue, defaults
from tests.unit.market_reference import Point, distance
from tests.unit.test_market import assert_same

RULES = pytest.mark.parametrize("batch_dispatch", [False, True], ids=["ridehail", "batch"])


def random_market(rng: np.random.Generator, batch_dispatch: bool, crowded: bool) -> dict[str, ParamValue]:
    """A small market; ``crowded`` ones (small city, many drivers and requests) make the
    ridehail rule search by grid rather than by scanning the idle drivers."""
    horizon = int(rng.integers(20, 120))
    size = int(rng.integers(2, 7) if crowded else rng.integers(2, 16))
    return defaults() | {
        "city_size": size,
        "num_drivers": int(rng.integers(20, 60) if crowded else rng.integers(1, 40)),
        "num_riders": int(rng.integers(20, 80) if crowded else rng.integers(1, 300)),
        "request_rate": float(rng.uniform(0.1, 0.5) if crowded else rng.uniform(0.005, 0.1)),
        "commission_rate": float(rng.uniform(0, 0.9)),
        "patience_min": int(rng.integers(1, 12)),
        "horizon_min": horizon,
        "warmup_min": 0,
        "reservation_wage": float(rng.uniform(0, 60)),
        "equilibrate": bool(rng.integers(0, 2)),
        "equilibration_interval_min": int(rng.integers(1, 15)),
        "snapshot_interval_min": 1,
        "batch_dispatch": batch_dispatch,
    }


@RULES
@pytest.mark.parametrize("crowded", [False, True], ids=["sparse", "crowded"])
@pytest.mark.parametrize("case", range(6))
def test_the_kernel_simulates_what_the_reference_reading_does(batch_dispatch: bool, crowded: bool, case: int) -> None:
    # given a random small market, every minute and every request reported
    rng = np.random.default_rng([case, crowded, batch_dispatch])
    point, seed = random_market(rng, batch_dispatch, crowded), np.random.SeedSequence([case, 77])
    # when the engine simulates it, and the plain-Python reading of the rules does
    (compiled,) = simulate_points([(point, seed)])
    reference = Point(PointSpec.from_params(point), PointStreams.from_seed(seed)).run()
    # then drivers, waits, statuses, trip times, snapshots and metrics are all the same
    assert compiled.metrics["requests"] > 0
    assert_same(compiled, reference)


def one_minute(batch_dispatch: bool, drivers: list[tuple[int, int]], origin: tuple[int, int]) -> np.ndarray:
    """Minute 0 of a 10-block city with idle drivers at the given cells (none cruising)
    and one request from ``origin``: the kernel's outcome row for it."""
    pool = len(drivers)
    requests = np.array([[0], [origin[0]], [origin[1]], [5], [5], [torus_distance(*origin, 5, 5, 10)]], np.int32)
    outcome = np.full((5, 1), -1, dtype=np.int32)
    counters = np.zeros(COUNTERS, dtype=np.int64)
    counters[ONLINE] = pool
    xy = np.array(drivers, dtype=np.int32).T.copy()
    kernel.advance(
        0, 1, 10, 15, 1, False, 10, 60.0, 30.0, batch_dispatch,
        np.zeros(pool, np.uint8), np.arange(2, dtype=np.uint64), requests, outcome,
        np.empty(1, np.int64), xy[0].copy(), xy[1].copy(), np.zeros(pool, np.int8),
        np.full(pool, -1, np.int32), np.full(pool, -1, np.int32), np.ones(pool, bool), np.zeros(pool, bool),
        np.zeros((4, 1), np.int32), counters,
    )  # fmt: skip
    return outcome[:, 0]


def test_ridehails_rule_never_sends_a_driver_standing_at_the_riders_corner() -> None:
    # given the only idle driver on the rider's corner / and another one 3 blocks away
    alone = one_minute(False, [(4, 4)], (4, 4))
    with_other = one_minute(False, [(4, 4), (7, 4)], (4, 4))
    # then the request stays open / the farther driver (1) is sent, pickup at minute 3
    assert alone.tolist() == [-1, -1, -1, -1, -1]
    assert with_other[:3].tolist() == [1, 0, 3]


def test_the_oldest_first_rule_sends_the_driver_at_the_corner_for_a_one_minute_pickup() -> None:
    outcome = one_minute(True, [(4, 4), (7, 4)], (4, 4))
    assert outcome[:3].tolist() == [0, 0, 1]


def test_the_counter_words_give_uniform_orders_and_tie_breaks() -> None:
    # given one key, three requests open in each of 60,000 minutes and three equally near drivers
    key, minutes = np.uint64(0x0123_4567_89AB_CDEF), 60_000
    # when they are ordered by their words, and a tie among three drivers is broken
    orders = Counter(
        tuple(np.argsort([kernel.counter_word(key, minute, request) for request in (5, 6, 7)]).tolist())
        for minute in range(minutes)
    )
    picks = Counter(kernel.below(np.uint64(kernel.counter_word(key, minute, 9)), 3) for minute in range(minutes))
    # then each of the 6 orders and each of the 3 picks comes up equally often (within 4%: over 4 sd)
    assert len(orders) == 6 and all(abs(n / (minutes / 6) - 1) < 0.04 for n in orders.values()), orders
    assert sorted(picks) == [0, 1, 2] and all(abs(n / (minutes / 3) - 1) < 0.04 for n in picks.values()), picks


PROPERTY = settings(max_examples=80, deadline=None)


@PROPERTY
@given(st.integers(2, 30), st.data())
def test_torus_distance_is_the_wrapping_manhattan_distance(size: int, data: st.DataObject) -> None:
    ax, ay, bx, by = (data.draw(st.integers(0, size - 1)) for _ in range(4))
    wrapped = min(abs(ax - bx + kx * size) + abs(ay - by + ky * size) for kx in (-1, 0, 1) for ky in (-1, 0, 1))
    assert torus_distance(ax, ay, bx, by, size) == wrapped == distance(ax, ay, bx, by, size)


@PROPERTY
@given(st.integers(2, 30), st.data())
def test_a_path_position_is_that_many_blocks_along_a_shortest_path(size: int, data: st.DataObject) -> None:
    # given a start, a goal and a number of blocks not beyond the goal
    sx, sy, gx, gy = (data.draw(st.integers(0, size - 1)) for _ in range(4))
    total = torus_distance(sx, sy, gx, gy, size)
    blocks = data.draw(st.integers(0, total))
    # when the position along the path (x first, then y) is taken
    x, left = toward(sx, gx, size, blocks)
    y, _ = toward(sy, gy, size, left)
    # then it is that far from the start and the rest of the way from the goal
    assert torus_distance(sx, sy, x, y, size) == blocks
    assert torus_distance(x, y, gx, gy, size) == total - blocks
