"""Where a run stands: each shard's state, attempts, elapsed time and stragglers.

The child writes an outcome only when an attempt ends, so nothing records that
an attempt is running. A shard without a final outcome is "in flight" (attempts
recorded, retries or a redrive still due) or "never started" (dispatched, no
outcome yet), and how long it has been waiting is inferred from the later of
its last dispatch (the manifest: the run's creation or a redrive) and the end
of its last attempt. Each live dispatch is owed MAX_RETRIES + 1 attempts (the
Lambda async retry policy), so a shard has failed for good when its failed
attempts reach that many per dispatch without a success.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pipeline.ops.snapshot import RunSnapshot
from sim.worker import MAX_RETRIES

ATTEMPTS_PER_DISPATCH = MAX_RETRIES + 1
LIVE_DISPATCH = frozenset({"dispatched", "pending"})
"""Dispatch records that reached (or are on their way to) the child."""


class ShardState(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Every attempt of every dispatch failed (retries exhausted)."""
    DISPATCH_FAILED = "dispatch_failed"
    """No dispatch reached the child (the parent recorded the invoke as failed)."""
    IN_FLIGHT = "in_flight"
    """Attempts recorded, but retries or a redrive are still due."""
    NEVER_STARTED = "never_started"
    """Dispatched, no outcome yet."""


FINAL_STATES = frozenset({ShardState.SUCCEEDED, ShardState.FAILED, ShardState.DISPATCH_FAILED})


class Verdict(StrEnum):
    SUCCEEDED = "succeeded"
    """Every shard succeeded."""
    INCOMPLETE = "incomplete"
    """Every shard is final, some without success: redrive them."""
    RUNNING = "running"
    """Some shard may still finish."""


@dataclass(frozen=True)
class StragglerPolicy:
    """A waiting shard is a straggler past max(factor x median finished duration, min_seconds)."""

    factor: float = 3.0
    min_seconds: float = 30.0


@dataclass(frozen=True)
class ShardStatus:
    shard_id: int
    state: ShardState
    points: int
    """Work units (point, replicate) the shard owns: its points when replications is 1."""
    dispatches: int
    attempts: int
    failed_attempts: int
    last_error: str | None
    duration_s: float | None
    """The successful attempt's duration."""
    waiting_s: float | None
    """Not final: seconds since its last dispatch or the end of its last attempt."""
    straggler: bool

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class RunStatus:
    run_id: str
    points_total: int
    code_version: str
    created_at: datetime
    checked_at: datetime
    finished_at: datetime | None
    redrives: int
    shards: list[ShardStatus]
    policy: StragglerPolicy
    median_duration_s: float | None
    straggler_threshold_s: float | None
    replications: int = 1

    @property
    def units_total(self) -> int:
        """Work units: grid points x replications."""
        return self.points_total * self.replications

    @property
    def units_succeeded(self) -> int:
        return sum(s.points for s in self.shards if s.state == ShardState.SUCCEEDED)

    def count(self, state: ShardState) -> int:
        return sum(s.state == state for s in self.shards)

    @property
    def final(self) -> bool:
        return all(s.final for s in self.shards)

    @property
    def verdict(self) -> Verdict:
        if all(s.state == ShardState.SUCCEEDED for s in self.shards):
            return Verdict.SUCCEEDED
        return Verdict.INCOMPLETE if self.final else Verdict.RUNNING

    @property
    def elapsed_s(self) -> float:
        return ((self.finished_at or self.checked_at) - self.created_at).total_seconds()

    @property
    def stragglers(self) -> list[int]:
        return [s.shard_id for s in self.shards if s.straggler]

    def to_json(self) -> dict[str, Any]:
        """The ``status --json`` document (shape in docs/operations.md)."""
        return {
            "run_id": self.run_id,
            "verdict": self.verdict.value,
            "points_total": self.points_total,
            "replications": self.replications,
            "units_total": self.units_total,
            "units_succeeded": self.units_succeeded,
            "code_version": self.code_version,
            "created_at": self.created_at.isoformat(),
            "checked_at": self.checked_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "elapsed_s": round(self.elapsed_s, 3),
            "redrives": self.redrives,
            "counts": {"planned": len(self.shards), **{state.value: self.count(state) for state in ShardState}},
            "attempts": {
                "total": sum(s.attempts for s in self.shards),
                "failed": sum(s.failed_attempts for s in self.shards),
            },
            "stragglers": {
                **asdict(self.policy),
                "median_duration_s": self.median_duration_s,
                "threshold_s": self.straggler_threshold_s,
                "shards": self.stragglers,
            },
            "shards": [{**asdict(s), "state": s.state.value} for s in self.shards],
        }


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def dispatch_times(manifest: Mapping[str, Any]) -> dict[int, list[datetime]]:
    """When each shard was dispatched: at the run's creation, then at each redrive that reached it."""
    created = _when(manifest["created_at"])
    times: dict[int, list[datetime]] = {d["shard_id"]: [] for d in manifest["dispatches"]}
    for record in manifest["dispatches"]:
        if record["status"] in LIVE_DISPATCH:
            times[record["shard_id"]].append(created)
    for redrive in manifest.get("redrives", []):
        for record in redrive["dispatches"]:
            if record["status"] in LIVE_DISPATCH:
                times[record["shard_id"]].append(_when(redrive["at"]))
    return times


