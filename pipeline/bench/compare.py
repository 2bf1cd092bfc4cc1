"""This simulation against ridehail on the same fixed-fleet scenarios.

Both run on one core. Ours simulates a batch of replicate points (seeds) in one
simulate_points call, as a shard does, and also one point alone; ridehail runs
one simulation at a time (it has no batch mode). Conventions are aligned as far
as the models allow: ridehail with instant pickup (pickup_time 0), no
cancellations, uniform destinations and its default idle cruising; ours with a
fixed fleet (equilibrate false) and patience beyond the horizon. ridehail issues
exactly requests_per_min requests every minute; so do ours with requests_per_min
riders who each request every minute (request_rate 1), the configuration the
verdict uses. A second configuration, 100 x requests_per_min riders at
request_rate 0.01, shows the same market with random (binomial) arrivals.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.bench.reference import run_ridehail
from sim.market import PointResult, simulate_points
from sim.params import ParamValue, defaults, parameters

# Our requests per minute are num_riders x request_rate. Rate 1: every rider requests
# every minute, ridehail's regular arrivals; rate 0.01: random arrivals, same mean.
REGULAR = 1.0
RANDOM = 0.01


@dataclass(frozen=True)
class Scenario:
    """A fixed-fleet market both simulators can run."""

    name: str
    city_size: int
    drivers: int
    requests_per_min: float
    horizon_min: int = 1000
    warmup_min: int = 100

    @property
    def driver_minutes(self) -> int:
        return self.drivers * self.horizon_min

    def params(self, request_rate: float = REGULAR) -> dict[str, ParamValue]:
        return defaults() | {
            "city_size": self.city_size,
            "num_drivers": self.drivers,
            "num_riders": round(self.requests_per_min / request_rate),
            "request_rate": request_rate,
            "equilibrate": False,
            "patience_min": int(parameters()["patience_min"].maximum or 0),
            "horizon_min": self.horizon_min,
            "warmup_min": self.warmup_min,
            # Snapshots at minute 0 and the last minute: completed_cum then counts the run's trips.
            "snapshot_interval_min": self.horizon_min - 1,
        }

    def ridehail(self, seed: int) -> dict[str, Any]:
        return {
            "city_size": self.city_size,
            "vehicle_count": self.drivers,
            "requests_per_min": self.requests_per_min,
            "time_blocks": self.horizon_min,
            "warmup_blocks": self.warmup_min,
            "seed": seed,
        }


SCENARIOS = (
    Scenario("city 24, 100 drivers, 5 req/min", city_size=24, drivers=100, requests_per_min=5.0),
    Scenario("city 64, 1000 drivers, 20 req/min", city_size=64, drivers=1000, requests_per_min=20.0),
)


@dataclass
class Measured:
    """Throughput and market results of some runs of one simulator on one scenario."""

    runs: int
    cpu_s: float
    wall_s: float
    driver_minutes: float
    trips: float
    p3_share: list[float] = field(default_factory=list)
    wait_mean_min: list[float] = field(default_factory=list)

    # Per CPU second of the one core: wall time on a shared machine measures the neighbours.
    @property
    def driver_minutes_per_s(self) -> float:
        return self.driver_minutes / self.cpu_s

    @property
    def trips_per_s(self) -> float:
        return self.trips / self.cpu_s

    def summary(self) -> dict[str, float]:
        return {
            "runs": self.runs,
            "cpu_s": self.cpu_s,
            "wall_s": self.wall_s,
            "driver_minutes_per_s": self.driver_minutes_per_s,
            "trips_per_s": self.trips_per_s,
            "p3_share": float(np.mean(self.p3_share)),
            "wait_mean_min": float(np.mean(self.wait_mean_min)),
        }


def measure_ours(scenario: Scenario, points: int, request_rate: float = REGULAR, seed: int = 1) -> Measured:
    """One simulate_points call over ``points`` replicates of the scenario."""
    batch = [(scenario.params(request_rate), np.random.SeedSequence([seed, i])) for i in range(points)]
    started, cpu_started = time.perf_counter(), time.process_time()
    results: Sequence[PointResult] = simulate_points(batch)
    cpu = time.process_time() - cpu_started
    wall = time.perf_counter() - started
    return Measured(
        runs=points,
        cpu_s=cpu,
        wall_s=wall,
        driver_minutes=points * scenario.driver_minutes,
        trips=float(sum(int(r.snapshots["completed_cum"][-1]) for r in results)),
        p3_share=[float(r.metrics["p3_share"] or 0.0) for r in results],
        wait_mean_min=[float(r.metrics["wait_mean_min"] or 0.0) for r in results],
    )


def measure_ridehail(interpreter: Path, scenario: Scenario, runs: int, seed: int = 1) -> Measured:
    outputs = [run_ridehail(interpreter, scenario.ridehail(seed + i)) for i in range(runs)]
    return Measured(
        runs=runs,
        cpu_s=sum(o["cpu_s"] for o in outputs),
        wall_s=sum(o["wall_s"] for o in outputs),
        driver_minutes=sum(o["driver_minutes"] for o in outputs),
        trips=sum(o["trips_completed"] for o in outputs),
        p3_share=[o["p3_share"] for o in outputs],
        wait_mean_min=[o["wait_mean_min"] for o in outputs],
    )


def warm_up() -> None:
    """Import and first-call costs are not the simulation's: pay them before timing."""
    tiny = Scenario("warm-up", city_size=8, drivers=5, requests_per_min=1.0, horizon_min=70, warmup_min=5)
    simulate_points([(tiny.params(), np.random.SeedSequence(0))])
