"""The market kernel compiled ahead of time for the functions' Python, built once per content.

The functions cannot carry numba and its LLVM (llvmlite alone is 170 MiB; importing numba
costs a cold start about a second), so they run ``sim.market._kernel_aot``: an extension
module built by ``python -m sim.market.precompile`` with numba.pycc, needing only numpy.
It is built on this machine (the images have no compiler and no network) in a venv on
FUNCTION_PYTHON synced from ``kernel-build.lock``, and cached under ``.cache/kernel-aot``
by the sha256 of the kernel's sources, its build script and the lock, so a clone builds it once. The
zip packages and the images' build contexts carry the one file; it never enters the source
tree."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from pipeline.deploy.exceptions import PackagingFailed
from pipeline.envs.constants import FUNCTION_PYTHON
from pipeline.envs.python import find_python
from pipeline.envs.venv import ensure_venv
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


def _build_key() -> str:
    sha = hashlib.sha256()
    for path in (*BUILD_INPUTS, KERNEL_BUILD_LOCK):
        sha.update(hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()[:20]


def kernel_module() -> Path:
    """The built extension module (``_kernel_aot.cpython-313-….so``), to be placed in ``sim/market/``."""
    target = KERNEL_CACHE / _build_key()
    built = sorted(target.glob("_kernel_aot.*.so")) if (target / ".complete").exists() else []
    if built:
        return built[0]
    python = ensure_venv(KERNEL_BUILD_VENV, KERNEL_BUILD_LOCK, find_python(FUNCTION_PYTHON))
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "NUMBA_"))}
    argv = [str(python), "-m", "sim.market.precompile", "--out", str(partial)]
    try:
        done = subprocess.run(
            argv, cwd=REPO_ROOT, env={**env, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True,
            timeout=BUILD_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        shutil.rmtree(partial, ignore_errors=True)
        raise PackagingFailed(f"building the kernel module took over {BUILD_TIMEOUT_SECONDS} s") from None
    modules = sorted(partial.glob("_kernel_aot.*.so"))
    if done.returncode != 0 or len(modules) != 1:
        shutil.rmtree(partial, ignore_errors=True)
        raise PackagingFailed(f"building the kernel module failed:\n{(done.stdout + done.stderr)[-2000:]}")
    (partial / ".complete").write_text("")
    try:
        partial.rename(target)
    except OSError:  # another process finished first
        shutil.rmtree(partial, ignore_errors=True)
    return sorted(target.glob("_kernel_aot.*.so"))[0]


def kernel_module_file() -> tuple[str, Path]:
    """The module's path inside a package (``sim/market/_kernel_aot….so``) and its built file."""
    module = kernel_module()
    return f"{MODULE_DIR}/{module.name}", module
