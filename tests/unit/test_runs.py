"""The parent's logic over a real directory store; the invokers here are stand-ins
for Lambda (the real invoker is exercised end to end on the emulator)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sim.contract import SweepRequest
from sim.datasets import layout
from sim.runs import InvokeThrottled, RunConflict, load_manifest, submit_run
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

    manifest = load_manifest(store, "run-1")
    assert manifest is not None
    assert manifest["request"] == request().to_json()
    assert manifest["code_version"] == "test"
    assert [d["status"] for d in manifest["dispatches"]] == ["dispatched"] * 4
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
    assert load_manifest(store, "run-1")["dispatches"][2]["status"] == "failed"


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
    assert invoker.calls == {0: 3, 1: 3}
