"""The runbook request end to end with image functions: both images pushed to the emulator's
ECR, both functions created by ``ImageUri=registry/repo@sha256:...``, the request POSTed
through API Gateway; the same assertions as the zip end-to-end test."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from pipeline.images import ImageStack
from pipeline.results import ResultsSource
from sim.datasets import layout
from tests.e2e.conftest import SubmittedRun, fixture_body, store_of, submit_and_wait

pytestmark = pytest.mark.emulator

RUN_ID = "demo-run-001"
DATASETS = {"shard_metrics", "trip_data", "snapshot_counts", "shard_outcomes"}


@pytest.fixture(scope="module")
def runbook(image_stack: ImageStack) -> SubmittedRun:
    assert image_stack.deployment is not None
    return submit_and_wait(image_stack.deployment, fixture_body("runbook.json"))


def test_functions_are_images_pinned_by_the_pushed_digests(image_stack: ImageStack) -> None:
    assert image_stack.deployment is not None
    functions = image_stack.deployment.client("lambda")

    for name, function in (
        ("parent", image_stack.deployment.parent_function),
        ("child", image_stack.deployment.child_function),
    ):
        pushed = image_stack.pushed[name]
        record = functions.get_function(FunctionName=function)
        assert record["Configuration"]["PackageType"] == "Image"
        assert record["Code"]["ImageUri"] == pushed.reference
        assert pushed.reference.endswith(f"/serverless-sweep-{name}@{pushed.digest}")


def test_runbook_post_is_accepted_with_one_dispatch_record_per_shard(runbook: SubmittedRun) -> None:
    summary = runbook.response.json()

    assert runbook.response.status == 202
    assert summary["run_id"] == RUN_ID and summary["shards_dispatched"] == 4
    assert [(d["shard_id"], d["status"]) for d in summary["dispatches"]] == [(s, "dispatched") for s in range(4)]


def test_results_land_as_parquet_in_the_four_datasets(runbook: SubmittedRun, image_stack: ImageStack) -> None:
    assert image_stack.deployment is not None
    keys = [
        k for k in store_of(image_stack.deployment).list(f"{layout.outcomes_prefix()}/") if f"/run_id={RUN_ID}/" in k
    ]

    assert {k.split("/dataset=", 1)[1].split("/", 1)[0] for k in keys} == DATASETS
    assert keys and all(k.endswith(".parquet") for k in keys)


def test_injected_shard_has_three_failed_attempts_and_the_others_one_success(
    runbook: SubmittedRun, image_stack: ImageStack
) -> None:
    deployment = image_stack.deployment
    assert deployment is not None
    outcomes = ResultsSource(deployment.results_location, endpoint_url=deployment.endpoint_url).read(
        "shard_outcomes", RUN_ID
    )

    injected = outcomes.filter(pc.field("shard_id") == 1).sort_by("attempt").to_pylist()
    assert [(r["attempt"], r["status"], r["failure_injected"]) for r in injected] == [
        (1, "failed", True),
        (2, "failed", True),
        (3, "failed", True),
    ]
    progress = {p.shard_id: (p.status, p.attempts) for p in runbook.progress}
    assert progress == {0: ("succeeded", 1), 1: ("failed", 3), 2: ("succeeded", 1), 3: ("succeeded", 1)}
    for dataset in DATASETS - {"shard_outcomes"}:
        assert store_of(deployment).list(layout.shard_prefix(dataset, RUN_ID, 1)) == []
