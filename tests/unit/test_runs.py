"""The parent's logic over a real directory store; the invokers here are stand-ins
for Lambda (the real invoker is exercised end to end on the emulator)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sim.contract import SweepRequest
from sim.datasets import layout
from sim.invoke import InvokeConnectionFailed, InvokeServiceError, InvokeThrottled
from sim.manifest import (
    CLAIM_CLOCK_MARGIN_SECONDS,
    DISPATCH_CLAIM_GRACE_SECONDS,
    RunManifest,
    claim_lease_seconds,
    create_manifest,
    read_manifest,
)
from sim.runs import RunConflict, submit_run
from sim.store import DirectoryStore


def request(run_id: str = "run-1", shard_count: int = 4, **dimensions: list) -> SweepRequest:
    dims = dimensions or {"commission_rate": (0.1, 0.2), "num_drivers": (100, 200), "num_riders": (500, 700)}
    return SweepRequest(run_id, {k: tuple(v) for k, v in dims.items()}, shard_count, 42, frozenset({1}))


class RecordingInvokerStandIn:
    """Accepts every payload and remembers it."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        with self._lock:
            self.payloads.append(dict(payload))
            return f"req-{payload['shard_id']}"


class ThrottlingInvokerStandIn(RecordingInvokerStandIn):
    """Throttles each shard ``times`` times before accepting it; shard ``refuse`` always fails."""

    def __init__(self, times: int, refuse: int | None = None) -> None:
        super().__init__()
        self.times, self.refuse, self.calls = times, refuse, {}

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        shard = payload["shard_id"]
        with self._lock:
            self.calls[shard] = self.calls.get(shard, 0) + 1
            count = self.calls[shard]
        if shard == self.refuse:
            raise RuntimeError("function not found")
        if count <= self.times:
            raise InvokeThrottled("Rate exceeded")
        return super().invoke_async(payload)


def submit(store: DirectoryStore, invoker: Any, req: SweepRequest | None = None) -> Any:
    return submit_run(req or request(), store, invoker, code_version="test", results_location="s3://b/p")


def test_one_dispatch_per_shard_with_point_counts_and_the_request_in_each_payload(tmp_path: Path) -> None:
    invoker = RecordingInvokerStandIn()

    summary = submit(DirectoryStore(tmp_path), invoker)

    assert summary.http_status == 202 and summary.complete and not summary.duplicate
    assert summary.shards_dispatched == 4 and summary.points_total == 8
    assert [d.point_count for d in summary.dispatches] == [2, 2, 2, 2]
    assert sorted(p["shard_id"] for p in invoker.payloads) == [0, 1, 2, 3]
    assert all(p["run_id"] == "run-1" and p["failure_injection_shards"] == [1] for p in invoker.payloads)
    assert {d.request_id for d in summary.dispatches} == {"req-0", "req-1", "req-2", "req-3"}


def test_the_manifest_records_request_plan_dispatches_and_code_version(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)

    submit(store, RecordingInvokerStandIn())

    manifest = read_manifest(store, "run-1")
    assert manifest is not None
    assert manifest.request == request().to_json()
    assert manifest.code_version == "test"
    assert [d.status for d in manifest.dispatches] == ["dispatched"] * 4
    assert (tmp_path / layout.manifest_key("run-1")).exists()


def test_an_identical_request_returns_the_stored_summary_without_dispatching(tmp_path: Path) -> None:
    store, invoker = DirectoryStore(tmp_path), RecordingInvokerStandIn()
    first = submit(store, invoker)

    again = submit(store, invoker)

    assert len(invoker.payloads) == 4
    assert again.duplicate and again.to_json()["dispatches"] == first.to_json()["dispatches"]


def test_a_different_request_for_an_existing_run_id_conflicts(tmp_path: Path) -> None:
    store, invoker = DirectoryStore(tmp_path), RecordingInvokerStandIn()
    submit(store, invoker)

    with pytest.raises(RunConflict, match="run-1"):
        submit(store, invoker, request(shard_count=2))
    assert len(invoker.payloads) == 4


def test_throttled_invokes_are_retried_until_accepted(tmp_path: Path) -> None:
    invoker = ThrottlingInvokerStandIn(times=2)

    summary = submit(DirectoryStore(tmp_path), invoker)

    assert summary.shards_dispatched == 4
    assert invoker.calls == {0: 3, 1: 3, 2: 3, 3: 3}


