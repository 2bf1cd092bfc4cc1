"""Hostile input on the emulator: through API Gateway with other media types, and straight into
both functions by Lambda invoke (which bypasses the gateway). Each answer is bounded and names the
problem; nothing is written and no child starts.

MiniStack 1.5.33 validates every body against the application/json model whatever its
Content-Type (AWS validates a body only against the model of its content type, hence the
``$default`` model, checked here as deployed and in tests/infra); so the media-type cases show
what the emulator does, not that AWS would do the same."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from pipeline.deploy import Deployment
from pipeline.deploy.constants import REQUEST_MODEL_CONTENT_TYPES, REQUEST_MODEL_NAME
from pipeline.deploy.observe import executions, invocations
from sim.contract import parse_request
from sim.contract.shard_event import shard_event
from sim.datasets import layout
from tests.e2e.conftest import fixture_body, post, run_keys, store_of, submit_and_wait

pytestmark = pytest.mark.emulator

ANSWER_BYTE_BOUND = 64 * 1024
ZEROS_300KB = json.dumps(
    {"run_id": "hostile-zeros-001", "dimensions": {"num_drivers": [0] * 100_000}, "shard_count": 1, "seed": 1}
)


def invoke(deployment: Deployment, function: str, event: Any) -> tuple[dict[str, Any], int, float]:
    payload = json.dumps(event).encode()
    started = time.perf_counter()
    answer = deployment.client("lambda").invoke(
        FunctionName=function, InvocationType="RequestResponse", Payload=payload
    )
    elapsed = time.perf_counter() - started
    body = answer["Payload"].read()
    assert "FunctionError" not in answer, body[:500]
    return json.loads(body), len(body), elapsed


def test_the_deployed_method_validates_every_media_type_with_the_model(deployment: Deployment) -> None:
    apigateway = deployment.client("apigateway")
    resource = next(
        r for r in apigateway.get_resources(restApiId=deployment.rest_api_id)["items"] if r["path"] == "/sweeps"
    )

    method = apigateway.get_method(restApiId=deployment.rest_api_id, resourceId=resource["id"], httpMethod="POST")

    assert method["requestModels"] == dict.fromkeys(REQUEST_MODEL_CONTENT_TYPES, REQUEST_MODEL_NAME)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_hostile_body_of_another_media_type_is_refused_before_the_parent(
    deployment: Deployment, content_type: str | None
) -> None:
    logs = deployment.client("logs")
    before = executions(logs, deployment.parent_function)

    answer = post(deployment.api_url, ZEROS_300KB, content_type=content_type)

    assert answer.status == 400 and len(answer.body) < ANSWER_BYTE_BOUND
    assert answer.json()["message"] == "Invalid request"
    assert executions(logs, deployment.parent_function) == before


@pytest.mark.parametrize(
    ("event", "names"),
    [
        (None, "body: must be a JSON object (got null)"),
        (5, "body: must be a JSON object (got number 5)"),
        ({"httpMethod": "POST", "requestContext": {}, "body": {"run_id": "x"}}, "body: must be the request body"),
        ({"httpMethod": "POST", "requestContext": {}, "body": "{}", "isBase64Encoded": "false"}, "isBase64Encoded"),
        (json.loads(ZEROS_300KB), "dimensions.num_drivers: must list at most 1000 values (got 100000)"),
        (
            {"httpMethod": "POST", "requestContext": {}, "body": ZEROS_300KB},
            "dimensions.num_drivers: must list at most 1000 values (got 100000)",
        ),
    ],
    ids=["null", "number", "body-object", "base64-flag-string", "300KB-direct", "300KB-proxy-shaped"],
)
def test_a_hostile_direct_invoke_of_the_parent_answers_a_bounded_400_and_starts_no_child(
    deployment: Deployment, event: Any, names: str
) -> None:
    cloudwatch = deployment.client("cloudwatch")
    children = invocations(cloudwatch, deployment.child_function)

    answer, size, elapsed = invoke(deployment, deployment.parent_function, event)

    print(f"parent direct invoke: answer {size} B in {elapsed * 1000:.0f} ms (round trip)")
    body = answer["body"] if isinstance(answer["body"], dict) else json.loads(answer["body"])
    assert answer["statusCode"] == 400 and size < ANSWER_BYTE_BOUND
    assert any(names in message for message in body["errors"]), body["errors"]
    assert invocations(cloudwatch, deployment.child_function) == children
    assert run_keys(deployment, "hostile-zeros-001") == []


@pytest.mark.parametrize(
    ("event", "names"),
    [
        (None, "event: must be a JSON object"),
        ([1], "event: must be a JSON object"),
        ({"shard_id": 0}, "run_id: required"),
        ({**fixture_body("small.json", run_id="hostile-child-001"), "shard_id": 9}, "shard_id: must be < shard_count"),
        (
            shard_event(parse_request(fixture_body("small.json", run_id="hostile-no-manifest-001")), 0),
            "run_id: no manifest for 'hostile-no-manifest-001'",
        ),
    ],
    ids=["null", "list", "no-request", "shard-out-of-range", "no-manifest"],
)
def test_a_hostile_child_event_is_rejected_and_writes_nothing(deployment: Deployment, event: Any, names: str) -> None:
    answer, size, _ = invoke(deployment, deployment.child_function, event)

    assert answer["status"] == "rejected" and size < ANSWER_BYTE_BOUND
    assert any(names in message for message in answer["errors"]), answer["errors"]
    assert run_keys(deployment, "hostile-child-001") == run_keys(deployment, "hostile-no-manifest-001") == []


def test_a_child_event_with_another_request_for_a_real_run_records_a_failed_attempt_and_no_data(
    deployment: Deployment,
) -> None:
    body = fixture_body("small.json", run_id="hostile-mismatch-001")
    submit_and_wait(deployment, body)
    before = set(run_keys(deployment, body["run_id"]))

    answer, _, _ = invoke(deployment, deployment.child_function, shard_event(parse_request({**body, "seed": 8}), 0))

    written = set(run_keys(deployment, body["run_id"])) - before
    assert answer["status"] == "failed" and answer["errors"][0].startswith("seed: differs from the run's manifest")
    [outcome] = written
    assert outcome.startswith(layout.shard_prefix("shard_outcomes", body["run_id"], 0, deployment.results_prefix))
    assert all(store_of(deployment).get(k) is not None for k in before)
