"""Model sanity: the simulated market behaves like a ride-hailing market.

Each comparison runs its variants over several seeds in one batch and compares
means, with margins several times the seed-to-seed spread, so the tests do not
flake; the fixed seeds make them deterministic anyway."""

from __future__ import annotations

import numpy as np
import pytest

from sim.market import simulate_points
from sim.params import ParamValue, defaults

SEEDS = range(4)


RULES = pytest.mark.parametrize(
    "rule", [{"batch_dispatch": False}, {"batch_dispatch": True}], ids=["ridehail", "batch"]
)


def means(**overrides: ParamValue) -> dict[str, float]:
    """Metrics averaged over SEEDS for the default point with these overrides."""
    point = defaults() | {"horizon_min": 400, "warmup_min": 100} | overrides
    results = simulate_points([(point, np.random.SeedSequence([2024, seed])) for seed in SEEDS])
    names = (
        "drivers_online_mean",
        "wait_mean_min",
        "wait_p50_min",
        "trips_abandoned",
        "driver_earnings_per_online_hour",
    )
    return {name: float(np.mean([r.metrics[name] for r in results])) for name in names}


@RULES
def test_littles_law_holds_in_steady_state(rule: dict[str, ParamValue]) -> None:
    # given a fixed fleet serving a steady stream of requests for 1000 minutes
    point = defaults() | {"equilibrate": False, "num_drivers": 150, "horizon_min": 1000, "warmup_min": 100} | rule
    results = simulate_points([(point, np.random.SeedSequence([7, seed])) for seed in SEEDS])
    # then mean P3 drivers = completed trips per minute x mean trip minutes, within 3%
    for result in results:
        assert 0.97 <= result.metrics["littles_law_ratio"] <= 1.03


@RULES
def test_littles_law_holds_with_supply_equilibration(rule: dict[str, ParamValue]) -> None:
    point = defaults() | {"horizon_min": 1000, "warmup_min": 100} | rule
    (result,) = simulate_points([(point, np.random.SeedSequence(8))])
    assert 0.97 <= result.metrics["littles_law_ratio"] <= 1.03


@RULES
def test_higher_commission_means_fewer_drivers_and_longer_waits(rule: dict[str, ParamValue]) -> None:
    # given supply that responds to pay, and a pool larger than anyone needs
    common = {"equilibrate": True, "num_drivers": 400}
    # when the platform keeps 30% instead of 10% of each fare
    low, high = means(commission_rate=0.1, **common, **rule), means(commission_rate=0.3, **common, **rule)
    # then fewer drivers are online and the median rider waits longer
    assert high["drivers_online_mean"] < 0.9 * low["drivers_online_mean"]
    assert high["wait_p50_min"] > low["wait_p50_min"]


@RULES
def test_equilibrium_earnings_meet_the_reservation_wage(rule: dict[str, ParamValue]) -> None:
    # given supply that responds to pay and a pool that does not bind
    earnings = means(num_drivers=400, reservation_wage=25.0, **rule)["driver_earnings_per_online_hour"]
    # then drivers online earn about their reservation wage
    assert earnings == pytest.approx(25.0, rel=0.05)


@RULES
def test_more_drivers_mean_shorter_waits(rule: dict[str, ParamValue]) -> None:
    # given a fixed fleet
    few = means(equilibrate=False, num_drivers=100, **rule)["wait_mean_min"]
    many = means(equilibrate=False, num_drivers=150, **rule)["wait_mean_min"]
    # then half as many drivers again cut the mean wait clearly
    assert many < 0.8 * few


@RULES
def test_less_patience_means_more_abandonment(rule: dict[str, ParamValue]) -> None:
    # given a tight fixed fleet
    impatient = means(equilibrate=False, num_drivers=100, patience_min=2, **rule)["trips_abandoned"]
    patient = means(equilibrate=False, num_drivers=100, patience_min=10, **rule)["trips_abandoned"]
    # then riders who wait 2 minutes abandon far more often than riders who wait 10
    assert impatient > 5 * patient + 10