def test_a_shard_that_cannot_be_dispatched_is_reported_and_the_run_is_incomplete(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)

    summary = submit(store, ThrottlingInvokerStandIn(times=0, refuse=2))

    assert summary.http_status == 502 and not summary.complete
    failed = [d for d in summary.dispatches if d.status == "failed"]
    assert [(d.shard_id, d.error) for d in failed] == [(2, "RuntimeError: function not found")]
    assert summary.to_json()["shards_failed"] == 1
    manifest = read_manifest(store, "run-1")
    assert manifest is not None and manifest.dispatches[2].status == "failed"


def test_throttling_that_never_ends_fails_the_shard_after_bounded_attempts(tmp_path: Path) -> None:
    invoker = ThrottlingInvokerStandIn(times=100)

    summary = submit_run(
        request(shard_count=2),
        DirectoryStore(tmp_path),
        invoker,
        code_version="t",
        results_location="x",
        max_attempts=3,
    )

    assert [d.status_code for d in summary.dispatches] == [429, 429]
    assert [d.error for d in summary.dispatches] == ["throttled after 3 attempts: Rate exceeded"] * 2
    assert invoker.calls == {0: 3, 1: 3}


class FailingInvokerStandIn(RecordingInvokerStandIn):
    """Fails shard 0 with a 503 service error and shard 1 with a dropped connection, every time."""

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        if payload["shard_id"] == 0:
            raise InvokeServiceError("ServiceException: boom", 503)
        if payload["shard_id"] == 1:
            raise InvokeConnectionFailed("EndpointConnectionError: refused")
        return super().invoke_async(payload)


def test_service_errors_and_connection_failures_are_recorded_as_what_they_were(tmp_path: Path) -> None:
    summary = submit_run(
        request(shard_count=3),
        DirectoryStore(tmp_path),
        FailingInvokerStandIn(),
        code_version="t",
        results_location="x",
        max_attempts=2,
    )

    assert [(d.status, d.status_code, d.error) for d in summary.dispatches] == [
        ("failed", 503, "service error after 2 attempts: ServiceException: boom"),
        ("failed", None, "connection failed after 2 attempts: EndpointConnectionError: refused"),
        ("dispatched", 202, None),
    ]


class BlockingInvokerStandIn(RecordingInvokerStandIn):
    """Holds every invoke until ``release`` is set, as a parent still dispatching does."""

    def __init__(self) -> None:
        super().__init__()
        self.started, self.release = threading.Event(), threading.Event()

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        self.started.set()
        self.release.wait(10)
        return super().invoke_async(payload)


def test_a_duplicate_while_the_first_is_dispatching_answers_202_with_pending_shards(tmp_path: Path) -> None:
    store, first_invoker, second_invoker = DirectoryStore(tmp_path), BlockingInvokerStandIn(), RecordingInvokerStandIn()
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(submit, store, first_invoker)
        assert first_invoker.started.wait(10)

        duplicate = submit(store, second_invoker)
        first_invoker.release.set()
        original = first.result()

    body = duplicate.to_json()
    assert duplicate.http_status == 202 and body["duplicate"] is True
    assert (body["shards_pending"], body["shards_failed"], body["shards_dispatched"]) == (4, 0, 0)
    assert second_invoker.payloads == []
    assert original.shards_dispatched == 4 and len(first_invoker.payloads) == 4


def _dead_parents_manifest(
    store: DirectoryStore, req: SweepRequest, age_seconds: float, lease_seconds: float = DISPATCH_CLAIM_GRACE_SECONDS
) -> RunManifest:
    """What a parent that died right after recording the run leaves: every shard claimed, none dispatched."""
    then = datetime.now(UTC) - timedelta(seconds=age_seconds)
    plan = RunManifest.plan(
        req,
        {s: 2 for s in range(req.shard_count)},
        code_version="test",
        results_location="s3://b/p",
        claimed_by="parent-dead",
        lease_seconds=lease_seconds,
        now=then,
    )
    assert create_manifest(store, plan)
    return plan


