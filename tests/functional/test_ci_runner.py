"""The ci runner's pytest stages: a stuck test fails within its timeout, named, and fails the stage.

The stuck test is written to a temporary directory here, never part of the real suite."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

import pytest
from rich.console import Console

from pipeline.ci.stages import (
    EMULATOR_LANE,
    LOCAL_LANE,
    Stage,
    StageFailed,
    StageOutput,
    junit_counts,
    pytest_argv,
    run_command,
    run_pytest,
)

STUCK_TEST = """
import sys
import time


def test_that_never_finishes():
    time.sleep(600)


def test_that_passes():
    assert True
"""


def test_a_stuck_test_fails_at_the_timeout_with_its_name_and_fails_the_stage(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "test_stuck.py").write_text(STUCK_TEST)
    report = tmp_path / "report.xml"
    argv = [*pytest_argv([str(tmp_path / "test_stuck.py")], report, timeout_seconds=2), "-p", "no:cacheprovider"]

    started = time.monotonic()
    with pytest.raises(StageFailed, match="1 failed") as failure:
        run_pytest(argv, report, cwd=tmp_path)
    elapsed = time.monotonic() - started

    output = capfd.readouterr().out
    assert elapsed < 60
    assert "Timeout (>2.0s) from pytest-timeout" in output
    assert "test_that_never_finishes" in output
    counts = junit_counts(report)
    assert (counts.passed, counts.failed) == (1, 1) and failure.value.tests == counts


def test_a_stage_waits_for_its_background_job_and_a_failed_job_is_reported_not_fatal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given two background jobs, one that succeeds after a moment and one that fails
    from pipeline.ci import background

    monkeypatch.setattr(background, "LOG_DIR", tmp_path)
    monkeypatch.setitem(background.JOBS, "slow", [sys.executable, "-c", "import time; time.sleep(0.5); print('built')"])
    monkeypatch.setitem(background.JOBS, "broken", [sys.executable, "-c", "raise SystemExit('no base image')"])

    # when each is started and waited for
    slow, broken = background.start_job("slow"), background.start_job("broken")
    done, failed = slow.wait(), broken.wait()

    # then the first reports it finished, the second its exit code and the tail of its log
    assert done.startswith("background slow: done in ") and (tmp_path / "background-slow.log").read_text() == "built\n"
    assert failed.startswith("background broken: exited 1 after ") and "no base image" in failed


def command_stage(name: str, lane: str, code: str) -> Stage:
    """A stage that runs ``python -c code`` through the stages' own command runner."""

    def run(output: TextIO | None) -> StageOutput:
        run_command([sys.executable, "-c", code], name, output)
        return StageOutput(notes=[f"{name} note"])

    return Stage(name, f"{name} stage", run, lane=lane)


def test_lanes_run_side_by_side_print_each_stage_whole_and_a_failure_starts_nothing_new(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a local lane of two stages and an emulator lane of two, the second of which fails
    from pipeline.ci import runner

    sleep = "import time; print('{0} begins', flush=True); time.sleep({1}); print('{0} ends')"
    stages = (
        command_stage("first", LOCAL_LANE, sleep.format("first", 2.5)),
        command_stage("after-failure", LOCAL_LANE, "print('must not run')"),
        command_stage("other", EMULATOR_LANE, sleep.format("other", 1.0)),
        command_stage("broken", EMULATOR_LANE, "raise SystemExit(3)"),
    )
    monkeypatch.setattr(runner, "STAGES", stages)
    monkeypatch.setattr(runner, "LOG_DIR", tmp_path)

    # when ci runs them all
    started = time.monotonic()
    reports = runner.run_stages(None, Console(width=120))
    elapsed = time.monotonic() - started

    # then the lanes' first stages ran at once (one after the other: 3.5 s), each stage's output
    # printed whole after its header,
    assert elapsed < 3.3
    printed = capsys.readouterr().out
    for name in ("first", "other"):
        block = printed[printed.index(f"{name}: {name} stage") :]
        assert block.index(f"{name} begins") < block.index(f"{name} ends") < block.index(f"passed {name} in")
        assert f"{name} note" in block
    # the failure is reported, and the local lane started no stage after it
    assert [(r.stage.name, r.ok) for r in reports] == [("first", True), ("other", True), ("broken", False)]
    assert reports[0].seconds >= 2.5 and reports[1].seconds >= 1.0  # each stage timed over its whole run
    assert reports[-1].error == "broken failed"
    assert "must not run" not in printed


BURN = "import time\nend = time.process_time() + {0}\nwhile time.process_time() < end: pass"


def test_each_stage_and_job_reports_the_cpu_time_of_its_commands_whole_trees_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given a stage whose command burns 1 s of CPU in a child it waits for, another stage that only
    # sleeps, side by side on the two lanes, and a background job that burns 0.5 s
    from pipeline.ci import background, runner

    in_a_child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BURN.format(1.0)!r}], check=True)"
    stages = (
        command_stage("busy", LOCAL_LANE, in_a_child),
        command_stage("idle", EMULATOR_LANE, "import time; time.sleep(1.5)"),
    )
    monkeypatch.setattr(runner, "STAGES", stages)
    monkeypatch.setattr(runner, "LOG_DIR", tmp_path)
    monkeypatch.setattr(background, "LOG_DIR", tmp_path)
    monkeypatch.setitem(background.JOBS, "burn", [sys.executable, "-c", BURN.format(0.5)])

    # when they run
    job = background.start_job("burn")
    busy, idle = runner.run_stages(None, Console(width=120))
    line = job.wait()

    # then the busy stage counts its grandchild's second, the idle one none of it, the job its own
    assert 1.0 <= busy.cpu_seconds < 3.0
    assert idle.cpu_seconds < 0.5
    assert 0.5 <= job.cpu_seconds < 2.0 and f"({job.cpu_seconds:.0f} s CPU)" in line


def test_a_failed_pytest_stage_keeps_the_counts_of_the_tests_it_ran_in_the_summary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given a stage that runs a file of one passing and one failing test
    from pipeline.ci import runner

    (tmp_path / "test_half.py").write_text("def test_passes():\n    pass\n\n\ndef test_fails():\n    assert False\n")
    report = tmp_path / "report.xml"
    argv = [*pytest_argv([str(tmp_path / "test_half.py")], report, timeout_seconds=30), "-p", "no:cacheprovider"]

    def run(output: TextIO | None) -> StageOutput:
        return StageOutput(tests=run_pytest(argv, report, cwd=tmp_path, output=output))

    monkeypatch.setattr(runner, "STAGES", (Stage("half", "half stage", run),))
    monkeypatch.setattr(runner, "LOG_DIR", tmp_path)

    # when ci runs it and prints its summary
    (failed,) = runner.run_stages(None, Console(width=120))
    console = Console(width=160, record=True)
    total = runner.print_summary([failed], console)

    # then the failed stage's row and the total count the test that passed and the one that failed
    assert not failed.ok and failed.error == "pytest exited 1: 1 failed"
    assert (total.passed, total.failed, total.skipped) == (1, 1, 0) and failed.output.tests == total
    (row,) = [line for line in console.export_text().splitlines() if line.startswith("│ half")]
    cells = [cell.strip() for cell in row.strip().strip("│").split("│")]
    assert cells[:2] == ["half", "FAILED"] and cells[4:7] == ["1", "1", "0"]
