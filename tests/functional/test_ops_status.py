"""``status`` on real local runs: in-flight shards, --watch, stragglers (the run's whole life on every
backend is tests/backends/test_ops_lifecycle.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.ops import StragglerPolicy, read_snapshot, run_status
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_RUNNING, EXIT_SUCCEEDED
from pipeline.results import ResultsSource
from tests.functional import ops_fixtures
from tests.functional.ops_fixtures import RUN_ID, deliver_late, run_cli, status_json

held_run = ops_fixtures.held_run
pristine_held = ops_fixtures.pristine_held
pristine_runbook = ops_fixtures.pristine_runbook


def test_a_shard_accepted_but_not_started_is_never_started_and_the_exit_code_says_running(
    held_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = held_run

    code, doc = status_json(capsys, out)

    assert code == EXIT_RUNNING == doc["exit_code"]
    assert doc["verdict"] == "running" and doc["finished_at"] is None
    assert [s["state"] for s in doc["shards"]] == ["succeeded"] * 3 + ["never_started"]
    assert doc["shards"][3]["waiting_s"] >= 0


def test_a_shard_waiting_past_the_threshold_is_flagged_a_straggler(held_run: Path) -> None:
    out = held_run
    snapshot = read_snapshot(ResultsSource(str(out)), RUN_ID)
    policy = StragglerPolicy(factor=3.0, min_seconds=0.0)
    first = run_status(snapshot, policy=policy)
    assert first.median_duration_s is not None
    created = first.created_at

    early = run_status(snapshot, policy=policy, now=created + timedelta(seconds=first.median_duration_s))
    late = run_status(snapshot, policy=policy, now=created + timedelta(hours=1))
    floored = run_status(snapshot, policy=StragglerPolicy(3.0, min_seconds=7200), now=created + timedelta(hours=1))

    assert early.stragglers == [] and early.straggler_threshold_s == pytest.approx(3 * first.median_duration_s)
    assert late.stragglers == [3]
    assert floored.stragglers == [] and floored.straggler_threshold_s == 7200


def test_watch_returns_at_once_on_a_final_run(pristine_runbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "status", "--run-id", RUN_ID, "--source", str(pristine_runbook), "--watch", "--interval", "0.05"
    )

    assert code == EXIT_INCOMPLETE
    assert "verdict: incomplete" in out


def test_watch_gives_up_at_the_timeout_with_the_running_exit_code(
    held_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = held_run

    code, doc = status_json(capsys, out, "--watch", "--interval", "0.05", "--timeout", "0.2")

    assert code == EXIT_RUNNING and doc["counts"]["never_started"] == 1


def test_watch_ends_when_the_held_shard_finally_runs(held_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = held_run
    deliver_late(out)

    code, doc = status_json(capsys, out, "--watch", "--interval", "0.05", "--timeout", "60")

    assert code == EXIT_SUCCEEDED and doc["verdict"] == "succeeded"


def test_an_unknown_run_is_an_error_naming_the_run_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "status", "--run-id", "no-such-run", "--source", str(tmp_path))

    assert code == 1 and "no-such-run" in err
