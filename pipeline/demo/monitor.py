"""A run's progress, read from its manifest and its shard_outcomes objects (one per attempt).

Each shard's state is ``pipeline.ops.shard_state``'s, the meaning status and redrive use.
The manifest is read on every poll (a redrive changes it); each outcome object is read once
and remembered."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.ops.manifests import dispatch_history, manifest_of
from pipeline.ops.shard_state import FINAL_STATES, SUCCEEDED_ATTEMPT, ShardState, classify_shard
from sim.datasets import layout
from sim.datasets.parquet import decode
from sim.exceptions import SweepError
from sim.store import ObjectStore


class RunTimedOut(SweepError):
    """Some shards had no final outcome before the deadline."""


@dataclass(frozen=True)
class ShardProgress:
    shard_id: int
    attempts: int
    failed_attempts: int
    status: ShardState

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATES


class RunMonitor:
    """Polls one run's outcomes in a store (S3 or a directory)."""

    def __init__(self, store: ObjectStore, run_id: str, shard_count: int, prefix: str = layout.DEFAULT_PREFIX) -> None:
        self.store = store
        self.run_id = run_id
        self.shard_count = shard_count
        self.prefix = prefix
        self._statuses: dict[str, str] = {}

    def _status(self, key: str) -> str:
        if key not in self._statuses:
            body = self.store.get(key)
            if body is None:
                raise SweepError(f"{key}: listed but not readable")
            self._statuses[key] = str(decode(body).column("status")[0].as_py())
        return self._statuses[key]

    def poll(self) -> list[ShardProgress]:
        manifest = manifest_of(self.store, self.run_id, self.prefix)
        history = {} if manifest is None else dispatch_history(manifest)
        keys = self.store.list(layout.dataset_prefix("shard_outcomes", self.run_id, self.prefix))
        by_shard: dict[int, list[str]] = {s: [] for s in range(self.shard_count)}
        for key in keys:
            shard_id = int(key.split("/shard_id=", 1)[1].split("/", 1)[0])
            by_shard.setdefault(shard_id, []).append(self._status(key))
        progress = []
        for shard_id, statuses in sorted(by_shard.items()):
            state = classify_shard([d.status for d in history.get(shard_id, [])], statuses)
            failed = sum(s != SUCCEEDED_ATTEMPT for s in statuses)
            progress.append(ShardProgress(shard_id, len(statuses), failed, state))
        return progress

    def wait(
        self,
        timeout_seconds: float,
        *,
        interval_seconds: float = 0.5,
        on_update: Callable[[list[ShardProgress]], None] | None = None,
    ) -> list[ShardProgress]:
        """Poll until every shard is final; the final progress."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            progress = self.poll()
            if on_update is not None:
                on_update(progress)
            if all(p.final for p in progress):
                return progress
            if time.monotonic() > deadline:
                pending = [p.shard_id for p in progress if not p.final]
                raise RunTimedOut(f"run {self.run_id}: shards {pending[:20]} not final after {timeout_seconds:.0f} s")
            time.sleep(interval_seconds)
