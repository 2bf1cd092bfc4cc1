"""The runbook request through API Gateway, the parent and the children, on the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.deploy import Deployment
from pipeline.local import LocalRun
from sim.datasets import layout
from sim.datasets.parquet import decode
from tests.e2e.conftest import SubmittedRun, store_of

pytestmark = pytest.mark.emulator

RUN_ID = "demo-run-001"
DATA = ("shard_metrics", "trip_data", "snapshot_counts")
MEASURED = ["sim_wall_ms"]


def test_runbook_post_is_accepted_with_one_dispatch_record_per_shard(runbook: SubmittedRun) -> None:
    summary = runbook.response.json()

    assert runbook.response.status == 202
    assert summary["run_id"] == RUN_ID and summary["complete"] is True and summary["duplicate"] is False
    assert summary["shards_dispatched"] == 4 and summary["points_total"] == 8
    assert summary["results_prefix"] == "s3://serverless-sweep-results/serverless-sweeps/outcomes"
    assert [(d["shard_id"], d["status"], d["status_code"]) for d in summary["dispatches"]] == [
        (s, "dispatched", 202) for s in range(4)
    ]
    assert all(d["request_id"] and d["point_count"] == 2 for d in summary["dispatches"])


def test_results_land_as_parquet_under_the_four_dataset_partitions(
    runbook: SubmittedRun, deployment: Deployment
) -> None:
    keys = store_of(deployment).list(f"{layout.outcomes_prefix()}/")

    run_keys = [k for k in keys if f"/run_id={RUN_ID}/" in k]
    datasets = {k.split("/dataset=", 1)[1].split("/", 1)[0] for k in run_keys}
    assert datasets == {"shard_metrics", "trip_data", "snapshot_counts", "shard_outcomes"}
    assert all(k.startswith("serverless-sweeps/outcomes/dataset=") and k.endswith(".parquet") for k in run_keys)


def test_other_shards_succeed_once_with_the_local_sweeps_data(
    runbook: SubmittedRun, runbook_local: tuple[Path, LocalRun], deployment: Deployment
) -> None:
    local_dir, _ = runbook_local
    store = store_of(deployment)

    progress = {p.shard_id: p for p in runbook.progress}
    for shard_id in (0, 2, 3):
        assert (progress[shard_id].status, progress[shard_id].attempts) == ("succeeded", 1)
        for dataset in DATA:
            key = layout.data_key(dataset, RUN_ID, shard_id)
            remote, local = store.get(key), (local_dir / key).read_bytes()
            assert remote is not None
            if dataset == "shard_metrics":  # sim_wall_ms is a measurement; every other column is equal
                ours, theirs = decode(remote).drop_columns(MEASURED), decode(local).drop_columns(MEASURED)
                differing = [c for c in ours.column_names if not ours.column(c).equals(theirs.column(c))]
                assert ours.schema.equals(theirs.schema) and differing == [], f"{key}: {differing}"
            else:
                assert remote == local, f"{key} differs from the local sweep's bytes"


def test_the_exhausted_shards_event_lands_in_the_failure_queue(runbook: SubmittedRun, deployment: Deployment) -> None:
    sqs = deployment.client("sqs")

    messages = sqs.receive_message(QueueUrl=deployment.failure_queue_url, MaxNumberOfMessages=10)["Messages"]

    payloads = [json.loads(m["Body"])["requestPayload"] for m in messages]
    assert [(p["run_id"], p["shard_id"]) for p in payloads if p["run_id"] == RUN_ID] == [(RUN_ID, 1)]
