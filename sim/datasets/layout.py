"""Where things live in the results bucket (DESIGN.md, "S3 layout")."""

from __future__ import annotations

DEFAULT_PREFIX = "serverless-sweeps"


def outcomes_prefix(prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}/outcomes"


def dataset_prefix(dataset: str, run_id: str, prefix: str = DEFAULT_PREFIX) -> str:
    """Every shard of one run in one dataset."""
    return f"{outcomes_prefix(prefix)}/dataset={dataset}/run_id={run_id}/"


def shard_prefix(dataset: str, run_id: str, shard_id: int, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{dataset_prefix(dataset, run_id, prefix)}shard_id={shard_id}/"


def data_key(dataset: str, run_id: str, shard_id: int, prefix: str = DEFAULT_PREFIX) -> str:
    """The one object of a data dataset for a shard: fixed, so retries overwrite nothing new."""
    return f"{shard_prefix(dataset, run_id, shard_id, prefix)}part-00000.parquet"


def outcome_key(run_id: str, shard_id: int, attempt: int, request_id: str, prefix: str = DEFAULT_PREFIX) -> str:
    """One object per attempt; the request id keeps concurrent deliveries apart."""
    safe_request_id = "".join(c if c.isalnum() or c == "-" else "_" for c in request_id)
    folder = shard_prefix("shard_outcomes", run_id, shard_id, prefix)
    return f"{folder}attempt-{attempt:04d}-{safe_request_id}.parquet"


def manifest_key(run_id: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}/runs/run_id={run_id}/manifest.json"
