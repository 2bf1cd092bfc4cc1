"""Redrive: dispatch again exactly the shards that ended without a success.

Outcomes are read right before dispatch, so a shard that succeeded meanwhile
is left alone, and a redriven shard counts as in flight from the moment the
redrive is recorded: running redrive twice dispatches nothing the second time.
Shards still in flight are not redriven (Lambda may still retry them) unless
``stragglers`` asks for backup attempts of the flagged ones. A shard still
``planned`` (its dispatch recorded as pending, never confirmed) is redriven once
its record is older than ``PLANNED_GRACE_SECONDS``, the parent's timeout: no live
parent can still be dispatching it; writes are
deterministic and every attempt records its own outcome, so a backup or a
duplicate delivery changes no data and keeps the history.

The redrive is recorded in the manifest before the invokes (dispatch records
"pending") and completed after them, so a concurrent status never sees a
redriven shard as failed. Failure injection is dropped from the redriven
request unless ``keep_injection``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.deploy.constants import PARENT_TIMEOUT_SECONDS
from pipeline.ops.shard_state import ShardState
from pipeline.ops.snapshot import RunSnapshot, read_manifest, read_outcomes
from pipeline.ops.status import RunStatus, StragglerPolicy, run_status
from pipeline.results import ResultsSource
from sim.contract import parse_request
from sim.datasets import layout
from sim.runs import DispatchRecord, Invoker, dispatch_shards

REDRIVEN_STATES = frozenset({ShardState.FAILED, ShardState.DISPATCH_FAILED})
STRAGGLER = "straggler"
PLANNED_GRACE_SECONDS = float(PARENT_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class RedriveTarget:
    shard_id: int
    point_count: int
    reason: str
    """The shard's state ("failed", "dispatch_failed", "planned") or "straggler"."""


@dataclass
class RedriveResult:
    run_id: str
    redrive_id: str | None
    at: datetime
    failure_injection: bool
    backend: str | None
    """``lambda:<function>`` or ``local``; None when nothing was dispatched."""
    targets: list[RedriveTarget]
    skipped_in_flight: list[int]
    dispatches: list[DispatchRecord] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every target reached the child (trivially so when there was nothing to redrive)."""
        return all(d.status == "dispatched" for d in self.dispatches)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "redrive_id": self.redrive_id,
            "at": self.at.isoformat(),
            "complete": self.complete,
            "failure_injection": self.failure_injection,
            "backend": self.backend,
            "shards": [asdict(t) for t in self.targets],
            "skipped_in_flight": self.skipped_in_flight,
            "dispatches": [asdict(d) for d in self.dispatches],
        }


def select_targets(
    status: RunStatus, *, stragglers: bool = False, planned_grace_s: float = PLANNED_GRACE_SECONDS
) -> tuple[list[RedriveTarget], list[int]]:
    """The shards to dispatch, and the ones not final left to finish."""
    targets, skipped = [], []
    for shard in status.shards:
        abandoned = shard.state == ShardState.PLANNED and (shard.waiting_s or 0.0) > planned_grace_s
        if shard.state in REDRIVEN_STATES or abandoned:
            targets.append(RedriveTarget(shard.shard_id, shard.points, shard.state.value))
        elif stragglers and shard.straggler:
            targets.append(RedriveTarget(shard.shard_id, shard.points, STRAGGLER))
        elif not shard.final:
            skipped.append(shard.shard_id)
    return targets, skipped


def plan_redrive(
    source: ResultsSource,
    run_id: str,
    *,
    keep_injection: bool = False,
    stragglers: bool = False,
    policy: StragglerPolicy | None = None,
) -> RedriveResult:
    """What a redrive would dispatch now (nothing is dispatched or recorded)."""
    return _plan(source, run_id, keep_injection, stragglers, policy)[0]


def _plan(
    source: ResultsSource, run_id: str, keep_injection: bool, stragglers: bool, policy: StragglerPolicy | None
) -> tuple[RedriveResult, dict[str, Any]]:
    manifest = read_manifest(source, run_id)
    now = datetime.now(UTC)
    status = run_status(RunSnapshot(run_id, manifest, read_outcomes(source, run_id)), policy=policy, now=now)
    targets, skipped = select_targets(status, stragglers=stragglers)
    return RedriveResult(run_id, None, now, keep_injection, None, targets, skipped), manifest


def redrive(
    source: ResultsSource,
    run_id: str,
    invoker: Invoker,
    *,
    backend: str,
    keep_injection: bool = False,
    stragglers: bool = False,
    policy: StragglerPolicy | None = None,
) -> RedriveResult:
    """Re-dispatch the run's unsuccessful shards (and flagged stragglers) and record it in the manifest."""
    result, manifest = _plan(source, run_id, keep_injection, stragglers, policy)
    if not result.targets:
        return result
    result.backend = backend
    result.redrive_id = f"redrive-{result.at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    plan = [DispatchRecord(t.shard_id, t.point_count) for t in result.targets]
    _record(source, run_id, result, plan)
    request = parse_request(manifest["request"])
    result.dispatches = dispatch_shards(request, plan, invoker, failure_injection=keep_injection)
    _record(source, run_id, result, result.dispatches)
    return result


def _record(source: ResultsSource, run_id: str, result: RedriveResult, records: list[DispatchRecord]) -> None:
    """Add or update the redrive's entry, on a fresh read of the manifest."""
    manifest = read_manifest(source, run_id)
    entry = {
        "id": result.redrive_id,
        "at": result.at.isoformat(),
        "shards": [asdict(t) for t in result.targets],
        "failure_injection": result.failure_injection,
        "backend": result.backend,
        "dispatches": [asdict(r) for r in records],
    }
    redrives = manifest.setdefault("redrives", [])
    existing = [i for i, r in enumerate(redrives) if r.get("id") == result.redrive_id]
    # A concurrent writer may have dropped the pending entry: then it is added again, complete.
    if existing:
        redrives[existing[0]] = entry
    else:
        redrives.append(entry)
    # The same encoding as sim.runs writes the manifest with.
    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
    source.store().put(layout.manifest_key(run_id, source.prefix), body)
