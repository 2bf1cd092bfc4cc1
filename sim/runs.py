"""The parent's work: record the run, then dispatch one child per shard.

The manifest (``sim.manifest``) is created only if absent, with every shard claimed by its
creator, so of two identical requests only the first dispatches; a different request for an
existing run_id conflicts. An identical request for an existing run answers with the dispatch
state so far (pending shards are on their way, not failed), and first completes any shard whose
claim a dead parent left past its expiry (``sim.manifest``). Dispatch goes through
an ``Invoker`` (Lambda async invokes in the cloud, a process pool locally), in parallel, wrapped
in ``RetryingInvoker`` for throttling, service errors and failed connections.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sim.constants import DISPATCH_CONCURRENCY, DISPATCH_MAX_ATTEMPTS
from sim.contract import SweepRequest
from sim.contract.shard_event import shard_event
from sim.datasets import layout
from sim.exceptions import SweepError
from sim.grid import shard_unit_indices, unit_count
from sim.invoke import ACCEPTED, InvokeFailed, Invoker
from sim.manifest import (
    DISPATCHED,
    FAILED,
    PENDING,
    Claim,
    DispatchRecord,
    RunManifest,
    claim_lease_seconds,
    create_manifest,
    read_manifest,
    update_manifest,
)
from sim.retries import RetryingInvoker, RetryPolicy
from sim.store import ObjectStore

INCOMPLETE = 502
PUBLIC_DISPATCH_FIELDS = ("shard_id", "point_count", "status", "status_code", "request_id", "error")
"""What the answer shows of a dispatch record (claims are the manifest's bookkeeping)."""


class RunConflict(SweepError):
    """A different request already owns this run_id."""


@dataclass
class RunSummary:
    """The parent's answer for a run."""

    run_id: str
    points_total: int
    results_prefix: str
    dispatches: list[DispatchRecord]
    duplicate: bool = False

    def _count(self, status: str) -> int:
        return sum(d.status == status for d in self.dispatches)

    @property
    def shards_dispatched(self) -> int:
        return self._count(DISPATCHED)

    @property
    def complete(self) -> bool:
        return self.shards_dispatched == len(self.dispatches)

    @property
    def http_status(self) -> int:
        """202 while every shard is dispatched or on its way; 502 once a shard's dispatch failed."""
        return INCOMPLETE if self._count(FAILED) else ACCEPTED

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "complete": self.complete,
            "duplicate": self.duplicate,
            "shards_dispatched": self.shards_dispatched,
            "shards_pending": self._count(PENDING),
            "shards_failed": self._count(FAILED),
            "points_total": self.points_total,
            "results_prefix": self.results_prefix,
            "dispatches": [{k: d.to_json()[k] for k in PUBLIC_DISPATCH_FIELDS} for d in self.dispatches],
        }

    @classmethod
    def of(cls, manifest: RunManifest, duplicate: bool) -> RunSummary:
        return cls(manifest.run_id, manifest.points_total, manifest.results_prefix, manifest.dispatches, duplicate)


def submit_run(
    request: SweepRequest,
    store: ObjectStore,
    invoker: Invoker,
    *,
    code_version: str,
    results_location: str,
    prefix: str = layout.DEFAULT_PREFIX,
    max_workers: int = DISPATCH_CONCURRENCY,
    max_attempts: int = DISPATCH_MAX_ATTEMPTS,
    deadline_seconds: float | None = None,
) -> RunSummary:
    """Record the run and dispatch its shards, or answer for the identical run already recorded.

    ``deadline_seconds``: how long this dispatcher can live at most (a parent's remaining time),
    so that its claims hold that long and no longer (``sim.manifest.claim_lease_seconds``)."""
    token = dispatcher_token("parent")
    lease = claim_lease_seconds(deadline_seconds)
    shard_points = dict(enumerate(shard_unit_counts(request)))
    manifest = RunManifest.plan(
        request,
        shard_points,
        code_version=code_version,
        results_location=results_location,
        claimed_by=token,
        lease_seconds=lease,
    )
    if create_manifest(store, manifest, prefix):
        claims = [Claim(s, None, True) for s in shard_points]
        duplicate = False
    else:
        existing = read_manifest(store, request.run_id, prefix)
        if existing is None or existing.request != request.to_json():
            raise RunConflict(f"run_id: {request.run_id!r} already exists with a different request")
        manifest, claims = update_manifest(
            store, request.run_id, lambda m: m.claim_stale(token, datetime.now(UTC), lease), prefix
        )
        duplicate = True
    if claims:
        manifest = dispatch_claims(
            store, manifest, claims, invoker, token, prefix=prefix, max_workers=max_workers, max_attempts=max_attempts
        )
    return RunSummary.of(manifest, duplicate)


