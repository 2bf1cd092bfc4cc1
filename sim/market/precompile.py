"""``python -m sim.market.precompile``: compile the market's numba kernels into ``NUMBA_CACHE_DIR``.

Run at build time (both images' Dockerfiles) with ``NUMBA_CPU_NAME=generic``, so the cache is
valid on any x86-64 CPU. STAND-IN until issue 10's compiled kernel lands: this tree's market has
no numba kernel yet, so it checks the two settings, proves numba and llvmlite load on the
image's Python and creates the (empty) cache directory. Issue 10's module of the same name,
which compiles every kernel, replaces it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

CACHE_DIR_ENV = "NUMBA_CACHE_DIR"
CPU_NAME_ENV = "NUMBA_CPU_NAME"
PORTABLE_CPU = "generic"


def main() -> int:
    cache_dir = os.environ.get(CACHE_DIR_ENV, "").strip()
    if not cache_dir:
        print(f"{CACHE_DIR_ENV}: required, the directory the kernels are cached in", file=sys.stderr)
        return 2
    if os.environ.get(CPU_NAME_ENV) != PORTABLE_CPU:
        print(f"{CPU_NAME_ENV}: must be {PORTABLE_CPU!r} (a cache for any x86-64 CPU)", file=sys.stderr)
        return 2
    import llvmlite
    import numba

    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    print(f"numba {numba.__version__}, llvmlite {llvmlite.__version__}: no kernels to compile (stand-in)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
