"""End-to-end helpers: POST through the API Gateway stage, wait for shards, read the bucket."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aws_adapters import S3Store
from pipeline.demo.http import HttpAnswer, post
from pipeline.demo.monitor import RunMonitor, ShardProgress
from pipeline.deploy import Deployment
from pipeline.local import LocalRun, run_local
from sim.contract import parse_request

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
RUN_TIMEOUT_SECONDS = 180.0


def fixture_body(name: str, **changes: Any) -> dict[str, Any]:
    body = json.loads((FIXTURES / name).read_text())
    body.update(changes)
    return body


def store_of(deployment: Deployment) -> S3Store:
    return S3Store(deployment.results_bucket, deployment.client("s3"))


def run_keys(deployment: Deployment, run_id: str) -> list[str]:
    """Every key of the bucket that mentions the run (outcomes and the manifest)."""
    return [k for k in store_of(deployment).list("") if f"/run_id={run_id}/" in k]


def wait_final(deployment: Deployment, body: dict[str, Any]) -> list[ShardProgress]:
    monitor = RunMonitor(store_of(deployment), body["run_id"], body["shard_count"], deployment.results_prefix)
    return monitor.wait(RUN_TIMEOUT_SECONDS, interval_seconds=0.3)


@dataclass(frozen=True)
class SubmittedRun:
    body: dict[str, Any]
    response: HttpAnswer
    progress: list[ShardProgress]


def submit_and_wait(deployment: Deployment, body: dict[str, Any]) -> SubmittedRun:
    response = post(deployment.api_url, json.dumps(body))
    assert response.status == 202, response.body
    return SubmittedRun(body, response, wait_final(deployment, body))


@pytest.fixture(scope="session")
def runbook(_deployments: list[Deployment]) -> SubmittedRun:
    """The runbook request POSTed once through the stage URL, every shard final."""
    return submit_and_wait(_deployments[0], fixture_body("runbook.json"))


@pytest.fixture(scope="session")
def runbook_local(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LocalRun]:
    """The same request swept locally (``run --local``'s code path)."""
    out = tmp_path_factory.mktemp("runbook-local")
    return out, run_local(parse_request(fixture_body("runbook.json")), out, workers=2)
