"""The market's kernels as the engine calls them: compiled ahead of time where shipped, numba's JIT otherwise.

The functions carry ``sim.market._kernel_aot`` (built by ``python -m sim.market.precompile``
into their packages and images only, never into the source tree): an extension module that
needs numpy alone, so a cold start neither imports numba nor compiles. Where it is absent
(development, tests, ``run --local``) the kernels are kernel.py's own numba functions. The
module carries the digest of the sources it was compiled from; one that does not match the
sources beside it is refused, so a stale build never runs."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from sim.market.exceptions import StaleKernelModule

AOT_MODULE = "sim.market._kernel_aot"
# What is compiled into the module: the kernel and the constants it reads as globals.
KERNEL_SOURCES = (Path(__file__).with_name("kernel.py"), Path(__file__).with_name("constants.py"))


class Kernels(NamedTuple):
    """The two entry points (see kernel.advance and kernel.tally) and where they come from."""

    advance: Callable[..., Any]
    tally: Callable[..., Any]
    origin: str


def source_digest(sources: Sequence[Path] = KERNEL_SOURCES) -> int:
    """The sha256 of the sources' bytes (each length-prefixed), as a signed 64-bit integer."""
    sha = hashlib.sha256()
    for path in sources:
        content = path.read_bytes()
        sha.update(len(content).to_bytes(8, "big"))
        sha.update(content)
    return int.from_bytes(sha.digest()[:8], "big", signed=True)


def load_kernels(module_name: str = AOT_MODULE, sources: Sequence[Path] = KERNEL_SOURCES) -> Kernels:
    """The compiled module's kernels if it is importable and current, else the JIT's."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        from sim.market import kernel

        return Kernels(kernel.advance, kernel.tally, "jit")
    built, expected = module.source_digest(), source_digest(sources)
    if built != expected:
        raise StaleKernelModule(
            f"{module.__file__}: compiled from sources with digest {built}, but "
            f"{', '.join(p.name for p in sources)} here have {expected}: rebuild it (python -m sim.market.precompile)"
        )
    return Kernels(module.advance, module.tally, module_name)


KERNELS = load_kernels()
