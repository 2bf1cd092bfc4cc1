"""The parent's work: record the run, then dispatch one child per shard.

The manifest is created only if absent, so of two identical requests only
the first dispatches; a different request for an existing run_id conflicts.
Dispatch goes through an ``Invoker`` (Lambda async invokes in the cloud, a
process pool locally), in parallel, with bounded retries on throttling.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from sim.contract import SweepRequest
from sim.datasets import layout
from sim.exceptions import SweepError
from sim.grid import grid_size, shard_unit_indices, unit_count
from sim.store import ObjectStore
from sim.worker import shard_event

BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 2.0
ACCEPTED = 202


class Invoker(Protocol):
    """Starts one child asynchronously."""

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        """Hand the payload to a child; return its request id once accepted (HTTP 202).

        Raises InvokeThrottled when the service asks to slow down."""
        ...


class InvokeThrottled(SweepError):
    """The invoke was throttled and may be retried."""


class RunConflict(SweepError):
    """A different request already owns this run_id."""


@dataclass
class DispatchRecord:
    """What happened to one shard's dispatch."""

    shard_id: int
    point_count: int
    status: str = "pending"
    status_code: int | None = None
    request_id: str | None = None
    error: str | None = None


@dataclass
class RunSummary:
    """The parent's answer for a run."""

    run_id: str
    points_total: int
    results_prefix: str
    dispatches: list[DispatchRecord]
    duplicate: bool = False
    shards_dispatched: int = field(init=False)

    def __post_init__(self) -> None:
        self.shards_dispatched = sum(d.status == "dispatched" for d in self.dispatches)

    @property
    def complete(self) -> bool:
        return self.shards_dispatched == len(self.dispatches)

    @property
    def http_status(self) -> int:
        """202 when every shard is on its way; 502 when a shard could not be dispatched."""
        return ACCEPTED if self.complete else 502

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "complete": self.complete,
            "duplicate": self.duplicate,
            "shards_dispatched": self.shards_dispatched,
            "shards_failed": len(self.dispatches) - self.shards_dispatched,
            "points_total": self.points_total,
            "results_prefix": self.results_prefix,
            "dispatches": [asdict(d) for d in self.dispatches],
        }


def load_manifest(store: ObjectStore, run_id: str, prefix: str = layout.DEFAULT_PREFIX) -> dict[str, Any] | None:
    body = store.get(layout.manifest_key(run_id, prefix))
    return None if body is None else json.loads(body)


def _summary(manifest: Mapping[str, Any], duplicate: bool) -> RunSummary:
    return RunSummary(
        run_id=manifest["run_id"],
        points_total=manifest["points_total"],
        results_prefix=manifest["results_prefix"],
        dispatches=[DispatchRecord(**d) for d in manifest["dispatches"]],
        duplicate=duplicate,
    )


def submit_run(
    request: SweepRequest,
    store: ObjectStore,
    invoker: Invoker,
    *,
    code_version: str,
    results_location: str,
    prefix: str = layout.DEFAULT_PREFIX,
    max_workers: int = 32,
    max_attempts: int = 6,
) -> RunSummary:
    """Record the run and dispatch its shards, or return the stored summary of an identical run."""
    points_total = grid_size(request.dimensions)
    plan = [DispatchRecord(shard_id=s, point_count=count) for s, count in enumerate(shard_unit_counts(request))]
    manifest: dict[str, Any] = {
        "run_id": request.run_id,
        "request": request.to_json(),
        "points_total": points_total,
        "results_prefix": results_location,
        "code_version": code_version,
        "created_at": datetime.now(UTC).isoformat(),
        "dispatches": [asdict(d) for d in plan],
        "redrives": [],
    }
    key = layout.manifest_key(request.run_id, prefix)
    if not store.put_if_absent(key, _dump(manifest)):
        existing = load_manifest(store, request.run_id, prefix)
        if existing is None or existing["request"] != request.to_json():
            raise RunConflict(f"run_id: {request.run_id!r} already exists with a different request")
        return _summary(existing, duplicate=True)
    records = dispatch_shards(request, plan, invoker, max_workers=max_workers, max_attempts=max_attempts)
    manifest["dispatches"] = [asdict(d) for d in records]
    store.put(key, _dump(manifest))
    return _summary(manifest, duplicate=False)


def shard_unit_counts(request: SweepRequest) -> list[int]:
    """Work units per shard; a dispatch record's ``point_count`` counts these (points when replications is 1)."""
    units = unit_count(request.dimensions, request.replications)
    return [len(shard_unit_indices(units, request.shard_count, s)) for s in range(request.shard_count)]


def dispatch_shards(
    request: SweepRequest,
    plan: list[DispatchRecord],
    invoker: Invoker,
    *,
    max_workers: int = 32,
    max_attempts: int = 6,
    failure_injection: bool = True,
) -> list[DispatchRecord]:
    """Invoke one child per planned shard in parallel; never drop a shard silently.

    ``failure_injection=False`` sends the request without its injected shards (a redrive)."""
    if not failure_injection:
        request = replace(request, failure_injection_shards=frozenset())

    def dispatch(record: DispatchRecord) -> DispatchRecord:
        payload = shard_event(request, record.shard_id)
        for attempt in range(1, max_attempts + 1):
            try:
                request_id = invoker.invoke_async(payload)
            except InvokeThrottled as error:
                if attempt == max_attempts:
                    return _failed(record, f"throttled {attempt} times: {error}", 429)
                time.sleep(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt) * random.uniform(0.5, 1))
            except Exception as error:  # any other failure is recorded against the shard
                return _failed(record, f"{type(error).__name__}: {error}", None)
            else:
                return DispatchRecord(record.shard_id, record.point_count, "dispatched", ACCEPTED, request_id)
        raise AssertionError("unreachable")

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(plan)))) as pool:
        return list(pool.map(dispatch, plan))


def _failed(record: DispatchRecord, error: str, status_code: int | None) -> DispatchRecord:
    return DispatchRecord(record.shard_id, record.point_count, "failed", status_code, None, error)


def _dump(manifest: Mapping[str, Any]) -> bytes:
    return json.dumps(manifest, indent=2, sort_keys=True).encode()
