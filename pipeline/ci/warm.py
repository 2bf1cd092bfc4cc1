"""``python -m pipeline.ci.warm jit|local-module|functions-module``: compile a form of the market
kernel once, before the stages whose tests need it (a background job of ``pipeline ci``).

``jit``: numba's on-disk cache (``NUMBA_CACHE``, the one every test process shares), for both
dispatch rules, so that two xdist workers do not each compile the kernels (about 17 s of CPU
apiece). ``local-module``: the module compiled for this interpreter, which ``run --local``'s
workers run. ``functions-module``: the module for the functions' Python, which the packages,
the images and the unit tests of their definitions need (pipeline/kernel/build.py)."""

from __future__ import annotations

import os
import sys

from pipeline.paths import NUMBA_CACHE
from sim.market.precompile import NUMBA_CACHE_DIR_ENV

JIT, LOCAL_MODULE, FUNCTIONS_MODULE = "jit", "local-module", "functions-module"
FORMS = (JIT, LOCAL_MODULE, FUNCTIONS_MODULE)


def warm_jit() -> None:
    os.environ.setdefault(NUMBA_CACHE_DIR_ENV, str(NUMBA_CACHE))
    import numpy as np

    from sim.market import simulate_points
    from sim.params import defaults

    small = defaults() | {"city_size": 8, "num_drivers": 10, "num_riders": 40, "horizon_min": 30, "warmup_min": 0}
    simulate_points([(small | {"batch_dispatch": rule}, np.random.SeedSequence(0)) for rule in (False, True)])


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in FORMS:
        print(f"usage: python -m pipeline.ci.warm {'|'.join(FORMS)}", file=sys.stderr)
        return 2
    if argv == [JIT]:
        warm_jit()
        return 0
    from pipeline.kernel import kernel_module, local_kernel_module

    if argv == [FUNCTIONS_MODULE]:
        kernel_module()
        return 0
    return 0 if local_kernel_module() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
