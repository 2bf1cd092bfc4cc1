"""The kernels' on-disk cache: filled by ``python -m sim.market.precompile``, read by a fresh
process from a read-only copy at another path without compiling anything."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from numba import config

from sim.market import cache as kernel_cache
from sim.market.cache import CACHE_DIR_ENV, CACHE_SUBDIR, cached_njit

REPO = Path(__file__).resolve().parents[2]

# Run in the fresh process: simulate under both rules, report numba's cache statistics.
PROBE = """
import json, numpy as np
from sim.market import simulate_points
from sim.market.cache import compiled_functions
from sim.params import defaults
point = defaults() | {"horizon_min": 30, "warmup_min": 0}
simulate_points([(point | {"batch_dispatch": rule}, np.random.SeedSequence(1)) for rule in (False, True)])
stats = {name: f.stats for name, f in compiled_functions().items()}
print(json.dumps({
    "misses": sum(sum(s.cache_misses.values()) for s in stats.values()),
    "advance_hits": sum(stats["sim.market.kernel.advance"].cache_hits.values()),
    "kernel_file": __import__("sim.market.kernel").market.kernel.__file__,
}))
"""


def read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def read_only_command(command: list[str], *roots: Path) -> list[str]:
    """``command`` seeing ``roots`` read-only: modes suffice for a user; root, whom modes
    do not stop, gets read-only bind mounts in a mount namespace of its own."""
    for root in roots:
        read_only(root)
    if os.geteuid() != 0:
        return command
    if not shutil.which("unshare"):
        pytest.skip("running as root without unshare(1): cannot make a directory read-only")
    mounts = " && ".join(f"mount --bind -o ro {shlex.quote(str(r))} {shlex.quote(str(r))}" for r in roots)
    return ["unshare", "-m", "sh", "-c", f'{mounts} && exec "$@"', "sh", *command]


def test_a_fresh_process_loads_the_precompiled_kernels_from_a_read_only_directory(tmp_path: Path) -> None:
    # given the precompiled cache (the test session's shared one: compiled at most once),
    shared = Path(os.environ[CACHE_DIR_ENV])
    precompiled = subprocess.run(
        [sys.executable, "-m", "sim.market.precompile", "--cache-dir", str(shared)],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert precompiled.returncode == 0, precompiled.stderr
    # copied read-only next to a copy of the sources at another path, as on Lambda
    cache, sources = tmp_path / "cache", tmp_path / "task"
    shutil.copytree(shared / CACHE_SUBDIR, cache / CACHE_SUBDIR)
    shutil.copytree(REPO / "sim", sources / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    before = sorted(p.name for p in (cache / CACHE_SUBDIR).iterdir())
    # when a fresh process simulates from the copied sources with that cache
    env = {**os.environ, CACHE_DIR_ENV: str(cache), "PYTHONPATH": str(sources), "PYTHONDONTWRITEBYTECODE": "1"}
    command = read_only_command([sys.executable, "-c", PROBE], cache, sources)
    probe = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=300)
    # then it compiled nothing, loaded the kernel from the cache and wrote nothing there
    assert probe.returncode == 0, probe.stderr
    report = json.loads(probe.stdout)
    assert report["kernel_file"].startswith(str(sources))
    assert report["misses"] == 0 and report["advance_hits"] == 1
    assert sorted(p.name for p in (cache / CACHE_SUBDIR).iterdir()) == before


def test_precompile_needs_a_cache_directory() -> None:
    env = {k: v for k, v in os.environ.items() if k != CACHE_DIR_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "sim.market.precompile"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "--cache-dir" in result.stderr


def test_a_cache_directory_that_cannot_be_written_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given a cache directory whose kernel subdirectory cannot be created (a file is in the way)
    (tmp_path / CACHE_SUBDIR).write_text("not a directory")
    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(kernel_cache, "_COMPILED", {})

    def double(value: int) -> int:
        return 2 * value

    # when a cached function is compiled and called
    compiled = cached_njit(double)
    # then it works, and reading and saving were skipped with a warning
    assert compiled(21) == 42
    assert "numba cache not read" in caplog.text and "numba cache not saved" in caplog.text


@pytest.fixture(autouse=True)
def _writable_tmp(tmp_path: Path):  # let pytest clean up the read-only copies
    yield
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
