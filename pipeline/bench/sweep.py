"""Whole-sweep figures: the wall time of ``run --local`` on the issue's 2,000-point request,
and the peak resident memory of a 1,000-point shard of scenario (b), each in a fresh
process (so imports and loading the compiled kernels count, as they would for a user)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.bench.compare import SCENARIOS
from pipeline.bench.exceptions import BenchSetupFailed
from pipeline.paths import REPO_ROOT


def _spread(low: float, high: float, count: int) -> list[float]:
    return [round(low + (high - low) * i / (count - 1), 6) for i in range(count)]


SWEEP_REQUEST: dict[str, Any] = {
    "run_id": "bench-sweep-2000",
    "dimensions": {
        "commission_rate": _spread(0.05, 0.5, 10),
        "num_drivers": [int(v) for v in _spread(100, 300, 5)],
        "num_riders": [int(v) for v in _spread(300, 900, 4)],
        "city_size": [int(v) for v in _spread(16, 88, 10)],
    },
    "shard_count": 50,
    "seed": 1,
}


def shard_request(points: int = 1000) -> dict[str, Any]:
    """One shard of ``points`` copies of scenario (b), told apart by commission (which a
    fixed fleet ignores)."""
    params = next(s for s in SCENARIOS if s.key == "b").params()
    dimensions: dict[str, list[Any]] = {
        name: [params[name]]
        for name in ("city_size", "num_drivers", "num_riders", "request_rate", "equilibrate", "horizon_min")
    }
    dimensions |= {"warmup_min": [params["warmup_min"]], "patience_min": [params["patience_min"]]}
    dimensions["commission_rate"] = _spread(0.0, 0.9, points)
    return {"run_id": "bench-shard-b", "dimensions": dimensions, "shard_count": 1, "seed": 1}


# Runs a command and prints the peak resident KiB of its processes (the largest one).
_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _run_local(request: dict[str, Any], *extra: str) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of ``python -m pipeline run --local`` on the request."""
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as scratch:
        body = Path(scratch) / "request.json"
        body.write_text(json.dumps(request))
        out = str(Path(scratch) / "out")
        command = [sys.executable, "-c", _PEAK, sys.executable, "-m", "pipeline", "run", "--local", str(body)]
        started = time.perf_counter()
        result = subprocess.run([*command, "--out", out, *extra], cwd=REPO_ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise BenchSetupFailed(f"run --local failed:\n{result.stderr[-2000:]}")
    return seconds, int(result.stdout.split()[-1]) * 1024


def measure_sweep() -> float:
    """Wall seconds of the 2,000-point, 50-shard request on every core."""
    return _run_local(SWEEP_REQUEST)[0]


def measure_shard_memory() -> int:
    """Peak resident bytes of the largest process running a 1,000-point shard of (b)."""
    return _run_local(shard_request(), "--workers", "1")[1]