def dispatcher_token(role: str) -> str:
    """Who holds a claim: unique per dispatcher."""
    return f"{role}-{uuid.uuid4().hex[:12]}"


def dispatch_claims(
    store: ObjectStore,
    manifest: RunManifest,
    claims: Sequence[Claim],
    invoker: Invoker,
    token: str,
    *,
    prefix: str = layout.DEFAULT_PREFIX,
    max_workers: int = DISPATCH_CONCURRENCY,
    max_attempts: int = DISPATCH_MAX_ATTEMPTS,
) -> RunManifest:
    """Invoke the claimed shards, then record each result where ``token`` still holds the claim."""
    request = manifest.sweep_request()
    points = {d.shard_id: d.point_count for d in manifest.dispatches}
    groups: dict[tuple[str | None, bool], list[DispatchRecord]] = defaultdict(list)
    for claim in claims:
        groups[claim.redrive_id, claim.failure_injection].append(DispatchRecord(claim.shard_id, points[claim.shard_id]))
    for (redrive_id, injection), plan in groups.items():
        records = dispatch_shards(
            request, plan, invoker, max_workers=max_workers, max_attempts=max_attempts, failure_injection=injection
        )
        manifest, _ = update_manifest(store, manifest.run_id, _completion(token, redrive_id, records), prefix)
    return manifest


def _completion(token: str, redrive_id: str | None, records: list[DispatchRecord]) -> Callable[[RunManifest], None]:
    """The manifest change that records these dispatch results (where ``token`` holds the claims)."""
    return lambda manifest: manifest.complete(token, redrive_id, records)


def shard_unit_counts(request: SweepRequest) -> list[int]:
    """Work units per shard; a dispatch record's ``point_count`` counts these (points when replications is 1)."""
    units = unit_count(request.dimensions, request.replications)
    return [len(shard_unit_indices(units, request.shard_count, s)) for s in range(request.shard_count)]


def dispatch_shards(
    request: SweepRequest,
    plan: list[DispatchRecord],
    invoker: Invoker,
    *,
    max_workers: int = DISPATCH_CONCURRENCY,
    max_attempts: int = DISPATCH_MAX_ATTEMPTS,
    failure_injection: bool = True,
) -> list[DispatchRecord]:
    """Invoke one child per planned shard in parallel; never drop a shard silently.

    ``failure_injection=False`` sends the request without its injected shards (a redrive)."""
    if not failure_injection:
        request = replace(request, failure_injection_shards=frozenset())
    retrying = RetryingInvoker(invoker, RetryPolicy(max_attempts=max_attempts))

    def dispatch(record: DispatchRecord) -> DispatchRecord:
        try:
            request_id = retrying.invoke_async(shard_event(request, record.shard_id))
        except InvokeFailed as error:
            noun = "attempt" if error.attempts == 1 else "attempts"
            return _failed(record, f"{error.kind} after {error.attempts} {noun}: {error}", error.status_code)
        except Exception as error:  # an unexpected failure is recorded against the shard, never dropped
            return _failed(record, f"{type(error).__name__}: {error}", None)
        return DispatchRecord(record.shard_id, record.point_count, DISPATCHED, ACCEPTED, request_id)

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(plan)))) as pool:
        return list(pool.map(dispatch, plan))


def _failed(record: DispatchRecord, error: str, status_code: int | None) -> DispatchRecord:
    return DispatchRecord(record.shard_id, record.point_count, FAILED, status_code, None, error)