def test_a_dead_parents_run_is_left_alone_inside_the_grace_period(tmp_path: Path) -> None:
    store, invoker = DirectoryStore(tmp_path), RecordingInvokerStandIn()
    _dead_parents_manifest(store, request(), age_seconds=DISPATCH_CLAIM_GRACE_SECONDS / 2)

    again = submit(store, invoker)

    assert again.http_status == 202 and again.duplicate and again.to_json()["shards_pending"] == 4
    assert invoker.payloads == []


def test_a_dead_parents_run_is_completed_once_by_the_next_identical_requests_after_the_grace_period(
    tmp_path: Path,
) -> None:
    store, invoker = DirectoryStore(tmp_path), RecordingInvokerStandIn()
    _dead_parents_manifest(store, request(), age_seconds=DISPATCH_CLAIM_GRACE_SECONDS + 1)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: submit(store, invoker), range(10)))

    assert sorted(p["shard_id"] for p in invoker.payloads) == [0, 1, 2, 3]
    assert all(a.duplicate and a.http_status == 202 for a in answers)
    manifest = read_manifest(store, "run-1")
    assert manifest is not None and [d.status for d in manifest.dispatches] == ["dispatched"] * 4
    assert len({d.claimed_by for d in manifest.dispatches}) == 1 != {"parent-dead"}


@pytest.mark.parametrize(("age_seconds", "dispatched"), [(DISPATCH_CLAIM_GRACE_SECONDS + 100, 0), (331, 4)])
def test_a_parent_with_a_longer_timeout_holds_its_claims_until_its_own_deadline_and_no_longer(
    tmp_path: Path, age_seconds: float, dispatched: int
) -> None:
    # given a run recorded by a parent that had 300 s to live (a deployment's longer timeout)
    store, invoker = DirectoryStore(tmp_path), RecordingInvokerStandIn()
    _dead_parents_manifest(store, request(), age_seconds, lease_seconds=claim_lease_seconds(300))

    # when the identical request comes again past the default grace period, or past that deadline
    again = submit(store, invoker)

    # then its shards are left to it while it may still live, and sent once it cannot
    assert again.duplicate and len(invoker.payloads) == dispatched
    assert claim_lease_seconds(300) == 300 + CLAIM_CLOCK_MARGIN_SECONDS == 330
    assert claim_lease_seconds(None) == DISPATCH_CLAIM_GRACE_SECONDS


def test_a_claim_written_without_an_expiry_holds_for_the_grace_period(tmp_path: Path) -> None:
    # given a manifest whose claims carry no expiry (written before claims had one), a minute old
    store = DirectoryStore(tmp_path)
    plan = _dead_parents_manifest(store, request(), age_seconds=60)
    body = plan.to_json()
    for record in body["dispatches"]:
        del record["claim_expires_at"]
    old = RunManifest.from_json(body)

    # then its claims are judged by the grace period from when they were made
    claimed_at = old.dispatches[0].claimed_at
    assert claimed_at is not None and old.dispatches[0].claim_expires_at is None
    assert not old.dispatches[0].is_stale(claimed_at + timedelta(seconds=DISPATCH_CLAIM_GRACE_SECONDS))
    assert old.dispatches[0].is_stale(claimed_at + timedelta(seconds=DISPATCH_CLAIM_GRACE_SECONDS + 1))


def test_ten_identical_requests_at_once_dispatch_each_shard_once_and_all_answer_202(tmp_path: Path) -> None:
    store, invoker = DirectoryStore(tmp_path), RecordingInvokerStandIn()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: submit(store, invoker), range(10)))

    assert [a.http_status for a in answers] == [202] * 10
    assert sum(not a.duplicate for a in answers) == 1
    assert sorted(p["shard_id"] for p in invoker.payloads) == [0, 1, 2, 3]


def test_ten_requests_with_different_seeds_for_one_run_id_have_one_winner(tmp_path: Path) -> None:
    store, invoker = DirectoryStore(tmp_path), RecordingInvokerStandIn()

    def attempt(seed: int) -> str:
        try:
            submit(store, invoker, replace(request(), seed=seed))
        except RunConflict:
            return "conflict"
        return f"won {seed}"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(attempt, range(10)))

    [winner] = [o for o in outcomes if o != "conflict"]
    assert outcomes.count("conflict") == 9
    manifest = read_manifest(store, "run-1")
    assert manifest is not None and f"won {manifest.request['seed']}" == winner
    assert len(invoker.payloads) == 4
