"""The stages of ``python -m pipeline ci``, in order.

A stage is a name and a function that raises ``StageFailed`` (or any error)
when it fails; test stages run pytest and count its results."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from pipeline.ci.background import IMAGE_BUILD
from pipeline.ci.cpu import run_counted
from pipeline.ci.warm import FUNCTIONS_MODULE, JIT, LOCAL_MODULE
from pipeline.paths import CACHE_DIR, REPO_ROOT
from sim.exceptions import SweepError

REPORTS = CACHE_DIR / "ci"
BACKEND_SUITE = "tests/backends"
"""One suite over the backends: run by the functional stage locally and by the e2e stage on the
emulator, in the same pytest process as tests/e2e so it shares the session's emulator."""
DURATIONS_SHOWN = 15
# xdist processes for every pytest stage but the browser's (the machine has two cores). Each
# process has its own session fixtures: its own emulator and deployment, its own image stack.
PARALLEL_WORKERS = 2
# What mypy checks (configuration: pyproject.toml [tool.mypy]).
TYPED_PATHS = ("sim", "aws_adapters", "pipeline", "images/parent/handler.py", "images/child/handler.py")


@dataclass
class TestCounts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __iadd__(self, other: TestCounts) -> TestCounts:
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        return self


class StageFailed(SweepError):
    """A stage's check did not pass; ``tests`` are the counts of the tests it ran, if any."""

    def __init__(self, message: str, tests: TestCounts | None = None) -> None:
        super().__init__(message)
        self.tests = tests or TestCounts()


@dataclass
class StageOutput:
    """What a stage reports besides pass/fail: test counts and notes (digests, figures)."""

    tests: TestCounts = field(default_factory=TestCounts)
    notes: list[str] = field(default_factory=list)


LOCAL_LANE, EMULATOR_LANE = "local", "emulator"
"""The stages of one lane run in order; the two lanes run side by side (pipeline/ci/runner.py)."""


@dataclass(frozen=True)
class Stage:
    name: str
    description: str
    run: Callable[[TextIO | None], StageOutput]
    """Runs the stage, its commands writing to the given file (None: the terminal)."""
    needs: tuple[str, ...] = ()
    """Background jobs (``pipeline.ci.background.JOBS``) started when ci starts and awaited before this stage."""
    lane: str = LOCAL_LANE


def _run_logged(argv: list[str], output: TextIO | None, cwd: Path = REPO_ROOT) -> int:
    """Run ``argv`` after echoing it, its output to ``output`` (None: the terminal); its exit code."""
    print(f"$ {' '.join(argv)}", file=output, flush=True)
    stderr = None if output is None else subprocess.STDOUT
    return run_counted(argv, cwd, output, stderr)


def run_command(argv: list[str], what: str, output: TextIO | None = None) -> None:
    """Run a command with output to ``output`` (None: the terminal); fail the stage on a non-zero exit."""
    if _run_logged(argv, output) != 0:
        raise StageFailed(f"{what} failed")


def pytest_argv(
    paths: list[str],
    report: Path,
    *,
    timeout_seconds: int,
    workers: int = 0,
    options: tuple[str, ...] = (),
) -> list[str]:
    """pytest over ``paths`` with ``options``: a JUnit report, a per-test timeout (pytest-timeout: a stuck test fails
    with its name and stack), the slowest tests listed, and ``workers`` xdist processes if > 0 (a file's tests in
    one process)."""
    argv = [sys.executable, "-m", "pytest", *paths, *options, f"--junitxml={report}", "-q"]
    argv += [f"--timeout={timeout_seconds}", f"--durations={DURATIONS_SHOWN}"]
    if workers:
        argv += ["-n", str(workers), "--dist", "loadfile"]
    return argv


def run_pytest(argv: list[str], report: Path, cwd: Path = REPO_ROOT, output: TextIO | None = None) -> TestCounts:
    """Run ``argv`` (from ``pytest_argv``); the counts, or ``StageFailed`` naming how many failed."""
    code = _run_logged(argv, output, cwd)
    counts = junit_counts(report)
    if code not in (0, 5) or counts.failed:
        raise StageFailed(f"pytest exited {code}: {counts.failed} failed", counts)
    return counts


