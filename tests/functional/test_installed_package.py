"""The project as a user installs it: ``pip install .`` (not editable; uv's pip) into a new virtual
environment, then the local commands run from an unrelated directory, so every file they read
at run time (the request schema, prices, lock files, Athena SQL) must be package data."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.envs.venv import run_uv
from pipeline.kernel import local_kernel_module
from pipeline.paths import CACHE_DIR, CACHE_DIR_ENV, REPO_ROOT

pytestmark = pytest.mark.slow

REQUEST = REPO_ROOT / "tests" / "fixtures" / "requests" / "small.json"
RUN_ID = "small-run-001"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the package built from a copy of the tracked sources (no checkout beside it)."""
    work = tmp_path_factory.mktemp("installed")
    source = work / "source"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (REPO_ROOT / name).exists():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            if (REPO_ROOT / name).is_symlink():
                (source / name).symlink_to((REPO_ROOT / name).readlink())
            else:
                shutil.copy2(REPO_ROOT / name, source / name)
    venv = work / "venv"
    python = venv / "bin" / "python"
    run_uv(["venv", "--quiet", str(venv)], "creating the venv")
    # uv's pip interface (its cache makes this seconds, not a minute): a wheel built from the
    # copy by setuptools, installed with pyproject's dependencies, not editable.
    run_uv(["pip", "install", "--quiet", "--python", str(python), str(source)], "pip install .")
    shutil.rmtree(source)
    return python


def command(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline ARGS`` of the installed package, sharing this checkout's cache: the market
    kernel compiled for this Python and numba is the same file for the same sources (its cache key)."""
    env = {**os.environ, CACHE_DIR_ENV: str(CACHE_DIR)}
    argv = [str(python), "-m", "pipeline", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_run_verify_status_and_report_work_from_an_installed_package(installed: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out", tmp_path / "report.html"
    local_kernel_module()  # what the first run --local from this checkout builds

    ran = command(installed, tmp_path, "run", "--local", str(REQUEST), "--out", str(out), "--workers", "1")
    verified = command(installed, tmp_path, "verify", "--run-id", RUN_ID, "--source", str(out))
    status = command(installed, tmp_path, "status", "--run-id", RUN_ID, "--source", str(out))
    reported = command(installed, tmp_path, "report", "--run-id", RUN_ID, "--source", str(out), "--out", str(report))

    for done in (ran, verified, status, reported):
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    located = subprocess.run(
        [str(installed), "-c", "import pipeline, sim; print(pipeline.__file__, sim.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert located.count("site-packages") == 2 and str(REPO_ROOT) not in located
    assert report.read_text().lstrip().lower().startswith("<!doctype html")
