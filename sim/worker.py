"""One attempt at one shard: what the child Lambda and the local sweep both run.

Data objects have fixed keys and are written only when absent, so a retried
or redelivered shard never duplicates data and leaves existing bytes as they
are. Every attempt, success or failure, records its own shard_outcomes object.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sim.contract import SweepRequest, parse_request
from sim.datasets import layout
from sim.datasets.parquet import encode
from sim.datasets.schemas import DATA_DATASETS
from sim.datasets.tables import outcome_table, shard_tables
from sim.exceptions import SweepError
from sim.grid import WorkUnit, shard_units, unit_seed
from sim.market import simulate_points
from sim.store import ObjectStore

MAX_RETRIES = 2
"""Retries after a failed attempt: Lambda's async maximum, honoured by the local sweep too."""

ERROR_MESSAGE_LIMIT = 2000


@dataclass(frozen=True)
class AttemptContext:
    """Who is running this attempt."""

    request_id: str
    code_version: str
    memory_mb: int | None = None


class InjectedFailure(SweepError):
    """The request asked this shard to fail (failure_injection_shards)."""


def shard_event(request: SweepRequest, shard_id: int) -> dict[str, Any]:
    """The child's payload: the request plus the shard id; small whatever the grid size."""
    return {**request.to_json(), "shard_id": shard_id}


def parse_shard_event(event: Mapping[str, Any]) -> tuple[SweepRequest, int]:
    """Re-validate a child payload: a child trusts nothing it did not check."""
    body = dict(event)
    shard_id = body.pop("shard_id", None)
    request = parse_request(body)
    if not isinstance(shard_id, int) or isinstance(shard_id, bool) or not 0 <= shard_id < request.shard_count:
        raise SweepError(f"shard_id: must be an integer in [0, {request.shard_count}), got {shard_id!r}")
    return request, shard_id


def _now() -> datetime:
    return datetime.now(UTC)


def next_attempt(store: ObjectStore, run_id: str, shard_id: int, prefix: str = layout.DEFAULT_PREFIX) -> int:
    """This attempt's number: one more than the outcome objects the shard already has."""
    return 1 + len(store.list(layout.shard_prefix("shard_outcomes", run_id, shard_id, prefix)))


def execute_shard(
    request: SweepRequest,
    shard_id: int,
    store: ObjectStore,
    context: AttemptContext,
    prefix: str = layout.DEFAULT_PREFIX,
    attempt: int | None = None,
) -> dict[str, Any]:
    """Simulate the shard, write its datasets and its outcome; return the outcome row.

    ``attempt`` is counted with ``next_attempt`` unless the caller already did.
    Raises after recording a failed outcome, so that Lambda retries the event.
    """
    started = _now()
    if attempt is None:
        attempt = next_attempt(store, request.run_id, shard_id, prefix)
    units = shard_work_units(request, shard_id)
    row: dict[str, Any] = {
        "attempt": attempt,
        "status": "succeeded",
        "error_type": None,
        "error_message": None,
        "failure_injected": shard_id in request.failure_injection_shards,
        "shard_count": request.shard_count,
        "points_assigned": len(units),
        "points_completed": 0,
        "rows_written": 0,
        "request_id": context.request_id,
        "code_version": context.code_version,
        "memory_mb": context.memory_mb,
    }
    try:
        if row["failure_injected"]:
            raise InjectedFailure(f"failure injected into shard {shard_id} (attempt {attempt})")
        row["rows_written"] = _write_data(request, shard_id, units, store, prefix)
        row["points_completed"] = len(units)
    except Exception as error:
        row.update(status="failed", error_type=type(error).__name__, error_message=str(error)[:ERROR_MESSAGE_LIMIT])
        raise
    finally:
        ended = _now()
        row.update(
            started_at=started,
            ended_at=ended,
            duration_ms=int((ended - started).total_seconds() * 1000),
        )
        key = layout.outcome_key(request.run_id, shard_id, attempt, context.request_id, prefix)
        store.put(key, encode(outcome_table(row)))
    return row


def shard_work_units(request: SweepRequest, shard_id: int) -> list[WorkUnit]:
    """The shard's (point, replicate) units; outcome rows count these as ``points_*``."""
    return list(shard_units(request.dimensions, request.replications, request.shard_count, shard_id))


def _write_data(request: SweepRequest, shard_id: int, units: list[WorkUnit], store: ObjectStore, prefix: str) -> int:
    clock = time.perf_counter()
    crn = request.common_random_numbers
    seeds = [unit_seed(request.seed, u.point.params, u.replicate, crn) for u in units]
    results = simulate_points([(u.point.params, seed) for u, seed in zip(units, seeds, strict=True)])
    elapsed_ms = (time.perf_counter() - clock) * 1000
    tables = shard_tables(units, results, _share_out(elapsed_ms, units))
    for dataset in DATA_DATASETS:
        store.put_if_absent(layout.data_key(dataset, request.run_id, shard_id, prefix), encode(tables[dataset]))
    return sum(tables[d].num_rows for d in DATA_DATASETS)


def _share_out(elapsed_ms: float, units: list[WorkUnit]) -> list[int]:
    """The engine batches a shard's units, so its wall time is shared out by driver-minutes simulated."""
    work = [float(u.point.params["num_drivers"]) * float(u.point.params["horizon_min"]) for u in units]
    total = sum(work) or 1.0
    return [round(elapsed_ms * w / total) for w in work]
