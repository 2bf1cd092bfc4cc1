"""The demo's run monitor on real local runs: the same shard states as ``status``."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.demo import RunMonitor, RunTimedOut
from pipeline.ops import ShardState, read_snapshot, run_status
from pipeline.results import ResultsSource
from sim.store import DirectoryStore
from tests.functional import ops_fixtures
from tests.functional.ops_fixtures import RUN_ID

held_run = ops_fixtures.held_run
pristine_held = ops_fixtures.pristine_held
pristine_runbook = ops_fixtures.pristine_runbook


def _monitor(out: Path, shard_count: int = 4) -> RunMonitor:
    return RunMonitor(DirectoryStore(out), RUN_ID, shard_count)


@pytest.mark.parametrize("run", ["pristine_runbook", "pristine_held"])
def test_the_monitor_and_status_agree_on_every_shard(run: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(run)

    progress = _monitor(out).poll()
    status = run_status(read_snapshot(ResultsSource(str(out)), RUN_ID))

    assert [(p.shard_id, p.status, p.attempts, p.final) for p in progress] == [
        (s.shard_id, s.state, s.attempts, s.final) for s in status.shards
    ]


def test_the_runbook_run_is_final_with_shard_1_failed_after_its_retries(pristine_runbook: Path) -> None:
    progress = _monitor(pristine_runbook).wait(5, interval_seconds=0.05)

    assert [(p.status, p.attempts) for p in progress] == [
        (ShardState.SUCCEEDED, 1),
        (ShardState.FAILED, 3),
        (ShardState.SUCCEEDED, 1),
        (ShardState.SUCCEEDED, 1),
    ]


def test_a_dispatched_shard_without_attempts_keeps_the_monitor_waiting(held_run: Path) -> None:
    with pytest.raises(RunTimedOut, match=r"shards \[3\] not final"):
        _monitor(held_run).wait(0.2, interval_seconds=0.05)


def test_a_run_without_a_manifest_yet_has_every_shard_planned(tmp_path: Path) -> None:
    progress = _monitor(tmp_path, shard_count=2).poll()

    assert [(p.status, p.final) for p in progress] == [(ShardState.PLANNED, False)] * 2
