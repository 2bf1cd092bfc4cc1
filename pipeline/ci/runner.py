"""Run the ci stages with a header and a timing each, then a summary table."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from pipeline.ci.background import BackgroundJob, start_job
from pipeline.ci.stages import STAGES, Stage, StageFailed, StageOutput, TestCounts


@dataclass
class StageReport:
    stage: Stage
    ok: bool
    seconds: float
    output: StageOutput
    error: str = ""


def run_stages(names: list[str] | None, console: Console) -> list[StageReport]:
    """Run the named stages (all when None) in order; stop at the first failure."""
    selected = [s for s in STAGES if names is None or s.name in names]
    jobs = {name: start_job(name) for name in dict.fromkeys(n for s in selected for n in s.needs)}
    try:
        return _run(selected, jobs, console)
    finally:
        for job in jobs.values():
            job.stop()


def _run(selected: list[Stage], jobs: dict[str, BackgroundJob], console: Console) -> list[StageReport]:
    reports: list[StageReport] = []
    for stage in selected:
        console.rule(f"[bold]{stage.name}[/]: {stage.description}")
        started = time.perf_counter()  # the wait for background jobs counts as the stage's time
        for name in stage.needs:
            if name in jobs:
                console.print(jobs.pop(name).wait())
        try:
            output = stage.run()
        except StageFailed as failure:
            reports.append(StageReport(stage, False, time.perf_counter() - started, StageOutput(), str(failure)))
        except Exception as error:  # a crash in a stage is that stage's failure, reported with its trace
            traceback.print_exc()
            reports.append(StageReport(stage, False, time.perf_counter() - started, StageOutput(), repr(error)))
        else:
            reports.append(StageReport(stage, True, time.perf_counter() - started, output))
        report = reports[-1]
        for note in report.output.notes:
            console.print(f"  {note}")
        console.print(f"{'[green]passed[/]' if report.ok else '[red]FAILED[/]'} {stage.name} in {report.seconds:.1f} s")
        if not report.ok:
            break
    return reports


def print_summary(reports: list[StageReport], console: Console) -> TestCounts:
    table = Table(title="ci summary", title_justify="left")
    for column in ("stage", "result", "seconds", "tests passed", "failed", "skipped", "detail"):
        table.add_column(column)
    total = TestCounts()
    for r in reports:
        total += r.output.tests
        t = r.output.tests
        result = "[green]passed[/]" if r.ok else "[red]FAILED[/]"
        table.add_row(r.stage.name, result, f"{r.seconds:.1f}", str(t.passed), str(t.failed), str(t.skipped), r.error)
    console.print(table)
    return total
