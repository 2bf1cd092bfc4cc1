"""The market kernel compiled ahead of time for the functions' Python, built once per content.

The functions cannot carry numba and its LLVM (llvmlite alone is 170 MiB; importing numba
costs a cold start about a second), so they run ``sim.market._kernel_aot``: an extension
module built by ``python -m sim.market.precompile`` with numba.pycc, needing only numpy.
It is built on this machine (the images have no compiler and no network) in a venv on
FUNCTION_PYTHON synced from ``kernel-build.lock``, and cached under ``.cache/kernel-aot``
by the sha256 of the kernel's sources, its build script and the lock, so a clone builds it once
(one builder at a time: the ci's background image build and a test may ask together). The
zip packages and the images' build contexts carry the one file; it never enters the source
tree.

``run --local``'s workers run the same module built for their own interpreter
(``local_kernel_module``, with the development environment's numba), so that none of them
imports numba."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from pipeline.envs.constants import FUNCTION_PYTHON
from pipeline.envs.python import find_python
from pipeline.envs.venv import ensure_venv
from pipeline.kernel.exceptions import KernelBuildFailed
from pipeline.locking import exclusive
from pipeline.paths import CACHE_DIR, REPO_ROOT

KERNEL_BUILD_LOCK = Path(__file__).with_name("kernel-build.lock")
KERNEL_BUILD_VENV = CACHE_DIR / "kernel-build-venv"
KERNEL_CACHE = CACHE_DIR / "kernel-aot"
# What the module is built from: a change to any of them is a new build.
BUILD_INPUTS = tuple(
    REPO_ROOT / "sim" / "market" / name for name in ("kernel.py", "constants.py", "compiled.py", "precompile.py")
)
BUILD_TIMEOUT_SECONDS = 600
# Where the module goes in a package or image (beside kernel.py: sim.market._kernel_aot).
MODULE_DIR = "sim/market"


def _build_key(python_version: str, builder: str = "") -> str:
    """The cache directory's name: the inputs' digest (and ``builder``, the numba of a local build), the Python."""
    sha = hashlib.sha256(builder.encode())
    for path in (*BUILD_INPUTS, KERNEL_BUILD_LOCK):
        sha.update(hashlib.sha256(path.read_bytes()).digest())
    return f"{sha.hexdigest()[:20]}-py{python_version}"


def _built(target: Path) -> Path | None:
    built = sorted(target.glob("_kernel_aot.*.so")) if (target / ".complete").exists() else []
    return built[0] if built else None


def kernel_module() -> Path:
    """The module for the functions' Python (``_kernel_aot.cpython-313-….so``), built in its own venv,
    to be placed in ``sim/market/``."""
    target = KERNEL_CACHE / _build_key(FUNCTION_PYTHON)
    return _module(target, lambda: str(ensure_venv(KERNEL_BUILD_VENV, KERNEL_BUILD_LOCK, find_python(FUNCTION_PYTHON))))


def _module(target: Path, python: Callable[[], str]) -> Path:
    """The module in ``target``, built there by the interpreter ``python()`` if absent."""
    with exclusive(KERNEL_CACHE / f".{target.name}.lock"):
        if (built := _built(target)) is None:
            _build(python(), target)
            built = _built(target)
    if built is None:
        raise KernelBuildFailed(f"{target}: the build left no module")
    return built


def _build(python: str, target: Path) -> None:
    partial = target.with_name(f"{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "NUMBA_", "SWEEP_"))}
    argv = [python, "-m", "sim.market.precompile", "--out", str(partial)]
    try:
        done = subprocess.run(
            argv, cwd=REPO_ROOT, env={**env, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True,
            timeout=BUILD_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        shutil.rmtree(partial, ignore_errors=True)
        raise KernelBuildFailed(f"building the kernel module took over {BUILD_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0 or len(list(partial.glob("_kernel_aot.*.so"))) != 1:
        shutil.rmtree(partial, ignore_errors=True)
        raise KernelBuildFailed(f"building the kernel module failed:\n{(done.stdout + done.stderr)[-2000:]}")
    (partial / ".complete").write_text("")
    partial.rename(target)


def local_kernel_module() -> Path | None:
    """The module built for this interpreter with its own numba (on first use, about 20 s), or None
    where it cannot be built here (no C compiler, say): then the processes run numba's JIT."""
    version = "{}.{}".format(*sys.version_info[:2])
    target = KERNEL_CACHE / _build_key(version, f"numba=={metadata.version('numba')}")
    if _built(target) is None:
        print(f"compiling the market kernel for Python {version}, once (about 20 s)", file=sys.stderr)
    try:
        return _module(target, lambda: sys.executable)
    except KernelBuildFailed as failure:
        print(f"the market kernel runs on numba's JIT instead: {failure}", file=sys.stderr)
        return None


def kernel_module_file() -> tuple[str, Path]:
    """The module's path inside a package (``sim/market/_kernel_aot….so``) and its built file."""
    module = kernel_module()
    return f"{MODULE_DIR}/{module.name}", module
