"""Redrive: dispatch again exactly the shards that ended without a success.

Outcomes are read right before dispatch, so a shard that succeeded meanwhile
is left alone, and a redriven shard counts as in flight from the moment the
redrive is recorded: running redrive twice dispatches nothing the second time.
Shards still in flight are not redriven (Lambda may still retry them) unless
``stragglers`` asks for backup attempts of the flagged ones. Writes are
deterministic and every attempt records its own outcome, so a backup or a
duplicate delivery changes no data and keeps the history.

The redrive claims its shards in the manifest before the invokes (dispatch records "pending",
``sim.manifest.update_manifest``: a conditional write on a fresh read, whose plan is made from
that read and fresh outcomes) and completes them after, so of concurrent redrives each shard is
claimed by one, and a concurrent status never sees a redriven shard as failed. A shard whose
dispatcher died before recording its dispatch (a pending claim past its expiry; for a claim
with none, past ``DISPATCH_CLAIM_GRACE_SECONDS``) is claimed and dispatched too
("undispatched"). Failure injection is dropped from the redriven request unless
``keep_injection``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.ops.shard_state import ShardState
from pipeline.ops.snapshot import RunSnapshot, read_manifest, read_outcomes
from pipeline.ops.status import RunStatus, StragglerPolicy, run_status
from pipeline.results import ResultsSource, RunNotFound
from sim.invoke import Invoker
from sim.manifest import (
    DISPATCH_CLAIM_GRACE_SECONDS,
    Claim,
    DispatchRecord,
    ManifestMissing,
    RedriveRecord,
    RedriveTarget,
    RunManifest,
    update_manifest,
)
from sim.runs import dispatch_claims, dispatcher_token

REDRIVEN_STATES = frozenset({ShardState.FAILED, ShardState.DISPATCH_FAILED})
STRAGGLER = "straggler"
UNDISPATCHED = "undispatched"


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
            "dispatches": [d.to_json() for d in self.dispatches],
        }


def select_targets(status: RunStatus, *, stragglers: bool = False) -> tuple[list[RedriveTarget], list[int]]:
    """The shards to dispatch, and the ones not final left to finish (a planned shard whose
    dispatcher died is claimed again from the manifest, see ``RunManifest.claim_stale``)."""
    targets, skipped = [], []
    for shard in status.shards:
        if shard.state in REDRIVEN_STATES:
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
    return _plan(source, read_manifest(source, run_id), keep_injection, stragglers, policy, dispatcher_token("plan"))[0]


def _plan(
    source: ResultsSource,
    manifest: RunManifest,
    keep_injection: bool,
    stragglers: bool,
    policy: StragglerPolicy | None,
    token: str,
) -> tuple[RedriveResult, list[Claim]]:
    """The redrive of ``manifest`` as read now; claims its stale records (in that object only)."""
    now = datetime.now(UTC)
    snapshot = RunSnapshot(manifest.run_id, manifest.to_json(), read_outcomes(source, manifest.run_id))
    status = run_status(snapshot, policy=policy, now=now)
    targets, skipped = select_targets(status, stragglers=stragglers)
    stale = manifest.claim_stale(token, now, DISPATCH_CLAIM_GRACE_SECONDS)
    undispatched = {c.shard_id for c in stale}
    targets = [t for t in targets if t.shard_id not in undispatched]
    points = {d.shard_id: d.point_count for d in manifest.dispatches}
    result = RedriveResult(
        manifest.run_id,
        None,
        now,
        keep_injection,
        None,
        [*(RedriveTarget(s, points[s], UNDISPATCHED) for s in sorted(undispatched)), *targets],
        [s for s in skipped if s not in undispatched],
    )
    return result, stale


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
    token = dispatcher_token("redrive")
    redrive_id = f"redrive-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{token.rsplit('-', 1)[1][:6]}"

    def claim(manifest: RunManifest) -> tuple[RedriveResult, list[Claim]]:
        result, claims = _plan(source, manifest, keep_injection, stragglers, policy, token)
        new = [t for t in result.targets if t.reason != UNDISPATCHED]
        if new:
            result.redrive_id, result.backend = redrive_id, backend
            records = [
                DispatchRecord.claimed(t.shard_id, t.point_count, token, result.at, DISPATCH_CLAIM_GRACE_SECONDS)
                for t in new
            ]
            manifest.redrives.append(RedriveRecord(redrive_id, result.at, new, keep_injection, backend, records))
            claims = [*claims, *(Claim(t.shard_id, redrive_id, keep_injection) for t in new)]
        elif claims:
            result.backend = backend
        return result, claims

    try:
        manifest, (result, claims) = update_manifest(source.store(), run_id, claim, source.prefix)
    except ManifestMissing as missing:
        raise RunNotFound(f"run_id: no manifest for {run_id!r} in {source.location}") from missing
    if claims:
        manifest = dispatch_claims(source.store(), manifest, claims, invoker, token, prefix=source.prefix)
        result.dispatches = _results(manifest, claims)
    return result


def _results(manifest: RunManifest, claims: list[Claim]) -> list[DispatchRecord]:
    """The recorded dispatch of each claim, in claim order."""
    found: list[DispatchRecord] = []
    for claim in claims:
        records = manifest.dispatches if claim.redrive_id is None else manifest.redrive(claim.redrive_id).dispatches
        found.extend(r for r in records if r.shard_id == claim.shard_id)
    return found
