"""``python -m sim.market.precompile [--cache-dir DIR]``: compile the market's kernels into
numba's on-disk cache, so that no process that later reads it compiles anything.

The directory is ``--cache-dir``, else ``$NUMBA_CACHE_DIR``. Every specialization the
engine uses is compiled by simulating two tiny points (one per dispatch rule, with supply
equilibration) and saved for the portable CPU target (see sim/market/cache.py). A
process that sets ``NUMBA_CACHE_DIR`` to that directory then loads the kernels from it,
even where the directory is read-only (Lambda's /var/task). Prints what it compiled and
exits non-zero if nothing was written.

The files are the same bytes on every run from the same sources, interpreter and numba:
the run re-executes itself with ``PYTHONHASHSEED=0`` (numba links a kernel's callees in
set order, which string hashing would otherwise vary).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sim.market.cache import CACHE_DIR_ENV, compiled_functions, use_cache_dir
from sim.market.engine import simulate_points
from sim.params import defaults


def compile_kernels() -> dict[str, int]:
    """Run the engine on two tiny points; returns the cache misses (compilations) per kernel."""
    tiny = defaults() | {"city_size": 6, "num_drivers": 8, "num_riders": 40, "horizon_min": 40, "warmup_min": 5}
    simulate_points(
        [
            (tiny | {"batch_dispatch": rule, "equilibration_interval_min": 5}, np.random.SeedSequence(0))
            for rule in (False, True)
        ]
    )
    return {name: sum(function.stats.cache_misses.values()) for name, function in compiled_functions().items()}


HASH_SEED_ENV = "PYTHONHASHSEED"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get(HASH_SEED_ENV) != "0":
        command = [sys.executable, "-m", "sim.market.precompile", *arguments]
        os.execve(sys.executable, command, {**os.environ, HASH_SEED_ENV: "0"})
    parser = argparse.ArgumentParser(prog="python -m sim.market.precompile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None, help=f"cache directory (default: ${CACHE_DIR_ENV})")
    args = parser.parse_args(arguments)
    cache_dir = args.cache_dir or (Path(os.environ[CACHE_DIR_ENV]) if os.environ.get(CACHE_DIR_ENV) else None)
    if cache_dir is None:
        parser.error(f"give --cache-dir or set {CACHE_DIR_ENV}")
    if any(function.signatures for function in compiled_functions().values()):
        parser.error("run in a fresh process: kernels are compiled already")
    use_cache_dir(cache_dir.resolve())
    compiled = compile_kernels()
    files = sorted(p for p in cache_dir.rglob("*") if p.is_file())
    for name, misses in compiled.items():
        print(f"{name}: {misses} specialization(s) compiled")
    print(f"{len(files)} files, {sum(p.stat().st_size for p in files)} bytes in {cache_dir}")
    return 0 if files else 1


if __name__ == "__main__":
    raise SystemExit(main())
