"""A run's progress, read from its shard_outcomes objects (one per attempt).

A shard is final once an attempt succeeded, or once all of Lambda's attempts (the first
plus ``sim.worker.MAX_RETRIES``) failed. Each outcome object is read once and remembered."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sim.datasets import layout
from sim.datasets.parquet import decode
from sim.exceptions import SweepError
from sim.store import ObjectStore
from sim.worker import MAX_RETRIES

MAX_ATTEMPTS = MAX_RETRIES + 1
PENDING, RETRYING, SUCCEEDED, FAILED = "pending", "retrying", "succeeded", "failed"


class RunTimedOut(SweepError):
    """Some shards had no final outcome before the deadline."""


@dataclass(frozen=True)
class ShardProgress:
    shard_id: int
    attempts: int
    failed_attempts: int
    status: str

    @property
    def final(self) -> bool:
        return self.status in (SUCCEEDED, FAILED)


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
        keys = self.store.list(layout.dataset_prefix("shard_outcomes", self.run_id, self.prefix))
        by_shard: dict[int, list[str]] = {s: [] for s in range(self.shard_count)}
        for key in keys:
            shard_id = int(key.split("/shard_id=", 1)[1].split("/", 1)[0])
            by_shard.setdefault(shard_id, []).append(self._status(key))
        progress = []
        for shard_id, statuses in sorted(by_shard.items()):
            failed = sum(s != SUCCEEDED for s in statuses)
            if SUCCEEDED in statuses:
                status = SUCCEEDED
            elif failed >= MAX_ATTEMPTS:
                status = FAILED
            else:
                status = RETRYING if failed else PENDING
            progress.append(ShardProgress(shard_id, len(statuses), failed, status))
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