def junit_properties(report: Path) -> list[str]:
    """``name: value`` of every property a test recorded (``record_property``): figures for the notes."""
    if not report.exists():
        return []
    return [f"{p.get('name')}: {p.get('value')}" for p in ET.parse(report).getroot().iter("property")]


def pytest_stage(
    *paths: str, timeout_seconds: int, workers: int = 0, options: tuple[str, ...] = ()
) -> Callable[[TextIO | None], StageOutput]:
    """A stage that runs pytest on ``paths`` (with ``options``) and counts results from its JUnit report."""

    def run(output: TextIO | None) -> StageOutput:
        existing = [p for p in paths if (REPO_ROOT / p).exists()]
        if not existing:
            return StageOutput(notes=[f"no tests under {', '.join(paths)}"])
        REPORTS.mkdir(parents=True, exist_ok=True)
        report = REPORTS / f"{'-'.join(Path(p).name for p in existing)}.xml"
        argv = pytest_argv(existing, report, timeout_seconds=timeout_seconds, workers=workers, options=options)
        return StageOutput(tests=run_pytest(argv, report, output=output), notes=junit_properties(report))

    return run


def junit_counts(report: Path) -> TestCounts:
    if not report.exists():
        return TestCounts()
    counts = TestCounts()
    for suite in ET.parse(report).getroot().iter("testsuite"):
        total, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        counts += TestCounts(total - skipped - failed, failed, skipped)
    return counts


def static_checks(output: TextIO | None) -> StageOutput:
    python = sys.executable
    run_command([python, "-m", "ruff", "check", "."], "ruff check", output)
    run_command([python, "-m", "ruff", "format", "--check", "."], "ruff format --check", output)
    run_command([python, "-m", "mypy", *TYPED_PATHS], "mypy", output)
    notes = []
    from pipeline.athena import lint_files

    if violations := lint_files():
        raise StageFailed("SQL lint: " + "; ".join(map(str, violations)))
    notes.append("SQL lint clean")
    from pipeline.infra import terraform_fmt_check

    terraform_fmt_check()
    notes.append("terraform fmt clean")
    return StageOutput(notes=notes)


def demo(output: TextIO | None) -> StageOutput:
    """The README's main job, as a user runs it: its own emulator, deployment, sweep and checks."""
    run_command([sys.executable, "-m", "pipeline", "demo"], "python -m pipeline demo", output)
    return StageOutput(notes=["the one-command demo ran end to end"])


STAGES: tuple[Stage, ...] = (
    Stage("static", "ruff, mypy, SQL lint, terraform fmt", static_checks),
    Stage(
        "unit",
        "unit tests (sim, contract, build definitions, Terraform HCL and checkov)",
        pytest_stage("tests/unit", "tests/infra", timeout_seconds=120, workers=PARALLEL_WORKERS),
        needs=(JIT,),
    ),
    Stage(
        "functional",
        "local sweeps, DuckDB checks, Athena SQL on real Parquet, the backend suite locally",
        pytest_stage(
            "tests/functional",
            BACKEND_SUITE,
            timeout_seconds=180,
            workers=PARALLEL_WORKERS,
            options=("--backend", "local"),
        ),
        needs=(LOCAL_MODULE,),
    ),
    Stage(
        "e2e",
        "zip functions end to end on the emulator, the backend suite on it",
        pytest_stage(
            "tests/e2e",
            BACKEND_SUITE,
            timeout_seconds=300,
            workers=PARALLEL_WORKERS,
            options=("--backend", "emulator"),
        ),
        lane=EMULATOR_LANE,
    ),
    Stage(
        "images",
        "image builds, reproducibility, image functions on the emulator, release and rollback",
        pytest_stage("tests/container", timeout_seconds=600, workers=PARALLEL_WORKERS),
        needs=(IMAGE_BUILD, FUNCTIONS_MODULE),
        lane=EMULATOR_LANE,
    ),
    Stage("browser", "the report page in headless Chromium", pytest_stage("tests/browser", timeout_seconds=120)),
    # On the local lane, which ends before the emulator lane: the demo brings its own emulator.
    Stage("demo", "the main job: python -m pipeline demo", demo),
)
