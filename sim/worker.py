"""One attempt at one shard: what the child Lambda and the local sweep both run.

Data objects have fixed keys and are written only when absent, so a retried
or redelivered shard never duplicates data and leaves existing bytes as they
are. Every attempt, success or failure, records its own shard_outcomes object.

Before writing anything an attempt checks its event against the run's manifest:
- no manifest: ``RunUnknown`` is raised and nothing at all is written. An outcome
  row would create a partition for a run that does not exist (whoever can invoke
  the child could fill the bucket with runs); the refusal is in the log instead.
- a request that differs from the manifest's (a redrive may only drop
  ``failure_injection_shards``): one failed outcome (``error_type``
  ``RequestMismatch``, naming the fields) is recorded for the run and returned, no
  data datasets are written, and nothing is raised: a retry would be refused the same way.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sim.contract import SweepRequest
from sim.datasets import layout
from sim.datasets.parquet import ParquetEncoder, encode
from sim.datasets.schemas import DATA_DATASETS, SCHEMAS
from sim.datasets.tables import outcome_table, shard_tables
from sim.exceptions import SweepError
from sim.grid import WorkUnit, shard_units, unit_seed
from sim.manifest import read_manifest
from sim.market import simulate_points
from sim.store import ObjectStore

ERROR_MESSAGE_LIMIT = 2000
UNITS_PER_CHUNK = 50
"""Work units simulated and encoded together: bounds a shard's memory (a point of 1000 drivers and
20 requests a minute over 1000 minutes holds about 2.3 MB of results)."""


@dataclass(frozen=True)
class AttemptContext:
    """Who is running this attempt."""

    request_id: str
    code_version: str
    memory_mb: int | None = None


class InjectedFailure(SweepError):
    """The request asked this shard to fail (failure_injection_shards)."""


class RunUnknown(SweepError):
    """The event names a run that has no manifest."""


class RequestMismatch(SweepError):
    """The event's request is not the one the run's manifest holds."""


def request_mismatch(recorded: Mapping[str, Any], request: SweepRequest) -> list[str]:
    """The fields in which the event's request differs from the manifest's (empty: it is the run's).

    The event may leave out injected shards (a redrive without failure injection), nothing else."""
    sent = request.to_json()
    fields = sorted((set(recorded) | set(sent)) - {"failure_injection_shards"})
    problems = [f"{name}: differs from the run's manifest" for name in fields if recorded.get(name) != sent.get(name)]
    if not set(sent.get("failure_injection_shards", [])) <= set(recorded.get("failure_injection_shards", [])):
        problems.append("failure_injection_shards: injects shards the run's manifest does not")
    return problems


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
    Raises after recording a failed outcome, so that Lambda retries the event; raises
    ``RunUnknown`` without writing; returns a failed row for a request the run never had.
    """
    started = _now()
    manifest = read_manifest(store, request.run_id, prefix)
    if manifest is None:
        raise RunUnknown(f"run_id: no manifest for {request.run_id!r}; nothing written")
    mismatch = request_mismatch(manifest.request, request)
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
        if mismatch:
            row["failure_injected"] = False
            row.update(_failure(RequestMismatch("; ".join(mismatch) + "; no data written")))
        else:
            if row["failure_injected"]:
                raise InjectedFailure(f"failure injected into shard {shard_id} (attempt {attempt})")
            row["rows_written"] = _write_data(request, shard_id, units, store, prefix)
            row["points_completed"] = len(units)
    except Exception as error:
        row.update(_failure(error))
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


def _failure(error: Exception) -> dict[str, Any]:
    return {"status": "failed", "error_type": type(error).__name__, "error_message": str(error)[:ERROR_MESSAGE_LIMIT]}


def shard_work_units(request: SweepRequest, shard_id: int) -> list[WorkUnit]:
    """The shard's (point, replicate) units; outcome rows count these as ``points_*``."""
    return list(shard_units(request.dimensions, request.replications, request.shard_count, shard_id))


def _write_data(request: SweepRequest, shard_id: int, units: list[WorkUnit], store: ObjectStore, prefix: str) -> int:
    """Simulate and encode the shard UNITS_PER_CHUNK units at a time, so memory holds one chunk's
    results and the compressed bytes so far, whatever the shard's size; then write each dataset."""
    encoders = {dataset: ParquetEncoder(SCHEMAS[dataset]) for dataset in DATA_DATASETS}
    rows = 0
    crn = request.common_random_numbers
    for start in range(0, len(units), UNITS_PER_CHUNK):
        chunk = units[start : start + UNITS_PER_CHUNK]
        clock = time.perf_counter()
        seeds = [unit_seed(request.seed, u.point.params, u.replicate, crn) for u in chunk]
        results = simulate_points([(u.point.params, seed) for u, seed in zip(chunk, seeds, strict=True)])
        elapsed_ms = (time.perf_counter() - clock) * 1000
        tables = shard_tables(chunk, results, _share_out(elapsed_ms, chunk))
        for dataset in DATA_DATASETS:
            encoders[dataset].write(tables[dataset])
            rows += tables[dataset].num_rows
    for dataset in DATA_DATASETS:
        store.put_if_absent(layout.data_key(dataset, request.run_id, shard_id, prefix), encoders[dataset].finish())
    return rows


def _share_out(elapsed_ms: float, units: list[WorkUnit]) -> list[int]:
    """A chunk's units are simulated in one call, so its wall time is shared out by driver-minutes simulated."""
    work = [float(u.point.params["num_drivers"]) * float(u.point.params["horizon_min"]) for u in units]
    total = sum(work) or 1.0
    return [round(elapsed_ms * w / total) for w in work]
