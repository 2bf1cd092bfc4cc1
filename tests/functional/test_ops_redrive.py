"""``redrive`` on real local runs: injection kept, dry runs, stragglers, undispatched shards (the redrive of
a failed shard on every backend is tests/backends/test_ops_lifecycle.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from pipeline.local import run_local
from pipeline.ops import RedriveBackendMissing
from pipeline.ops.backends import child_function
from pipeline.ops.redrive import redrive as run_redrive
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_SUCCEEDED
from pipeline.results import ResultsSource
from sim.datasets import layout
from sim.manifest import DISPATCH_CLAIM_GRACE_SECONDS, RunManifest, create_manifest, read_manifest
from sim.store import DirectoryStore
from tests.functional import ops_fixtures
from tests.functional.conftest import load_request
from tests.functional.ops_fixtures import HELD_SHARD, RUN_ID, deliver_late, run_cli, status_json

pristine_runbook = ops_fixtures.pristine_runbook
runbook_copy = ops_fixtures.runbook_copy
pristine_held = ops_fixtures.pristine_held
held_run = ops_fixtures.held_run


def attempts(out: Path, shard_id: int) -> list[tuple[int, str, bool]]:
    table = ResultsSource(str(out)).read("shard_outcomes", RUN_ID).filter(pc.field("shard_id") == shard_id)
    rows = sorted(table.to_pylist(), key=lambda r: r["attempt"])
    return [(r["attempt"], r["status"], r["failure_injected"]) for r in rows]


def manifest(out: Path) -> dict[str, Any]:
    found = read_manifest(DirectoryStore(out), RUN_ID)
    assert found is not None
    return found.to_json()


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


class RecordingInvokerStandIn:
    """Accepts every event without running it (a Lambda that queued it)."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        with self._lock:
            self.payloads.append(dict(payload))
            return f"queued-{len(self.payloads)}"


def test_ten_concurrent_redrives_dispatch_each_failed_shard_once_and_record_every_redrive(tmp_path: Path) -> None:
    run_local(load_request("runbook.json", failure_injection_shards=[1, 2]), tmp_path, workers=2)
    source, invoker = ResultsSource(str(tmp_path)), RecordingInvokerStandIn()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: run_redrive(source, RUN_ID, invoker, backend="recording"), range(10)))

    assert sorted(p["shard_id"] for p in invoker.payloads) == [1, 2]
    assert all("failure_injection_shards" not in p for p in invoker.payloads)
    entries = manifest(tmp_path)["redrives"]
    assert {e["id"] for e in entries} == {r.redrive_id for r in results if r.redrive_id}
    assert sorted(s["shard_id"] for e in entries for s in e["shards"]) == [1, 2]
    assert all(d["status"] == "dispatched" for e in entries for d in e["dispatches"])


def _dead_parents_run(out: Path, age_seconds: float) -> None:
    """A run whose parent died right after recording it: every shard claimed, none dispatched."""
    request = load_request("runbook.json")
    then = datetime.now(UTC) - timedelta(seconds=age_seconds)
    plan = RunManifest.plan(
        request, {s: 2 for s in range(4)}, code_version="t", results_location=str(out), claimed_by="dead", now=then
    )
    assert create_manifest(DirectoryStore(out), plan)


def test_redrive_completes_a_dead_parents_dispatch_once_after_the_grace_period(tmp_path: Path) -> None:
    _dead_parents_run(tmp_path, DISPATCH_CLAIM_GRACE_SECONDS + 1)
    source, invoker = ResultsSource(str(tmp_path)), RecordingInvokerStandIn()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: run_redrive(source, RUN_ID, invoker, backend="recording"), range(4)))

    assert sorted(p["shard_id"] for p in invoker.payloads) == [0, 1, 2, 3]
    assert all(p["failure_injection_shards"] == [1] for p in invoker.payloads)  # the run's own dispatch
    assert sorted(t.shard_id for r in results for t in r.targets if t.reason == "undispatched") == [0, 1, 2, 3]
    recorded = manifest(tmp_path)
    assert [d["status"] for d in recorded["dispatches"]] == ["dispatched"] * 4 and recorded["redrives"] == []


def test_redrive_leaves_a_parent_inside_the_grace_period_alone(tmp_path: Path) -> None:
    _dead_parents_run(tmp_path, DISPATCH_CLAIM_GRACE_SECONDS / 2)
    invoker = RecordingInvokerStandIn()

    result = run_redrive(ResultsSource(str(tmp_path)), RUN_ID, invoker, backend="recording")

    assert invoker.payloads == [] and result.targets == [] and result.skipped_in_flight == [0, 1, 2, 3]


def test_a_redrive_of_a_run_without_a_manifest_names_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = run_cli(capsys, "redrive", "--run-id", "no-such-run", "--source", str(tmp_path))

    assert code != 0 and f"run_id: no manifest for 'no-such-run' in {tmp_path}" in stderr
