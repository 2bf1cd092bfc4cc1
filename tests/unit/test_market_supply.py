"""Supply equilibration: the size of each adjustment and where supply starts (which
drivers move is checked against the reference reading in test_market_dispatch.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.market.kernel import supply_change
from sim.market.spec import PointSpec, mean_trip_blocks
from sim.params import defaults


def change(online: int, busy_share: float, wage: float, pool: int = 1000) -> int:
    minutes = 10 * online
    return int(supply_change(online, minutes, round(busy_share * minutes), 60.0, wage, pool))


def test_drivers_join_when_earnings_beat_the_wage_and_leave_when_not() -> None:
    # given 100 online drivers whose busy hour pays 60
    # when half their time is busy (earning 30/h) against wages of 25, 30 and 36
    # then 10% join (capped), none move, and 10% leave (capped: the gap is 17%, damped 8%)
    assert change(100, 0.5, 25.0) == 10
    assert change(100, 0.5, 30.0) == 0
    assert change(100, 0.5, 36.0) == -8


def test_adjustments_stay_within_one_and_the_pool() -> None:
    assert change(1, 0.0, 30.0) == 0  # never below one driver
    assert change(100, 1.0, 1.0, pool=104) == 4  # never above the pool
    assert change(5, 0.5, 0.0) == 1  # a zero wage attracts at least one driver


def test_the_equilibrium_estimate_starts_supply_where_pay_meets_the_wage() -> None:
    # given the default market: 5 requests a minute of about 12 blocks each
    spec = PointSpec.from_params(defaults() | {"num_drivers": 10_000})
    # then the first online count is P3 drivers needed / the P3 share paying the wage
    busy_share = spec.reservation_wage / spec.busy_hour_payout
    assert spec.initial_online() == int(np.ceil(5.0 * mean_trip_blocks(24) / busy_share))


def test_mean_trip_length_is_that_of_two_distinct_uniform_cells() -> None:
    size = 7
    cells = [(x, y) for x in range(size) for y in range(size)]
    lengths = [
        min(abs(ax - bx), size - abs(ax - bx)) + min(abs(ay - by), size - abs(ay - by))
        for ax, ay in cells
        for bx, by in cells
        if (ax, ay) != (bx, by)
    ]
    assert mean_trip_blocks(size) == pytest.approx(np.mean(lengths))
