"""Work per shard: how long a shard will take to simulate, and the smallest shard_count that fits.

A point's time is modelled as ``SECONDS_PER_POINT + SECONDS_PER_DRIVER_MINUTE x num_drivers x
horizon_min + SECONDS_PER_REQUEST x num_riders x request_rate x horizon_min`` (drivers move every
simulated minute; every ride request is dispatched and becomes a trip_data row). The request is
refused when its heaviest shard would take more than ``SHARD_BUDGET_SECONDS``: a fraction of the
child's timeout, leaving room for a slower CPU, cold starts and the Parquet writes.

Calibration (the one place to change when the engine changes): ``python -m sim.contract.workload``
simulates seven shard-sized batches of 40 points (50-1600 drivers, 500-20000 riders, 300-1200 min,
``CALIBRATION_POINTS``) and prints a least-squares fit. On this project's 2-core development
machine, 2026-12-01, the compiled kernel (JIT; the functions' ahead-of-time module runs the same
code) fitted 0.93 ms per point, 7.2e-9 s per driver-minute and 3.1e-7 s per request. The constants
below are about twice that, rounded up, because the fit covers the simulation only: building the
trip tables and encoding them to Parquet cost about as much again per request, and a loaded CPU
measured up to 2x slower. (The numpy engine before it: 25 ms, 1.5e-8 s, 2.5e-6 s.)
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.limits import CHILD_TIMEOUT_SECONDS
from sim.params import ParamValue, defaults

SECONDS_PER_POINT = 0.002
SECONDS_PER_DRIVER_MINUTE = 1.5e-8
SECONDS_PER_REQUEST = 7e-7
SHARD_BUDGET_FRACTION = 0.5
SHARD_BUDGET_SECONDS = SHARD_BUDGET_FRACTION * CHILD_TIMEOUT_SECONDS
"""The most simulated time one shard may be planned for: half the child's timeout."""
MAX_SHARD_COUNT = 1000
"""The schema's bound on shard_count."""
WORK_PARAMETERS = ("num_drivers", "horizon_min", "num_riders", "request_rate")
CALIBRATION_POINTS = (
    (200, 500, 600),
    (50, 500, 300),
    (800, 500, 600),
    (200, 5000, 600),
    (400, 2000, 1200),
    (1600, 500, 300),
    (100, 20000, 300),
)
"""(num_drivers, num_riders, horizon_min) of the calibration batches, 40 points each."""


def point_seconds(num_drivers: Any, horizon_min: Any, num_riders: Any, request_rate: Any) -> Any:
    """Estimated simulation time of a point; works on numbers and on numpy arrays alike."""
    requests = num_riders * request_rate * horizon_min
    return SECONDS_PER_POINT + SECONDS_PER_DRIVER_MINUTE * num_drivers * horizon_min + SECONDS_PER_REQUEST * requests


def shard_seconds(points: Sequence[Mapping[str, ParamValue]]) -> float:
    """Estimated simulation time of a shard, from its points' full parameter sets."""
    return float(sum(point_seconds(*(p[name] for name in WORK_PARAMETERS)) for p in points))


def grid_unit_seconds(dimensions: Mapping[str, Sequence[ParamValue]], replications: int = 1) -> np.ndarray:
    """Every work unit's estimated time, indexed by unit index (point_index x replications + replicate):
    each replicate of a point costs what the point costs."""
    return np.repeat(grid_point_seconds(dimensions), replications)


def grid_point_seconds(dimensions: Mapping[str, Sequence[ParamValue]]) -> np.ndarray:
    """Every grid point's estimated time, indexed by point_index (row-major over sorted names)."""
    names = sorted(dimensions)
    shape = [len(dimensions[n]) for n in names]
    base = defaults()
    columns = {}
    for name in WORK_PARAMETERS:
        if name in dimensions:
            axis = names.index(name)
            values = np.asarray(dimensions[name], dtype=float).reshape(
                [-1 if i == axis else 1 for i in range(len(names))]
            )
            columns[name] = np.broadcast_to(values, shape).ravel()
        else:
            columns[name] = np.full(math.prod(shape), float(base[name]))
    return np.asarray(point_seconds(*(columns[n] for n in WORK_PARAMETERS)), dtype=float)


def heaviest_shard_seconds(work: np.ndarray, shard_count: int) -> float:
    """The largest shard's estimated time when shard s owns the work units with index % shard_count == s."""
    shards = np.bincount(np.arange(work.size) % shard_count, weights=work, minlength=shard_count)
    return float(shards.max())


def smallest_fitting_shard_count(work: np.ndarray, budget: float = SHARD_BUDGET_SECONDS) -> int | None:
    """The smallest shard_count whose heaviest shard fits the budget, or None when none up to the bound does."""
    limit = min(MAX_SHARD_COUNT, work.size)
    if work.size == 0 or float(work.max()) > budget:
        return None
    for shard_count in range(max(1, math.ceil(float(work.sum()) / budget)), limit + 1):
        if heaviest_shard_seconds(work, shard_count) <= budget:
            return shard_count
    return None


def workload_problem(
    dimensions: Mapping[str, Sequence[ParamValue]], shard_count: int, replications: int = 1
) -> str | None:
    """Why the request's heaviest shard would not finish well inside the child's timeout, or None."""
    work = grid_unit_seconds(dimensions, replications)
    heaviest = heaviest_shard_seconds(work, shard_count)
    if heaviest <= SHARD_BUDGET_SECONDS:
        return None
    share = f"{SHARD_BUDGET_FRACTION:.0%} of the child's {CHILD_TIMEOUT_SECONDS} s timeout"
    budget = f"at most {SHARD_BUDGET_SECONDS:.0f} s ({share})"
    fitting = smallest_fitting_shard_count(work)
    if fitting is None:
        return (
            f"the heaviest shard would take about {heaviest:.0f} s to simulate, {budget}, and no shard_count up to "
            f"{min(MAX_SHARD_COUNT, work.size)} fits (the heaviest unit alone takes about {float(work.max()):.0f} s): "
            "sweep fewer points or smaller ones (num_drivers, num_riders x request_rate, horizon_min)"
        )
    return f"the heaviest shard would take about {heaviest:.0f} s to simulate, {budget}; use shard_count >= {fitting}"


def _calibrate() -> None:
    """Print the engine's measured speed on shard-sized batches, and a least-squares fit of the coefficients."""
    from sim.grid import point_seed
    from sim.market import simulate_points

    batch = 40
    rows = []
    for drivers, riders, horizon in CALIBRATION_POINTS:
        points = []
        for i in range(batch):
            params = {**defaults(), "num_drivers": drivers, "num_riders": riders, "horizon_min": horizon}
            params["commission_rate"] = 0.1 + i / 1000
            points.append((params, point_seed(1, params)))
        simulate_points(points[:2])
        started = time.perf_counter()
        simulate_points(points)
        elapsed = time.perf_counter() - started
        rate = float(points[0][0]["request_rate"])
        rows.append((batch, batch * drivers * horizon, batch * riders * rate * horizon, elapsed))
        estimate = batch * point_seconds(drivers, horizon, riders, rate)
        point = f"{drivers:5d} drivers {riders:6d} riders {horizon:5d} min"
        print(f"{point}: {elapsed:7.2f} s measured, {estimate:7.2f} s estimated")
    fit, *_ = np.linalg.lstsq(np.array([r[:3] for r in rows], dtype=float), np.array([r[3] for r in rows]), rcond=None)
    print(f"fit: {fit[0]:.3g} s per point, {fit[1]:.3g} s per driver-minute, {fit[2]:.3g} s per request")


if __name__ == "__main__":
    _calibrate()
