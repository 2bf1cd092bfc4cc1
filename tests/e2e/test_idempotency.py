"""Idempotency: a repeated POST dispatches nothing, a conflicting one is refused, and a child
event delivered twice leaves the data as it was and records one more attempt."""

from __future__ import annotations

import json

import pytest

from pipeline.deploy import Deployment
from pipeline.deploy.observe import invocations
from pipeline.results import ResultsSource
from sim.contract import parse_request
from sim.contract.shard_event import shard_event
from sim.datasets import layout
from sim.manifest import read_manifest
from tests.e2e.conftest import SubmittedRun, fixture_body, post, store_of, submit_and_wait, wait_final

pytestmark = pytest.mark.emulator

DATA = ("shard_metrics", "trip_data", "snapshot_counts")


def test_the_same_post_twice_dispatches_once_and_returns_the_original_summary(
    runbook: SubmittedRun, deployment: Deployment
) -> None:
    cloudwatch = deployment.client("cloudwatch")
    manifest_before = read_manifest(store_of(deployment), runbook.body["run_id"])
    children_before = invocations(cloudwatch, deployment.child_function)

    again = post(deployment.api_url, json.dumps(runbook.body))

    first, second = runbook.response.json(), again.json()
    assert again.status == 202 and second["duplicate"] is True
    assert {**second, "duplicate": False} == first
    assert invocations(cloudwatch, deployment.child_function) == children_before
    assert read_manifest(store_of(deployment), runbook.body["run_id"]) == manifest_before


def test_a_different_request_for_an_existing_run_id_is_a_409(runbook: SubmittedRun, deployment: Deployment) -> None:
    cloudwatch = deployment.client("cloudwatch")
    children_before = invocations(cloudwatch, deployment.child_function)
    conflicting = {**runbook.body, "seed": runbook.body["seed"] + 1}

    answer = post(deployment.api_url, json.dumps(conflicting))

    assert answer.status == 409
    assert answer.json()["message"] == "Conflict"
    assert "demo-run-001" in answer.json()["errors"][0]
    assert invocations(cloudwatch, deployment.child_function) == children_before


def test_a_direct_invocation_of_the_parent_submits_like_a_post_and_answers_with_an_object(
    deployment: Deployment,
) -> None:
    body = fixture_body("small.json", run_id="direct-invoke-001")

    answer = deployment.client("lambda").invoke(
        FunctionName=deployment.parent_function, InvocationType="RequestResponse", Payload=json.dumps(body).encode()
    )

    result = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, result
    assert result["statusCode"] == 202
    assert (result["body"]["run_id"], result["body"]["shards_dispatched"]) == ("direct-invoke-001", 2)
    assert [p.status for p in wait_final(deployment, body)] == ["succeeded", "succeeded"]


def test_a_duplicate_child_delivery_leaves_data_bytes_identical_and_adds_one_outcome_row(
    deployment: Deployment,
) -> None:
    body = fixture_body("small.json", run_id="duplicate-delivery-001")
    submit_and_wait(deployment, body)
    store = store_of(deployment)
    keys = [layout.data_key(dataset, body["run_id"], 0) for dataset in DATA]
    data_before = {key: store.get(key) for key in keys}
    source = ResultsSource(deployment.results_location, endpoint_url=deployment.endpoint_url)
    outcomes_before = source.read("shard_outcomes", body["run_id"]).num_rows

    answer = deployment.client("lambda").invoke(
        FunctionName=deployment.child_function,
        InvocationType="RequestResponse",
        Payload=json.dumps(shard_event(parse_request(body), 0)).encode(),
    )

    result = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, result
    assert (result["shard_id"], result["attempt"], result["status"]) == (0, 2, "succeeded")
    assert all(data_before.values())
    assert {key: store.get(key) for key in keys} == data_before
    outcomes = source.read("shard_outcomes", body["run_id"])
    assert outcomes.num_rows == outcomes_before + 1
    shard0 = sorted((r["attempt"], r["status"]) for r in outcomes.to_pylist() if r["shard_id"] == 0)
    assert shard0 == [(1, "succeeded"), (2, "succeeded")]
