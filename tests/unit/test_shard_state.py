"""The shard-state classifier, as a table: dispatch record statuses x attempt statuses -> state."""

from __future__ import annotations

import pytest

from pipeline.ops.shard_state import ATTEMPTS_PER_DISPATCH, FINAL_STATES, ShardState, classify_shard
from sim.limits import MAX_RETRIES

S, F = "succeeded", "failed"
EXHAUSTED = [F] * ATTEMPTS_PER_DISPATCH
CASES = [
    # (dispatch record statuses, attempt statuses, state): the parent's record first, then redrives'
    ([], [], ShardState.PLANNED),  # the manifest is not readable yet
    (["pending"], [], ShardState.PLANNED),  # the parent is dispatching (or died before recording)
    (["dispatched"], [], ShardState.NEVER_STARTED),
    (["failed"], [], ShardState.DISPATCH_FAILED),
    (["failed", "failed"], [], ShardState.DISPATCH_FAILED),  # a redrive's dispatch failed too
    (["failed", "pending"], [], ShardState.PLANNED),  # a redrive is dispatching it
    (["failed", "dispatched"], [], ShardState.NEVER_STARTED),
    (["dispatched"], [S], ShardState.SUCCEEDED),
    (["dispatched"], [F, S], ShardState.SUCCEEDED),  # a retry succeeded
    (["dispatched"], [F], ShardState.IN_FLIGHT),
    (["dispatched"], [F] * MAX_RETRIES, ShardState.IN_FLIGHT),  # the last retry is still due
    (["dispatched"], EXHAUSTED, ShardState.FAILED),
    (["pending"], EXHAUSTED, ShardState.FAILED),  # attempts ran before the parent recorded the invoke
    (["dispatched", "pending"], EXHAUSTED, ShardState.IN_FLIGHT),  # a redrive is on its way
    (["dispatched", "dispatched"], EXHAUSTED, ShardState.IN_FLIGHT),  # the redrive's attempts are due
    (["dispatched", "dispatched"], EXHAUSTED * 2, ShardState.FAILED),
    (["dispatched", "failed"], EXHAUSTED, ShardState.FAILED),  # the redrive's dispatch failed
    (["dispatched", "dispatched"], [*EXHAUSTED, S], ShardState.SUCCEEDED),  # the redrive succeeded
    (["failed"], [F], ShardState.IN_FLIGHT),  # recorded failed, yet delivered: its retries are due
    (["failed"], EXHAUSTED, ShardState.FAILED),
    (["failed"], [S], ShardState.SUCCEEDED),
]


@pytest.mark.parametrize(("dispatches", "attempts", "state"), CASES)
def test_each_case_of_dispatch_records_and_attempts_has_one_state(
    dispatches: list[str], attempts: list[str], state: ShardState
) -> None:
    assert classify_shard(dispatches, attempts) == state


def test_retries_exhausted_follows_lambdas_async_retry_count() -> None:
    assert ATTEMPTS_PER_DISPATCH == MAX_RETRIES + 1
    assert classify_shard(["dispatched"], [F] * MAX_RETRIES) == ShardState.IN_FLIGHT
    assert classify_shard(["dispatched"], [F] * (MAX_RETRIES + 1)) == ShardState.FAILED


def test_final_means_succeeded_failed_or_dispatch_failed() -> None:
    assert {ShardState.SUCCEEDED, ShardState.FAILED, ShardState.DISPATCH_FAILED} == FINAL_STATES
    assert {state for _, _, state in CASES} == set(ShardState)
