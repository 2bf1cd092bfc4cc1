"""The smoke invocation after an apply: one tiny sweep through the live functions.

The parent is invoked directly (``RequestResponse``) with a single-point, single-shard request
whose run_id is new, so nothing is deduplicated. The check passes when the parent answers 202
with one dispatched shard, the shard succeeds on its first attempt, and both record the code
version the release applied (the manifest's ``code_version``, the outcome row's ``code_version``
column). The shard's state is ``pipeline.ops.shard_state``'s; the smoke stops at the first
failed attempt rather than wait minutes for Lambda's retries: a release whose first attempt
fails is not healthy.
Its run stays in the results bucket under ``run_id=smoke-…``, like any other run."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from pipeline.ops.manifests import dispatch_history, manifest_of
from pipeline.ops.shard_state import SUCCEEDED_ATTEMPT, ShardState, classify_shard
from pipeline.release.ledger import SmokeResult, SmokeStatus
from sim.contract import parse_request
from sim.datasets import layout
from sim.datasets.parquet import decode
from sim.store import ObjectStore

SMOKE_RUN_PREFIX = "smoke"
SMOKE_TIMEOUT_SECONDS = 180.0
POLL_SECONDS = 0.3
# One point, one shard, an hour on a small city: seconds of work, every code path of both functions.
SMOKE_DIMENSIONS = {"city_size": [8], "num_drivers": [10], "num_riders": [50], "horizon_min": [60], "warmup_min": [0]}


@dataclass(frozen=True)
class SmokeReport:
    """What the smoke run saw; ``result`` is what the ledger records."""

    run_id: str
    result: SmokeResult
    parent_code_version: str | None = None
    child_code_version: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.result.status == "passed"


class _Failed(Exception):
    """A smoke check that did not hold (turned into a failed SmokeResult, never raised out)."""


def smoke_request(run_id: str | None = None) -> dict[str, Any]:
    """The smoke sweep's request (validated here, so a bad one never reaches the functions)."""
    body = {
        "run_id": run_id or f"{SMOKE_RUN_PREFIX}-{secrets.token_hex(6)}",
        "dimensions": SMOKE_DIMENSIONS,
        "shard_count": 1,
        "seed": 1,
    }
    parse_request(body)
    return body


def _invoke_parent(lambda_: Any, parent_function: str, body: dict[str, Any]) -> dict[str, Any]:
    response = lambda_.invoke(FunctionName=parent_function, InvocationType="RequestResponse", Payload=json.dumps(body))
    payload = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        raise _Failed(f"parent failed ({response['FunctionError']}): {json.dumps(payload)[:300]}")
    if not isinstance(payload, dict) or payload.get("statusCode") != 202:
        raise _Failed(f"parent answered {json.dumps(payload)[:300]}, expected statusCode 202")
    answer = payload.get("body") or {}
    if answer.get("shards_dispatched") != 1:
        raise _Failed(f"parent dispatched {answer.get('shards_dispatched')} shards, expected 1")
    return answer


def _shard_outcome(store: ObjectStore, run_id: str, prefix: str, timeout_seconds: float) -> dict[str, Any]:
    """The smoke shard's first attempt, once recorded; a shard whose dispatch failed fails at once."""
    deadline = time.monotonic() + timeout_seconds
    folder = layout.shard_prefix("shard_outcomes", run_id, 0, prefix)
    while True:
        manifest = manifest_of(store, run_id, prefix)
        dispatches = [] if manifest is None else [d.status for d in dispatch_history(manifest).get(0, [])]
        rows = [
            row
            for key in store.list(folder)
            if (body := store.get(key)) is not None
            for row in decode(body).to_pylist()
        ]
        state = classify_shard(dispatches, [row["status"] for row in rows])
        if state == ShardState.DISPATCH_FAILED:
            raise _Failed(f"shard 0: {state.value} (manifest dispatch records {dispatches})")
        if rows:
            return min(rows, key=lambda r: r["attempt"])
        if time.monotonic() > deadline:
            raise _Failed(f"shard 0 {state.value}: no attempt recorded under {folder} after {timeout_seconds:.0f} s")
        time.sleep(POLL_SECONDS)


def smoke_test(
    lambda_: Any,
    store: ObjectStore,
    *,
    parent_function: str,
    results_prefix: str,
    code_version: str,
    timeout_seconds: float = SMOKE_TIMEOUT_SECONDS,
    run_id: str | None = None,
) -> SmokeReport:
    """Run the smoke sweep against the live functions; a failed check is a failed result, not an error."""
    body = smoke_request(run_id)
    run = body["run_id"]
    started = time.monotonic()
    parent_version = child_version = None
    status: SmokeStatus
    try:
        _invoke_parent(lambda_, parent_function, body)
        manifest = manifest_of(store, run, results_prefix) or {}
        parent_version = manifest.get("code_version")
        outcome = _shard_outcome(store, run, results_prefix, timeout_seconds)
        child_version = outcome.get("code_version")
        if outcome.get("status") != SUCCEEDED_ATTEMPT:
            raise _Failed(
                f"child attempt {outcome.get('status')}: {outcome.get('error_type')} {outcome.get('error_message')}"
            )
        wrong = {
            who: seen for who, seen in (("parent", parent_version), ("child", child_version)) if seen != code_version
        }
        if wrong:
            raise _Failed(f"code_version expected {code_version!r}, observed {wrong}")
    except (_Failed, ClientError, BotoCoreError) as failure:
        detail = f"run {run}: {failure}"
        status = "failed"
    else:
        detail = f"run {run}: shard 0 succeeded; code_version {child_version} (parent and child)"
        status = "passed"
    seconds = time.monotonic() - started
    return SmokeReport(run, SmokeResult(status, f"{detail} in {seconds:.1f} s"), parent_version, child_version, seconds)
