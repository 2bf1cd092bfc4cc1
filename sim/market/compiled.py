"""The market's kernels as the engine calls them: compiled ahead of time where shipped, numba's JIT otherwise.

The functions carry ``sim.market._kernel_aot`` (built by ``python -m sim.market.precompile``
into their packages and images only, never into the source tree): an extension module that
needs numpy alone, so a cold start neither imports numba nor compiles. ``run --local`` points
its workers' ``SWEEP_KERNEL_MODULE`` at the same module built for its own interpreter
(pipeline/kernel/build.py), so they do not import numba either (about 3 s of CPU per worker:
the import and loading the JIT's cache). Where neither is there (the tests' own processes,
which test kernel.py itself), the kernels are
kernel.py's own numba functions. The module carries the digest of the sources it was compiled
from; one that does not match the sources beside it is refused, so a stale build never runs.

The kernels load on first use (``kernels()``), so code that imports the engine without
simulating (the CLI, the parent) pays for neither."""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from sim.market.exceptions import StaleKernelModule

AOT_MODULE = "sim.market._kernel_aot"
# What is compiled into the module: the kernel and the constants it reads as globals.
KERNEL_SOURCES = (Path(__file__).with_name("kernel.py"), Path(__file__).with_name("constants.py"))
KERNEL_MODULE_ENV = "SWEEP_KERNEL_MODULE"
"""The path of a compiled module file to load as ``AOT_MODULE`` (one built for this interpreter)."""


class Kernels(NamedTuple):
    """The entry points (see kernel.request_rows, kernel.advance and kernel.tally) and where they come from."""

    request_rows: Callable[..., Any]
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


def load_kernels(
    module_name: str = AOT_MODULE, sources: Sequence[Path] = KERNEL_SOURCES, module_file: str | None = None
) -> Kernels:
    """The compiled module's kernels (from ``module_file`` if given, else the importable module)
    if there is one and it is current, else the JIT's."""
    try:
        module = _import_file(module_name, module_file) if module_file else importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        from sim.market import kernel

        return Kernels(kernel.request_rows, kernel.advance, kernel.tally, "jit")
    built, expected = module.source_digest(), source_digest(sources)
    if built != expected:
        raise StaleKernelModule(
            f"{module.__file__}: compiled from sources with digest {built}, but "
            f"{', '.join(p.name for p in sources)} here have {expected}: rebuild it (python -m sim.market.precompile)"
        )
    return Kernels(module.request_rows, module.advance, module.tally, module_name)


def _import_file(module_name: str, path: str) -> Any:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None or not Path(path).is_file():
        raise StaleKernelModule(f"{KERNEL_MODULE_ENV}={path}: not a compiled kernel module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def kernels() -> Kernels:
    """The kernels this process runs, loaded on the first call."""
    return load_kernels(module_file=os.environ.get(KERNEL_MODULE_ENV))
