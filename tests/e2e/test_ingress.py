"""Ingress validation: API Gateway's body validator (the schema file as the request model) turns
malformed bodies away before the parent runs; the parent turns away what only it can judge.

API Gateway's rejection has the parent's shape (Terraform's BAD_REQUEST_BODY gateway response);
its one error is the validator's message on AWS, an unrendered variable on MiniStack."""

from __future__ import annotations

import json

import pytest

from pipeline.deploy import Deployment
from pipeline.deploy.observe import executions, invocations
from tests.e2e.conftest import fixture_body, post, run_keys

pytestmark = pytest.mark.emulator

VALID = fixture_body("small.json", run_id="ingress-valid-001")


def _without(key: str) -> dict[str, object]:
    return {k: v for k, v in VALID.items() if k != key}


def _with(**changes: object) -> dict[str, object]:
    return {**VALID, **changes}


MALFORMED: dict[str, bytes] = {
    "empty body": b"",
    "not JSON": b"run_id=abc&seed=1",
    "truncated JSON": b'{"run_id": "abc-001", "dimensions": {',
    "JSON array": b"[1, 2, 3]",
    "the runbook's bad example": b'{"run_id":"bad"}',
    "missing run_id": json.dumps(_without("run_id")).encode(),
    "missing dimensions": json.dumps(_without("dimensions")).encode(),
    "missing shard_count": json.dumps(_without("shard_count")).encode(),
    "missing seed": json.dumps(_without("seed")).encode(),
    "run_id upper case": json.dumps(_with(run_id="Has-Upper-Case")).encode(),
    "run_id too short": json.dumps(_with(run_id="ab")).encode(),
    "shard_count a string": json.dumps(_with(shard_count="2")).encode(),
    "seed a float": json.dumps(_with(seed=1.5)).encode(),
    "seed negative": json.dumps(_with(seed=-1)).encode(),
    "seed over 2^32-1": json.dumps(_with(seed=2**32)).encode(),
    "shard_count zero": json.dumps(_with(shard_count=0)).encode(),
    "shard_count over 1000": json.dumps(_with(shard_count=1001)).encode(),
    "extra top-level field": json.dumps(_with(priority="high")).encode(),
    "unknown dimension": json.dumps(_with(dimensions={"surge_multiplier": [1.5]})).encode(),
    "empty dimension list": json.dumps(_with(dimensions={"num_drivers": []})).encode(),
    "duplicate dimension values": json.dumps(_with(dimensions={"num_drivers": [50, 50]})).encode(),
    "value below minimum": json.dumps(_with(dimensions={"num_drivers": [0]})).encode(),
    "commission over 0.95": json.dumps(_with(dimensions={"commission_rate": [0.99]})).encode(),
    "dimension not a list": json.dumps(_with(dimensions={"num_drivers": 50})).encode(),
    "failure shard not an integer": json.dumps(_with(failure_injection_shards=["1"])).encode(),
}


def test_malformed_bodies_get_api_gateways_400_and_the_parent_never_runs(deployment: Deployment) -> None:
    logs = deployment.client("logs")
    before = executions(logs, deployment.parent_function)

    answers = {name: post(deployment.api_url, body) for name, body in MALFORMED.items()}

    assert len(MALFORMED) >= 10
    assert {name: (a.status, a.json()["message"], len(a.json()["errors"])) for name, a in answers.items()} == {
        name: (400, "Invalid request", 1) for name in MALFORMED
    }
    assert executions(logs, deployment.parent_function) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _with(run_id="ingress-semantic-001", shard_count=3),
            "shard_count: must be <= the number of grid points (2)",
        ),
        (
            _with(run_id="ingress-semantic-002", failure_injection_shards=[5]),
            "failure_injection_shards[0]",
        ),
        (
            _with(
                run_id="ingress-semantic-003",
                dimensions={"num_riders": list(range(1, 1001)), "num_drivers": list(range(1, 102))},
            ),
            "the grid has 101000 points",
        ),
    ],
    ids=["more shards than points", "injected shard out of range", "grid over the cap"],
)
def test_semantically_invalid_bodies_get_the_parents_400_and_nothing_is_dispatched_or_written(
    deployment: Deployment, body: dict[str, object], message: str
) -> None:
    logs, cloudwatch = deployment.client("logs"), deployment.client("cloudwatch")
    parent_before = executions(logs, deployment.parent_function)
    children_before = invocations(cloudwatch, deployment.child_function)

    answer = post(deployment.api_url, json.dumps(body))

    assert answer.status == 400
    assert answer.json()["message"] == "Invalid request"
    assert any(message in error for error in answer.json()["errors"]), answer.json()
    assert executions(logs, deployment.parent_function) == parent_before + 1
    assert invocations(cloudwatch, deployment.child_function) == children_before
    assert run_keys(deployment, str(body["run_id"])) == []
