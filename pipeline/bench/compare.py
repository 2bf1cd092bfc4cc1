"""This simulation against ridehail on the same scenarios, side by side.

Both run on one core, timed in CPU seconds of the simulation call only. Ours runs each
scenario as one point per simulate_points call (seed after seed), and as one call over
a shard-sized batch of seeds; ridehail runs one simulation at a time. Conventions are
aligned as far as the models allow: ridehail with instant pickup (pickup_time 0), no
cancellations, uniform destinations and its default idle cruising; ours with
ridehail's dispatch rule (batch_dispatch false), patience beyond the horizon, and
``requests_per_min`` riders who each request every minute (request_rate 1): exactly
ridehail's regular arrivals.

Equilibrating scenarios use ridehail's price equilibration with demand held fixed,
matched to ours: its per-block price is our fare per busy minute and its reservation
wage per block 1, both in units of our reservation wage per minute, so its adjustment
``round(0.5 x vehicles x (price x (1 - commission) x P3 share - wage))`` is ours,
``round(0.5 x online x (earnings / wage - 1))``, capped at 10% by both; it starts from
our first online count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.bench.reference import run_ridehail
from sim.market import PointResult, simulate_points
from sim.market.spec import PointSpec
from sim.params import ParamValue, defaults, parameters

MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class Scenario:
    """A market both simulators can run: a fixed fleet, or supply equilibrating at a commission."""

    key: str
    city_size: int
    drivers: int
    requests_per_min: float
    horizon_min: int = 1000
    warmup_min: int = 100
    commission: float | None = None  # None: a fixed fleet of ``drivers``; else ``drivers`` is the pool

    @property
    def name(self) -> str:
        market = f"({self.key}) city {self.city_size}, {self.requests_per_min:g} req/min, {self.horizon_min} min"
        if self.commission is None:
            return f"{market}, {self.drivers} drivers"
        return f"{market}, equilibrating, commission {self.commission:g}"

    def params(self) -> dict[str, ParamValue]:
        fleet: dict[str, ParamValue] = (
            {"equilibrate": False}
            if self.commission is None
            else {"equilibrate": True, "commission_rate": self.commission}
        )
        return (
            defaults()
            | {
                "city_size": self.city_size,
                "num_drivers": self.drivers,
                "num_riders": round(self.requests_per_min),
                "request_rate": 1.0,
                "patience_min": int(parameters()["patience_min"].maximum or 0),
                "horizon_min": self.horizon_min,
                "warmup_min": self.warmup_min,
                "batch_dispatch": False,
                # Snapshots every warm-up length: completed_cum then counts the window's dropoffs.
                "snapshot_interval_min": self.warmup_min,
            }
            | fleet
        )

    def ridehail(self, seed: int) -> dict[str, Any]:
        spec = PointSpec.from_params(self.params())
        scenario: dict[str, Any] = {
            "city_size": self.city_size,
            "vehicle_count": spec.initial_online(),
            "requests_per_min": self.requests_per_min,
            "time_blocks": self.horizon_min,
            "warmup_blocks": self.warmup_min,
            "seed": seed,
        }
        if self.commission is not None:
            wage_per_minute = spec.reservation_wage / MINUTES_PER_HOUR
            scenario["equilibration"] = {
                "price": spec.fare_per_busy_minute / wage_per_minute,
                "platform_commission": self.commission,
                "reservation_wage": 1.0,
                "equilibration_interval": spec.equilibration_interval_min,
            }
        return scenario


SCENARIOS = (
    Scenario("a", city_size=24, drivers=100, requests_per_min=5.0),
    Scenario("b", city_size=64, drivers=1000, requests_per_min=20.0),
    Scenario("c", city_size=16, drivers=30, requests_per_min=2.0, horizon_min=2000, warmup_min=200),
    Scenario("d", city_size=40, drivers=400, requests_per_min=15.0, horizon_min=1500, warmup_min=150),
    Scenario("e1", city_size=24, drivers=400, requests_per_min=5.0, horizon_min=2000, warmup_min=500, commission=0.1),
    Scenario("e3", city_size=24, drivers=400, requests_per_min=5.0, horizon_min=2000, warmup_min=500, commission=0.3),
)


@dataclass
class Measured:
    """Throughput and market results of some runs of one simulator on one scenario."""

    runs: int
    cpu_s: float
    driver_minutes: float
    results: list[dict[str, float]]

    # Per CPU second of the one core: wall time on a shared machine measures the neighbours.
    @property
    def driver_minutes_per_s(self) -> float:
        return self.driver_minutes / self.cpu_s

    def summary(self) -> dict[str, float]:
        names = ("p1_share", "p2_share", "p3_share", "wait_mean_min", "trips_per_min", "drivers_online_mean")
        means = {name: float(np.mean([r[name] for r in self.results])) for name in names}
        return {"runs": self.runs, "cpu_s": self.cpu_s, "driver_minutes_per_s": self.driver_minutes_per_s, **means}


def _ours(scenario: Scenario, result: PointResult) -> dict[str, float]:
    metrics, snapshots = result.metrics, result.snapshots
    # Trips dropped off from the end of the warm-up to the last snapshot, like ridehail's count.
    minutes = int(snapshots["minute"][-1] - snapshots["minute"][1])
    completed = int(snapshots["completed_cum"][-1] - snapshots["completed_cum"][1])
    return {
        "p1_share": float(metrics["p1_share"] or 0.0),
        "p2_share": float(metrics["p2_share"] or 0.0),
        "p3_share": float(metrics["p3_share"] or 0.0),
        "wait_mean_min": float(metrics["wait_mean_min"] or 0.0),
        "trips_per_min": completed / minutes,
        "drivers_online_mean": float(metrics["drivers_online_mean"] or 0.0),
    }


def measure_ours(scenario: Scenario, points: int, one_at_a_time: bool, seed: int = 1) -> Measured:
    """``points`` seeds of the scenario: in one simulate_points call, or one call each."""
    batch = [(scenario.params(), np.random.SeedSequence([seed, i])) for i in range(points)]
    calls = [[pair] for pair in batch] if one_at_a_time else [batch]
    results: list[PointResult] = []
    cpu = 0.0
    for call in calls:
        started = time.process_time()
        results += simulate_points(call)
        cpu += time.process_time() - started
    return Measured(
        runs=points,
        cpu_s=cpu,
        driver_minutes=sum(online_driver_minutes(scenario, r) for r in results),
        results=[_ours(scenario, r) for r in results],
    )


def online_driver_minutes(scenario: Scenario, result: PointResult) -> float:
    """Online driver-minutes of the whole run, the work simulated (with equilibration:
    the window's mean online count over the whole horizon, warm-up included)."""
    if scenario.commission is None:
        return float(scenario.drivers * scenario.horizon_min)
    return float(result.metrics["drivers_online_mean"] or 0.0) * scenario.horizon_min


def measure_ridehail(interpreter: Path, scenario: Scenario, runs: int, seed: int = 1) -> Measured:
    outputs = [run_ridehail(interpreter, scenario.ridehail(seed + i)) for i in range(runs)]
    return Measured(
        runs=runs,
        cpu_s=sum(o["cpu_s"] for o in outputs),
        driver_minutes=sum(o["driver_minutes"] for o in outputs),
        results=outputs,
    )


def warm_up() -> None:
    """Import, first-call and cache-loading costs are not the simulation's: pay them before timing."""
    tiny = Scenario("warm-up", city_size=8, drivers=5, requests_per_min=1.0, horizon_min=70, warmup_min=5)
    simulate_points([(tiny.params() | {"batch_dispatch": rule}, np.random.SeedSequence(0)) for rule in (False, True)])
