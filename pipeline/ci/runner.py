"""Run the ci stages with a header and a timing each, then a summary table.

The stages of a lane run in order and the lanes side by side: the local lane (static, unit,
functional, browser) is CPU-bound, the emulator lane (e2e, images) mostly waits on emulated
services, containers and cold starts, so together they keep both cores busy. When more than one
lane runs, each stage's output goes to ``.cache/ci/<stage>.log`` and is printed whole when the
stage ends, so that two stages' lines never interleave. A failure lets the running stages end
and starts no new one."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.ci.background import LOG_DIR, BackgroundJob, start_job
from pipeline.ci.cpu import thread_cpu_seconds
from pipeline.ci.stages import STAGES, Stage, StageFailed, StageOutput, TestCounts


@dataclass
class StageReport:
    stage: Stage
    ok: bool
    seconds: float
    cpu_seconds: float
    """User + system seconds of the processes the stage ran (pipeline/ci/cpu.py)."""
    output: StageOutput
    error: str = ""


def run_stages(names: list[str] | None, console: Console) -> list[StageReport]:
    """Run the named stages (all when None), each lane in order and the lanes side by side; stop
    starting stages at the first failure. Reports in STAGES order."""
    selected = [s for s in STAGES if names is None or s.name in names]
    jobs = {name: start_job(name) for name in dict.fromkeys(n for s in selected for n in s.needs)}
    lanes: dict[str, list[Stage]] = {}
    for stage in selected:
        lanes.setdefault(stage.lane, []).append(stage)
    try:
        if len(lanes) <= 1:
            return _run_lane(selected, jobs, _Printer(console, logged=False), threading.Event())
        return _run_lanes(lanes, jobs, _Printer(console, logged=True))
    finally:
        for job in jobs.values():
            job.stop()


def _run_lanes(lanes: dict[str, list[Stage]], jobs: dict[str, BackgroundJob], printer: _Printer) -> list[StageReport]:
    failed = threading.Event()
    reports: dict[str, list[StageReport]] = {}

    def lane(name: str, stages: list[Stage]) -> None:
        reports[name] = _run_lane(stages, jobs, printer, failed)

    threads = [threading.Thread(target=lane, args=item, name=f"ci-{item[0]}") for item in lanes.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = {r.stage.name: r for lane_reports in reports.values() for r in lane_reports}
    return [done[s.name] for s in STAGES if s.name in done]


def _run_lane(
    stages: list[Stage], jobs: dict[str, BackgroundJob], printer: _Printer, failed: threading.Event
) -> list[StageReport]:
    reports: list[StageReport] = []
    for stage in stages:
        if failed.is_set():
            break
        with printer.stage(stage) as output:
            report = _run_stage(stage, jobs, output)
        printer.result(report)
        reports.append(report)
        if not report.ok:
            failed.set()
    return reports


def _run_stage(stage: Stage, jobs: dict[str, BackgroundJob], output: TextIO | None) -> StageReport:
    started, cpu_before = time.perf_counter(), thread_cpu_seconds()  # the wait for jobs counts as the stage's

    def report(ok: bool, result: StageOutput, error: str = "") -> StageReport:
        seconds, cpu = time.perf_counter() - started, thread_cpu_seconds() - cpu_before
        return StageReport(stage, ok, seconds, cpu, result, error)

    for name in stage.needs:
        if name in jobs:
            print(jobs[name].wait(), file=output, flush=True)
    try:
        result = stage.run(output)
    except StageFailed as failure:
        return report(False, StageOutput(tests=failure.tests), str(failure))
    except Exception as error:  # a crash in a stage is that stage's failure, reported with its trace
        traceback.print_exc(file=output)
        return report(False, StageOutput(), repr(error))
    return report(True, result)


class _Printer:
    """A stage's header, output and result on the console: streamed, or logged and printed whole."""

    def __init__(self, console: Console, *, logged: bool) -> None:
        self.console, self.logged = console, logged
        self._lock = threading.Lock()

    @contextmanager
    def stage(self, stage: Stage) -> Iterator[TextIO | None]:
        if not self.logged:
            self.console.rule(f"[bold]{stage.name}[/]: {stage.description}")
            yield None
            return
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        with self.log_path(stage).open("w") as log:
            with self._lock:
                self.console.print(f"started {stage.name} ({stage.lane} lane), output in {self.log_path(stage)}")
            yield log

    @staticmethod
    def log_path(stage: Stage) -> Path:
        return LOG_DIR / f"{stage.name}.log"

    def result(self, report: StageReport) -> None:
        """The stage's result (after its whole log, when logged); called once its output is complete."""
        name = report.stage.name
        with self._lock:
            if self.logged:
                self.console.rule(f"[bold]{name}[/]: {report.stage.description}")
                self.console.print(escape(self.log_path(report.stage).read_text()), end="", highlight=False)
            for note in report.output.notes:
                self.console.print(f"  {note}")
            verdict = "[green]passed[/]" if report.ok else "[red]FAILED[/]"
            self.console.print(f"{verdict} {name} in {report.seconds:.1f} s ({report.cpu_seconds:.0f} s CPU)")


def print_summary(reports: list[StageReport], console: Console) -> TestCounts:
    table = Table(title="ci summary", title_justify="left")
    for column in ("stage", "result", "seconds", "CPU s", "tests passed", "failed", "skipped", "detail"):
        table.add_column(column)
    total = TestCounts()
    for r in reports:
        total += r.output.tests
        t = r.output.tests
        result = "[green]passed[/]" if r.ok else "[red]FAILED[/]"
        counts = (str(t.passed), str(t.failed), str(t.skipped))
        table.add_row(r.stage.name, result, f"{r.seconds:.1f}", f"{r.cpu_seconds:.0f}", *counts, r.error)
    console.print(table)
    return total
