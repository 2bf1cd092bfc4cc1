"""The market kernel compiled ahead of time (what the functions, `run --local` and its workers run):
results identical to numba's JIT, loaded with numba unimportable (on the functions' Python and on this
interpreter), refused when stale or missing, reproducible, and linked against no glibc newer than
the functions' bases have."""

from __future__ import annotations

import functools
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pipeline.deploy.package import install_dependencies
from pipeline.envs import FUNCTION_PYTHON, find_python
from pipeline.kernel import KERNEL_BUILD_VENV, kernel_module_file, local_kernel_module
from pipeline.paths import REPO_ROOT
from sim.market import simulate_points
from sim.market.compiled import KERNEL_MODULE_ENV, load_kernels
from sim.market.exceptions import StaleKernelModule
from sim.market.types import PointResult
from sim.params import ParamValue, defaults

pytestmark = pytest.mark.slow

# Amazon Linux 2023 (AWS's python:3.13 base) has glibc 2.34; Debian trixie (the local base) newer.
OLDEST_FUNCTION_GLIBC = (2, 34)

# Run first in the child: numba and llvmlite cannot be imported, as in the functions' packages.
BLOCK_NUMBA = """
import sys
class _Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numba", "llvmlite"):
            raise ImportError(f"{name} is blocked in this test")
sys.meta_path.insert(0, _Blocked())
"""


def random_markets(batch_dispatch: bool, count: int = 5) -> list[tuple[dict[str, ParamValue], np.random.SeedSequence]]:
    rng = np.random.default_rng(20261202 + batch_dispatch)
    points = []
    for i in range(count):
        point = defaults() | {
            "city_size": int(rng.integers(6, 20)),
            "num_drivers": int(rng.integers(5, 80)),
            "num_riders": int(rng.integers(20, 400)),
            "horizon_min": int(rng.integers(30, 150)),
            "warmup_min": int(rng.integers(0, 20)),
            "batch_dispatch": batch_dispatch,
            "equilibration_interval_min": int(rng.integers(3, 15)),
        }
        points.append((point, np.random.SeedSequence(1000 + i)))
    return points


@pytest.fixture(scope="module")
def shipped_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sim/`` with the compiled module beside kernel.py, as the zip packages and images hold it."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(REPO_ROOT / "sim", root / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    inside, module = kernel_module_file()
    shutil.copyfile(module, root / inside)
    return root


def run_shipped(root: Path, script: str) -> subprocess.CompletedProcess[str]:
    """``script`` on the functions' Python with the functions' dependencies and numba blocked."""
    path = f"{root}:{install_dependencies()}"
    code = BLOCK_NUMBA + textwrap.dedent(script)
    python = find_python(FUNCTION_PYTHON)
    return subprocess.run(
        [python, "-I", "-c", f"import sys; sys.path[:0] = {path.split(':')!r}\n{code}"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def run_local_build(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` on this interpreter with numba blocked and the module built for it named in
    ``SWEEP_KERNEL_MODULE``, as ``run --local``'s workers run."""
    module = local_kernel_module()
    assert module is not None, "no compiled module for this interpreter"
    env = {**os.environ, KERNEL_MODULE_ENV: str(module)}
    return subprocess.run(
        [sys.executable, "-c", BLOCK_NUMBA + textwrap.dedent(script)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def assert_same(jit: PointResult, aot: PointResult) -> None:
    assert jit.metrics == aot.metrics
    assert jit.trips.keys() == aot.trips.keys() and jit.snapshots.keys() == aot.snapshots.keys()
    for name in jit.trips:
        np.testing.assert_array_equal(jit.trips[name], aot.trips[name], err_msg=name)
    for name in jit.snapshots:
        np.testing.assert_array_equal(jit.snapshots[name], aot.snapshots[name], err_msg=name)


@pytest.mark.parametrize("where", ["functions", "this-interpreter"])
@pytest.mark.parametrize("batch_dispatch", [False, True], ids=["ridehail-dispatch", "batch-dispatch"])
def test_the_compiled_module_gives_the_jits_results_without_numba(
    shipped_tree: Path, tmp_path: Path, batch_dispatch: bool, where: str
) -> None:
    points = random_markets(batch_dispatch)
    (tmp_path / "points.pickle").write_bytes(pickle.dumps(points))
    run = functools.partial(run_shipped, shipped_tree) if where == "functions" else run_local_build
    done = run(
        f"""
        import pickle
        from sim.market import simulate_points
        from sim.market.compiled import kernels
        assert kernels().origin == "sim.market._kernel_aot", kernels().origin
        assert "numba" not in sys.modules
        points = pickle.loads(open({str(tmp_path / "points.pickle")!r}, "rb").read())
        results = simulate_points(points)
        open({str(tmp_path / "results.pickle")!r}, "wb").write(pickle.dumps(results))
        """,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    aot = pickle.loads((tmp_path / "results.pickle").read_bytes())
    jit = simulate_points(points)
    assert len(aot) == len(jit) == len(points)
    for expected, got in zip(jit, aot, strict=True):
        assert_same(expected, got)
    assert sum(r.metrics["trips_completed"] for r in jit) > 0


def test_a_module_built_from_other_sources_is_refused(shipped_tree: Path) -> None:
    kernel = shipped_tree / "sim" / "market" / "kernel.py"
    kernel.write_bytes(kernel.read_bytes() + b"\n# edited after the build\n")
    try:
        done = run_shipped(shipped_tree, "from sim.market.compiled import kernels; kernels()")
    finally:
        kernel.write_bytes((REPO_ROOT / "sim" / "market" / "kernel.py").read_bytes())

    assert done.returncode != 0
    assert "StaleKernelModule" in done.stderr
    assert "rebuild it (python -m sim.market.precompile)" in done.stderr


def test_a_kernel_module_setting_that_names_no_module_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "_kernel_aot.cpython-311-x86_64-linux-gnu.so"

    with pytest.raises(StaleKernelModule, match=f"{KERNEL_MODULE_ENV}={missing}: not a compiled kernel module"):
        load_kernels(module_file=str(missing))


def test_run_local_simulates_with_numba_unimportable_in_every_process(tmp_path: Path) -> None:
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCK_NUMBA)
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps({"run_id": "no-numba", "dimensions": {"num_drivers": [20, 40]}, "shard_count": 2, "seed": 1})
    )
    local_kernel_module()  # built beforehand, as the first run --local would (the build itself needs numba)

    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--local", str(request), "--out", str(tmp_path / "out")],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(blocker)}, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-3000:]
    assert "2/2 shards succeeded" in done.stdout


def test_two_builds_in_different_directories_are_the_same_bytes_and_leave_no_temporary_files(tmp_path: Path) -> None:
    _, cached = kernel_module_file()
    python = KERNEL_BUILD_VENV / "bin" / "python"
    argv = [str(python), "-m", "sim.market.precompile", "--out", str(tmp_path / "again")]
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run(
        argv, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(temporary)},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]

    assert (tmp_path / "again" / cached.name).read_bytes() == cached.read_bytes()
    assert list(temporary.iterdir()) == []  # pycc's compiler probes write temp.c files there and keep them


def test_the_module_needs_no_glibc_newer_than_amazon_linux_2023s() -> None:
    _, module = kernel_module_file()
    symbols = subprocess.run(["objdump", "-T", str(module)], capture_output=True, text=True, check=True).stdout

    versions = {tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+)", symbols)}
    assert versions, "no glibc symbol versions found"
    assert max(versions) <= OLDEST_FUNCTION_GLIBC
