"""The ci runner's pytest stages: a stuck test fails within its timeout, named, and fails the stage.

The stuck test is written to a temporary directory here, never part of the real suite."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from pipeline.ci.stages import StageFailed, junit_counts, pytest_argv, run_pytest

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
    with pytest.raises(StageFailed, match="1 failed"):
        run_pytest(argv, report, cwd=tmp_path)
    elapsed = time.monotonic() - started

    output = capfd.readouterr().out
    assert elapsed < 60
    assert "Timeout (>2.0s) from pytest-timeout" in output
    assert "test_that_never_finishes" in output
    counts = junit_counts(report)
    assert (counts.passed, counts.failed) == (1, 1)


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
