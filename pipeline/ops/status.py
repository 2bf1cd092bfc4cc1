"""Where a run stands: each shard's state, attempts, elapsed time and stragglers.

The child writes an outcome only when an attempt ends, so nothing records that
an attempt is running. Each shard's state comes from ``pipeline.ops.shard_state``
(the one classifier); how long a shard that is not final has been waiting is
inferred from the later of its last live dispatch (the manifest: the run's
creation or a redrive) and the end of its last attempt.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pipeline.ops.manifests import dispatch_history
from pipeline.ops.shard_state import FINAL_STATES, LIVE_DISPATCH, ShardState, classify_shard
from pipeline.ops.snapshot import RunSnapshot


class Verdict(StrEnum):
    SUCCEEDED = "succeeded"
    """Every shard succeeded."""
    INCOMPLETE = "incomplete"
    """Every shard is final, some without success: redrive them."""
    RUNNING = "running"
    """Some shard may still finish."""


EXIT_SUCCEEDED = 0
EXIT_INCOMPLETE = 3
EXIT_RUNNING = 4
VERDICT_EXIT = {Verdict.SUCCEEDED: EXIT_SUCCEEDED, Verdict.INCOMPLETE: EXIT_INCOMPLETE, Verdict.RUNNING: EXIT_RUNNING}
"""The exit code of every command that ends on a run's verdict (status, redrive --watch, run --local)."""


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
            "counts": {"total": len(self.shards), **{state.value: self.count(state) for state in ShardState}},
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


def dispatch_times(manifest: Mapping[str, Any]) -> dict[int, list[datetime]]:
    """When each shard was dispatched live: at the run's creation, then at each redrive that reached it."""
    return {
        shard_id: [d.at for d in history if d.status in LIVE_DISPATCH]
        for shard_id, history in dispatch_history(manifest).items()
    }


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
    history = dispatch_history(manifest)
    times = dispatch_times(manifest)
    durations = [d for s in times if (d := _success_duration(by_shard[s])) is not None]
    median = statistics.median(durations) if durations else None
    threshold = None if median is None else max(policy.factor * median, policy.min_seconds)
    shards = []
    for record in sorted(manifest["dispatches"], key=lambda d: d["shard_id"]):
        shard_id, attempts = record["shard_id"], by_shard[record["shard_id"]]
        state = classify_shard([d.status for d in history[shard_id]], [a["status"] for a in attempts])
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
    created = datetime.fromisoformat(manifest["created_at"]).astimezone(UTC)
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
