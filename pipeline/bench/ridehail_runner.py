"""Run ridehail on one scenario and print its throughput and results as JSON.

Runs inside .cache/ridehail-venv (ridehail needs Python >= 3.12), so it imports
nothing from this project. Reads the scenario as JSON on stdin: city_size,
vehicle_count, requests_per_min, time_blocks, warmup_blocks, seed, and optionally
``equilibration`` ({price, platform_commission, reservation_wage,
equilibration_interval}: ridehail's price equilibration of supply, demand fixed).
Uniform trips (mean_trip_distance = city_size // 2 makes destinations uniform),
instant pickup (pickup_time 0), no cancellations.
"""

from __future__ import annotations

import json
import sys
import time

from ridehail.atom import Animation, Equilibration, History
from ridehail.config import RideHailConfig
from ridehail.results import RideHailSimulationResults
from ridehail.simulation import RideHailSimulation


def configure(scenario: dict) -> RideHailConfig:
    config = RideHailConfig(use_config_file=False)
    settings = {
        "city_size": scenario["city_size"],
        "vehicle_count": scenario["vehicle_count"],
        "base_demand": scenario["requests_per_min"],
        "mean_trip_distance": scenario["city_size"] // 2,
        "time_blocks": scenario["time_blocks"],
        "results_window": scenario["time_blocks"] - scenario["warmup_blocks"],
        "random_number_seed": scenario["seed"],
        "pickup_time": 0,
        "max_wait_time": None,
        "equilibration": Equilibration.PRICE if "equilibration" in scenario else Equilibration.NONE,
        "demand_elasticity": 0.0,
        "use_city_scale": False,
        "animation": Animation.NONE,
        "run_sequence": True,  # ridehail's own sweep mode: no per-block state dict
        "idle_vehicles_moving": 1.0,
        "inhomogeneity": 0.0,
    }
    settings.update(scenario.get("equilibration", {}))
    for name, value in settings.items():
        getattr(config, name).value = value
    return config


def run(scenario: dict) -> dict:
    sim = RideHailSimulation(configure(scenario))
    completed = driver_minutes = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for block in range(scenario["time_blocks"]):
        sim.next_block()
        driver_minutes += len(sim.vehicles)
        if block >= scenario["warmup_blocks"]:
            completed += int(sim.history_results[History.TRIP_COMPLETED_COUNT]._get_tail())
    cpu = time.process_time() - cpu_started
    wall = time.perf_counter() - started
    measures = RideHailSimulationResults(sim).get_result_measures()
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "driver_minutes": driver_minutes,
        "trips_per_min": completed / (scenario["time_blocks"] - scenario["warmup_blocks"]),
        "p1_share": measures["VEHICLE_FRACTION_P1"],
        "p2_share": measures["VEHICLE_FRACTION_P2"],
        "p3_share": measures["VEHICLE_FRACTION_P3"],
        "drivers_online_mean": measures["VEHICLE_MEAN_COUNT"],
        "wait_mean_min": measures["TRIP_MEAN_WAIT_TIME"],
        "trip_mean_min": measures["TRIP_MEAN_RIDE_TIME"],
        "littles_law_check": measures["SIM_CHECK_NP3_OVER_RL"],
    }


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
