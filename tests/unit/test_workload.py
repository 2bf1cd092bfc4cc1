"""Work per shard: the estimate, the refusal of a shard too heavy for the child, the shard_count named."""

from __future__ import annotations

import pytest

from sim.contract import RequestInvalid, parse_request
from sim.contract.workload import (
    SHARD_BUDGET_SECONDS,
    grid_point_seconds,
    grid_unit_seconds,
    heaviest_shard_seconds,
    point_seconds,
    shard_seconds,
    smallest_fitting_shard_count,
)
from sim.grid import shard_units
from sim.limits import CHILD_TIMEOUT_SECONDS

# The request: 100,000 points in one shard.
HUGE = {"num_drivers": list(range(1, 1001)), "commission_rate": [i / 1000 for i in range(100)]}


def body(dimensions: dict, shard_count: int) -> dict:
    return {"run_id": "heavy-001", "dimensions": dimensions, "shard_count": shard_count, "seed": 1}


def test_the_budget_is_well_inside_the_childs_timeout() -> None:
    assert 0 < SHARD_BUDGET_SECONDS <= CHILD_TIMEOUT_SECONDS / 2


def test_a_hundred_thousand_points_in_one_shard_are_refused_naming_the_smallest_shard_count() -> None:
    with pytest.raises(RequestInvalid) as raised:
        parse_request(body(HUGE, 1))

    [message] = raised.value.errors
    assert message.startswith("shard_count: the heaviest shard would take about ")
    fitting = int(message.rsplit(">= ", 1)[1])
    request = parse_request(body(HUGE, fitting))
    assert request.shard_count == fitting
    with pytest.raises(RequestInvalid, match=f"use shard_count >= {fitting}"):
        parse_request(body(HUGE, fitting - 1))


@pytest.mark.parametrize("replications", [1, 3])
def test_the_grid_estimate_agrees_with_the_estimate_from_each_shards_units(replications: int) -> None:
    dimensions = {"num_drivers": (50, 400), "horizon_min": (300, 1200), "num_riders": (500, 4000)}
    work = grid_unit_seconds(dimensions, replications)

    for shard_count in (1, 3, 8):
        by_units = max(
            shard_seconds([u.point.params for u in shard_units(dimensions, replications, shard_count, s)])
            for s in range(shard_count)
        )
        assert heaviest_shard_seconds(work, shard_count) == pytest.approx(by_units)


def test_replications_multiply_the_work_a_request_is_refused_for() -> None:
    # given a grid that fits one shard once, but not 40 times over
    dimensions = {"num_drivers": [20_000], "horizon_min": [100_000]}
    assert float(grid_point_seconds(dimensions).sum()) < SHARD_BUDGET_SECONDS
    parse_request(body(dimensions, 1))

    # when it asks for 40 replications in one shard, then it is refused naming a shard_count that fits
    with pytest.raises(RequestInvalid, match=r"use shard_count >= \d+"):
        parse_request({**body(dimensions, 1), "replications": 40})


def test_a_grid_no_shard_count_can_fit_says_so() -> None:
    # 100,000 of the heaviest points: even 1000 shards (the most there can be) are over the budget
    dimensions = {"num_drivers": list(range(19_901, 20_001)), "horizon_min": list(range(99_001, 100_001))}
    work = grid_point_seconds(dimensions)
    assert float(work.sum()) / 1000 > SHARD_BUDGET_SECONDS
    assert smallest_fitting_shard_count(work) is None

    with pytest.raises(RequestInvalid) as raised:
        parse_request(body(dimensions, 1000))

    [message] = raised.value.errors
    assert message.startswith("shard_count: the heaviest shard would take about ")
    assert "no shard_count up to 1000 fits" in message and "sweep fewer points or smaller ones" in message


def test_the_estimate_grows_with_drivers_horizon_and_requests() -> None:
    base = point_seconds(200, 600, 500, 0.01)

    assert point_seconds(400, 600, 500, 0.01) > base
    assert point_seconds(200, 1200, 500, 0.01) > point_seconds(400, 600, 500, 0.01)
    assert point_seconds(200, 600, 1000, 0.01) == point_seconds(200, 600, 500, 0.02) > base