def _state(dispatches: int, attempts: Sequence[Mapping[str, Any]]) -> ShardState:
    failed = sum(a["status"] != "succeeded" for a in attempts)
    if len(attempts) > failed:
        return ShardState.SUCCEEDED
    if dispatches == 0:
        return ShardState.FAILED if attempts else ShardState.DISPATCH_FAILED
    if failed >= dispatches * ATTEMPTS_PER_DISPATCH:
        return ShardState.FAILED
    return ShardState.IN_FLIGHT if attempts else ShardState.NEVER_STARTED


def _success_duration(attempts: Sequence[Mapping[str, Any]]) -> float | None:
    durations = [a["duration_ms"] / 1000 for a in attempts if a["status"] == "succeeded"]
    return min(durations) if durations else None


def run_status(
    snapshot: RunSnapshot, *, policy: StragglerPolicy | None = None, now: datetime | None = None
) -> RunStatus:
    """Classify every planned shard of the snapshot, as seen at ``now``."""
    policy = policy or StragglerPolicy()
    now = now or datetime.now(UTC)
    manifest = snapshot.manifest
    by_shard: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(snapshot.outcomes, key=lambda r: (r["shard_id"], r["attempt"], r["ended_at"])):
        by_shard[row["shard_id"]].append(row)
    times = dispatch_times(manifest)
    durations = [d for s in times if (d := _success_duration(by_shard[s])) is not None]
    median = statistics.median(durations) if durations else None
    threshold = None if median is None else max(policy.factor * median, policy.min_seconds)
    shards = []
    for record in sorted(manifest["dispatches"], key=lambda d: d["shard_id"]):
        shard_id, attempts = record["shard_id"], by_shard[record["shard_id"]]
        state = _state(len(times[shard_id]), attempts)
        waiting = None
        if state not in FINAL_STATES:
            since = max([*times[shard_id], *(a["ended_at"] for a in attempts)])
            waiting = max(0.0, (now - since).total_seconds())
        failures = [a for a in attempts if a["status"] != "succeeded"]
        shards.append(
            ShardStatus(
                shard_id=shard_id,
                state=state,
                points=record["point_count"],
                dispatches=len(times[shard_id]),
                attempts=len(attempts),
                failed_attempts=len(failures),
                last_error=_error(failures[-1]) if failures and state != ShardState.SUCCEEDED else None,
                duration_s=_success_duration(attempts),
                waiting_s=waiting,
                straggler=waiting is not None and threshold is not None and waiting > threshold,
            )
        )
    final = all(s.state in FINAL_STATES for s in shards)
    ends = [row["ended_at"] for row in snapshot.outcomes]
    created = _when(manifest["created_at"])
    return RunStatus(
        run_id=snapshot.run_id,
        points_total=manifest["points_total"],
        code_version=manifest.get("code_version", ""),
        created_at=created,
        checked_at=now,
        finished_at=(max(ends) if ends else created) if final else None,
        redrives=len(manifest.get("redrives", [])),
        shards=shards,
        policy=policy,
        median_duration_s=median,
        straggler_threshold_s=threshold,
        replications=manifest["request"].get("replications", 1),
    )


def _error(attempt: Mapping[str, Any]) -> str:
    return f"{attempt['error_type']}: {attempt['error_message']}" if attempt["error_type"] else "failed"
