"""The vectorised dispatcher against a plain-Python reading of its rule, and the
path helper it relies on."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.market.constants import DISPATCH_WAVE
from sim.market.dispatch import IdleDrivers, Requests, match_nearest
from sim.market.geometry import along_path, torus_distance

PROPERTY = settings(max_examples=80, deadline=None)
Market = tuple[Requests, IdleDrivers, np.ndarray]


def reference_matches(requests: Requests, drivers: IdleDrivers, city_size: np.ndarray) -> set[tuple[int, int, int]]:
    """The module's rule, one point, one wave, one round and one request at a time."""
    matched: set[tuple[int, int, int]] = set()
    for point in sorted(set(requests.point.tolist())):
        size = int(city_size[point])

        def distance(i: int, j: int, size: int = size) -> int:
            return int(torus_distance(*requests.xy[:, i], *drivers.xy[:, j], size))

        queue = [i for i in range(requests.point.size) if requests.point[i] == point]
        mine = [j for j in range(drivers.point.size) if drivers.point[j] == point]
        # Tie-break order: the point's drivers in the order given, rotated left.
        free = {(k - int(drivers.rotation[point])) % len(mine): j for k, j in enumerate(mine)}
        for start in range(0, len(queue), DISPATCH_WAVE):
            waiting = queue[start : start + DISPATCH_WAVE]
            while waiting and free:
                proposals: dict[int, int] = {}
                for i in waiting:  # oldest first; the oldest proposer keeps the driver
                    proposals.setdefault(min(free, key=lambda s, i=i: (distance(i, free[s]), s)), i)
                for slot, i in proposals.items():
                    j = free.pop(slot)
                    matched.add((i, j, distance(i, j)))
                won = set(proposals.values())
                waiting = [i for i in waiting if i not in won]
    return matched


@st.composite
def markets(draw: st.DrawFn, max_requests: int = 12, max_drivers: int = 8) -> Market:
    points = draw(st.integers(1, 3))
    sizes = np.array([draw(st.integers(2, 12)) for _ in range(points)])
    request_point, driver_point = [], []
    for point in range(points):
        request_point += [point] * draw(st.integers(0, max_requests))
        driver_point += [point] * draw(st.integers(0, max_drivers))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    request_point = rng.permutation(np.array(request_point, dtype=np.int64))
    driver_point = np.array(driver_point, dtype=np.int64)
    requests = Requests(point=request_point, xy=rng.integers(0, sizes[request_point], size=(2, request_point.size)))
    drivers = IdleDrivers(
        point=driver_point,
        xy=rng.integers(0, sizes[driver_point], size=(2, driver_point.size)),
        rotation=rng.integers(0, 100, size=points),
    )
    return requests, drivers, sizes


def as_set(requests: Requests, drivers: IdleDrivers, sizes: np.ndarray) -> set[tuple[int, int, int]]:
    found = match_nearest(requests, drivers, sizes, sizes.size)
    return set(zip(found.request.tolist(), found.driver.tolist(), found.distance.tolist(), strict=True))


@PROPERTY
@given(markets())
def test_dispatch_matches_the_reference_rule(market: Market) -> None:
    # given random points with random requests and idle drivers
    requests, drivers, sizes = market
    # when the vectorised dispatcher runs
    found = as_set(requests, drivers, sizes)
    # then it makes exactly the matches of the plain-Python rule
    assert found == reference_matches(requests, drivers, sizes)


@settings(max_examples=10, deadline=None)
@given(markets(max_requests=3 * DISPATCH_WAVE, max_drivers=2 * DISPATCH_WAVE))
def test_dispatch_in_waves_matches_the_reference_rule(market: Market) -> None:
    # given points that may have more open requests than one dispatch wave
    requests, drivers, sizes = market
    # when / then the waves follow the rule too
    assert as_set(requests, drivers, sizes) == reference_matches(requests, drivers, sizes)


def test_one_point_never_changes_another_points_matches() -> None:
    # given a market of two points, and the same first point alone
    rng = np.random.default_rng(3)
    point = np.array([0, 1, 0, 1, 0, 1, 1])
    requests = Requests(point=point, xy=rng.integers(0, 8, size=(2, 7)))
    drivers = IdleDrivers(
        point=np.array([0, 0, 1, 1]), xy=np.array([[1, 5, 1, 5], [1, 5, 1, 5]]), rotation=np.zeros(2, dtype=np.int64)
    )
    mine = np.flatnonzero(point == 0)
    alone = Requests(point=point[mine], xy=requests.xy[:, mine])
    drivers_alone = IdleDrivers(point=drivers.point[:2], xy=drivers.xy[:, :2], rotation=np.zeros(1, dtype=np.int64))
    # when both are dispatched
    together = as_set(requests, drivers, np.array([8, 8]))
    single = as_set(alone, drivers_alone, np.array([8]))
    # then point 0's matches are the same either way
    assert {m for m in together if m[0] in set(mine.tolist())} == {(int(mine[i]), j, d) for i, j, d in single}


def test_ties_go_round_the_idle_drivers() -> None:
    # given two idle drivers equally far from a request
    requests = Requests(point=np.array([0]), xy=np.array([[4], [4]]))
    xy = np.array([[2, 6], [4, 4]])
    # when dispatched with the tie-break order as given, and rotated by one
    first = match_nearest(requests, IdleDrivers(np.array([0, 0]), xy, np.array([0])), np.array([10]), 1)
    second = match_nearest(requests, IdleDrivers(np.array([0, 0]), xy, np.array([1])), np.array([10]), 1)
    # then the first, then the second driver is sent, 2 blocks away
    assert (first.driver.tolist(), second.driver.tolist()) == ([0], [1])
    assert first.distance.tolist() == second.distance.tolist() == [2]


def test_distance_wraps_at_the_edges() -> None:
    # given a request at one edge and drivers just across it and in the middle
    requests = Requests(point=np.array([0]), xy=np.array([[0], [0]]))
    drivers = IdleDrivers(point=np.array([0, 0]), xy=np.array([[9, 3], [9, 0]]), rotation=np.zeros(1, dtype=np.int64))
    # when dispatched on a 10-block city
    found = match_nearest(requests, drivers, np.array([10]), 1)
    # then the driver across the edge (2 blocks away) is nearer than the one 3 blocks away
    assert found.driver.tolist() == [0] and found.distance.tolist() == [2]


@PROPERTY
@given(st.integers(2, 30), st.data())
def test_a_path_position_is_that_many_blocks_along_a_shortest_path(size: int, data: st.DataObject) -> None:
    # given a start, a goal and a number of blocks not beyond the goal
    sx, sy, gx, gy = (data.draw(st.integers(0, size - 1)) for _ in range(4))
    total = int(torus_distance(sx, sy, gx, gy, size))
    blocks = data.draw(st.integers(0, total))
    # when the position along the path is taken
    (x,), (y,) = along_path(np.array([[sx], [sy]]), np.array([[gx], [gy]]), np.array([size]), np.array([blocks]))
    # then it is that far from the start and the rest of the way from the goal
    assert int(torus_distance(sx, sy, x, y, size)) == blocks
    assert int(torus_distance(x, y, gx, gy, size)) == total - blocks
