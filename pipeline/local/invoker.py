"""A process pool standing in for Lambda: the local backend of ``sim.invoke.Invoker``.

A pool whose worker died is Lambda's service error (retryable, reported as 500); a pool that
was shut down refuses for good."""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.local.lifeline import bind_to_parent
from sim.contract.shard_event import parse_shard_event
from sim.invoke import InvokeFailed, InvokeServiceError
from sim.limits import MAX_RETRIES
from sim.market.compiled import KERNEL_MODULE_ENV
from sim.store import DirectoryStore
from sim.worker import AttemptContext, RunUnknown, execute_shard

SERVICE_ERROR = 500


@dataclass(frozen=True)
class ShardResult:
    """How a shard ended after its attempts."""

    shard_id: int
    status: str
    attempts: int
    rows_written: int
    error: str | None


def run_shard_attempts(payload: Mapping[str, Any], root: str, code_version: str) -> ShardResult:
    """One shard with Lambda's async retry policy: the first attempt plus MAX_RETRIES."""
    request, shard_id = parse_shard_event(payload)
    store = DirectoryStore(root)
    error: str | None = None
    for attempt in range(1, MAX_RETRIES + 2):
        context = AttemptContext(request_id=f"local-{uuid.uuid4().hex[:16]}", code_version=code_version)
        try:
            row = execute_shard(request, shard_id, store, context)
        except RunUnknown as unknown:  # nothing recorded, and a retry would be refused the same way
            return ShardResult(shard_id, "failed", attempt, 0, f"RunUnknown: {unknown}")
        except Exception as failure:  # recorded in shard_outcomes by execute_shard; retried here
            error = f"{type(failure).__name__}: {failure}"
            continue
        if row["status"] != "succeeded":  # refused (a request the run never had): recorded, not retried
            return ShardResult(shard_id, "failed", attempt, 0, f"{row['error_type']}: {row['error_message']}")
        return ShardResult(shard_id, "succeeded", attempt, row["rows_written"], None)
    return ShardResult(shard_id, "failed", MAX_RETRIES + 1, 0, error)


def _start_worker(parent_pid: int, kernel_module: str | None) -> None:
    """Pool initializer: die with the parent; run the compiled kernel module if there is one."""
    bind_to_parent(parent_pid)
    if kernel_module:
        os.environ[KERNEL_MODULE_ENV] = kernel_module


class ProcessPoolInvoker:
    """Runs each dispatched shard in a worker process; ``futures`` tracks them.

    The workers are forked, all at once, by the constructor, from the caller's thread: before
    any dispatch thread exists (forking while our threads may hold locks is what is unsafe; the
    only other threads then are native ones, OpenBLAS's and jemalloc's, and both libraries
    handle fork), and from the thread the parent-death signal follows
    (``pipeline.local.lifeline``). A forked worker starts with the caller's modules loaded; a
    spawned one imported them again, most of a second of CPU apiece (docs/simulation.md has the
    sweep measured both ways). Each ends when this process ends. Workers simulate with
    ``kernel_module`` (a compiled market kernel, see sim/market/compiled.py) when given, else
    with what this process would use."""

    def __init__(
        self, root: str, code_version: str, workers: int | None = None, kernel_module: Path | None = None
    ) -> None:
        self.root = root
        self.code_version = code_version
        self._pool = ProcessPoolExecutor(
            max_workers=workers or os.cpu_count() or 1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(os.getpid(), str(kernel_module) if kernel_module else None),
        )
        # A fork pool starts every worker at its first submit.
        self._pool.submit(os.getpid)
        self.futures: list[Future[ShardResult]] = []

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        try:
            future = self._pool.submit(run_shard_attempts, dict(payload), self.root, self.code_version)
        except BrokenProcessPool as error:
            raise InvokeServiceError(f"process pool broken: {error}", SERVICE_ERROR) from error
        except RuntimeError as error:  # submit after shutdown
            raise InvokeFailed(f"process pool refused the shard: {error}") from error
        self.futures.append(future)
        return f"local-{uuid.uuid4().hex[:16]}"

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
