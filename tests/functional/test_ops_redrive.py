"""``redrive`` on real local runs: injection kept, dry runs, stragglers, planned shards (the redrive of
a failed shard on every backend is tests/backends/test_ops_lifecycle.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pyarrow.compute as pc
import pytest

from pipeline.ops import RedriveBackendMissing, ShardState, read_snapshot, run_status
from pipeline.ops.backends import child_function
from pipeline.ops.redrive import PLANNED_GRACE_SECONDS, RedriveTarget, select_targets
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_SUCCEEDED
from pipeline.results import ResultsSource
from sim.datasets import layout
from sim.runs import load_manifest
from sim.store import DirectoryStore
from tests.functional import ops_fixtures
from tests.functional.ops_fixtures import HELD_SHARD, RUN_ID, deliver_late, run_cli, status_json

pristine_runbook = ops_fixtures.pristine_runbook
runbook_copy = ops_fixtures.runbook_copy
pristine_held = ops_fixtures.pristine_held
held_run = ops_fixtures.held_run


def attempts(out: Path, shard_id: int) -> list[tuple[int, str, bool]]:
    table = ResultsSource(str(out)).read("shard_outcomes", RUN_ID).filter(pc.field("shard_id") == shard_id)
    rows = sorted(table.to_pylist(), key=lambda r: r["attempt"])
    return [(r["attempt"], r["status"], r["failure_injected"]) for r in rows]


def manifest(out: Path) -> dict:
    found = load_manifest(DirectoryStore(out), RUN_ID)
    assert found is not None
    return found


def redrive(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> tuple[int, dict]:
    code, stdout, _ = run_cli(capsys, "redrive", "--run-id", RUN_ID, "--source", str(out), "--json", *extra)
    return code, json.loads(stdout)


def test_keep_injection_fails_the_shard_again_with_its_history_kept(
    runbook_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = redrive(capsys, runbook_copy, "--workers", "1", "--keep-injection")
    status_code, status = status_json(capsys, runbook_copy)

    assert code == EXIT_SUCCEEDED and result["failure_injection"] is True
    assert [a[0] for a in attempts(runbook_copy, 1)] == [1, 2, 3, 4, 5, 6]
    assert all(status == "failed" and injected for _, status, injected in attempts(runbook_copy, 1))
    assert status_code == EXIT_INCOMPLETE
    assert status["shards"][1]["state"] == "failed" and status["shards"][1]["dispatches"] == 2


def test_dry_run_shows_the_plan_and_changes_nothing(runbook_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "redrive", "--run-id", RUN_ID, "--source", str(runbook_copy), "--dry-run")

    assert code == EXIT_SUCCEEDED and "would redrive shards 1 (failed)" in out
    assert manifest(runbook_copy)["redrives"] == [] and len(attempts(runbook_copy, 1)) == 3


def test_an_in_flight_shard_is_left_alone_unless_flagged_and_asked_for(
    held_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, plain = redrive(capsys, held_run)
    _, unflagged = redrive(capsys, held_run, "--stragglers", "--straggler-min-seconds", "3600")

    assert plain["shards"] == [] and plain["skipped_in_flight"] == [HELD_SHARD]
    assert unflagged["shards"] == [] and manifest(held_run)["redrives"] == []


def test_a_straggler_gets_a_backup_attempt_and_a_late_delivery_changes_no_data(
    held_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = redrive(
        capsys, held_run, "--stragglers", "--straggler-factor", "0", "--straggler-min-seconds", "0", "--workers", "1"
    )
    data = held_run / layout.data_key("trip_data", RUN_ID, HELD_SHARD)
    backup_bytes = data.read_bytes()
    deliver_late(held_run)
    status_code, status = status_json(capsys, held_run)

    assert code == EXIT_SUCCEEDED and [(s["shard_id"], s["reason"]) for s in result["shards"]] == [(3, "straggler")]
    assert data.read_bytes() == backup_bytes
    assert attempts(held_run, HELD_SHARD) == [(1, "succeeded", False), (2, "succeeded", False)]
    assert status_code == EXIT_SUCCEEDED and status["shards"][HELD_SHARD]["dispatches"] == 2


def test_an_s3_source_needs_the_child_function(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHILD_FUNCTION_NAME", raising=False)

    with pytest.raises(RedriveBackendMissing, match="--child-function"):
        child_function(None)
    monkeypatch.setenv("CHILD_FUNCTION_NAME", "sweep-child")
    assert child_function(None) == "sweep-child" and child_function("explicit") == "explicit"


def test_a_shard_left_planned_by_a_dead_parent_is_redriven_only_after_the_grace_period(held_run: Path) -> None:
    # given the held shard's dispatch record left pending, as by a parent that died mid-dispatch
    store = DirectoryStore(held_run)
    body = manifest(held_run)
    body["dispatches"][HELD_SHARD].update(status="pending", status_code=None, request_id=None)
    store.put(layout.manifest_key(RUN_ID), json.dumps(body).encode())
    snapshot = read_snapshot(ResultsSource(str(held_run)), RUN_ID)
    created = run_status(snapshot).created_at

    # when redrive plans inside and past the grace period
    inside = run_status(snapshot, now=created + timedelta(seconds=PLANNED_GRACE_SECONDS - 1))
    past = run_status(snapshot, now=created + timedelta(seconds=PLANNED_GRACE_SECONDS + 1))

    # then the shard is planned (not final) and redriven only past the grace period
    assert inside.shards[HELD_SHARD].state == ShardState.PLANNED and not inside.final
    assert select_targets(inside) == ([], [HELD_SHARD])
    assert select_targets(past) == ([RedriveTarget(HELD_SHARD, 2, "planned")], [])
