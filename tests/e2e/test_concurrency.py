"""Races on the emulator: concurrent identical POSTs, concurrent conflicting POSTs, concurrent redrives.

The parent is warmed first (one POST of its own), so the ten requests meet running workers, as
the adversarial test did. Dispatches are counted in the manifest (one record per shard) and in
what the children did (one attempt per shard: outcome objects)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from aws_adapters import LambdaInvoker
from pipeline.demo.http import HttpAnswer, post
from pipeline.deploy import Deployment
from pipeline.ops.redrive import RedriveResult, redrive
from pipeline.results import ResultsSource
from sim.datasets import layout
from sim.manifest import read_manifest
from tests.e2e.conftest import RUN_TIMEOUT_SECONDS, fixture_body, store_of, submit_and_wait, wait_final

pytestmark = pytest.mark.emulator

CONCURRENT = 10


def post_all(deployment: Deployment, bodies: list[dict[str, Any]]) -> list[HttpAnswer]:
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(lambda body: post(deployment.api_url, json.dumps(body)), bodies))


def attempts_per_shard(deployment: Deployment, run_id: str, shard_count: int) -> list[int]:
    store = store_of(deployment)
    prefix = deployment.results_prefix
    return [len(store.list(layout.shard_prefix("shard_outcomes", run_id, s, prefix))) for s in range(shard_count)]


def wait_attempts(deployment: Deployment, body: dict[str, Any], expected: list[int]) -> list[int]:
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while (seen := attempts_per_shard(deployment, body["run_id"], body["shard_count"])) != expected:
        if time.monotonic() > deadline:
            break
        time.sleep(0.3)
    return seen


@pytest.fixture(scope="module")
def warm(_deployments: list[Deployment]) -> Deployment:
    deployment = _deployments[0]
    submit_and_wait(deployment, fixture_body("small.json", run_id="concurrency-warm-001"))
    return deployment


def test_ten_identical_posts_at_once_all_answer_202_and_dispatch_each_shard_once(warm: Deployment) -> None:
    body = fixture_body("runbook.json", run_id="concurrent-same-001")
    del body["failure_injection_shards"]

    answers = post_all(warm, [body] * CONCURRENT)

    assert [a.status for a in answers] == [202] * CONCURRENT, [a.body[:200] for a in answers]
    docs = [a.json() for a in answers]
    assert sum(not d["duplicate"] for d in docs) == 1
    assert all(d["shards_failed"] == 0 for d in docs)
    manifest = read_manifest(store_of(warm), body["run_id"], warm.results_prefix)
    assert manifest is not None and len(manifest.dispatches) == body["shard_count"]
    assert len({d.request_id for d in manifest.dispatches if d.status == "dispatched"}) == body["shard_count"]
    assert [p.status for p in wait_final(warm, body)] == ["succeeded"] * body["shard_count"]
    assert attempts_per_shard(warm, body["run_id"], body["shard_count"]) == [1] * body["shard_count"]


def test_ten_posts_with_different_seeds_for_one_new_run_id_have_one_winner(warm: Deployment) -> None:
    bodies = [fixture_body("small.json", run_id="concurrent-seeds-001", seed=100 + i) for i in range(CONCURRENT)]

    answers = post_all(warm, bodies)

    statuses = sorted(a.status for a in answers)
    assert statuses == [202] + [409] * (CONCURRENT - 1), [a.body[:200] for a in answers]
    [winner] = [b for b, a in zip(bodies, answers, strict=True) if a.status == 202]
    manifest = read_manifest(store_of(warm), "concurrent-seeds-001", warm.results_prefix)
    assert manifest is not None and manifest.request["seed"] == winner["seed"]
    assert all("concurrent-seeds-001" in a.json()["errors"][0] for a in answers if a.status == 409)


def test_ten_redrives_at_once_dispatch_each_failed_shard_once_and_all_are_recorded(warm: Deployment) -> None:
    body = fixture_body("runbook.json", run_id="concurrent-redrive-001", failure_injection_shards=[1, 2])
    submit_and_wait(warm, body)
    source = ResultsSource(warm.results_location, endpoint_url=warm.endpoint_url)
    invoker = LambdaInvoker(warm.child_function, warm.client("lambda"))

    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        results: list[RedriveResult] = list(
            pool.map(lambda _: redrive(source, body["run_id"], invoker, backend="lambda:test"), range(CONCURRENT))
        )

    dispatched = sorted(d.shard_id for r in results for d in r.dispatches if d.status == "dispatched")
    assert dispatched == [1, 2]
    manifest = read_manifest(store_of(warm), body["run_id"], warm.results_prefix)
    assert manifest is not None
    recorded = {r.id for r in manifest.redrives}
    assert recorded == {r.redrive_id for r in results if r.redrive_id}
    assert sorted(t.shard_id for r in manifest.redrives for t in r.shards) == [1, 2]
    # The redriven shards' fourth attempts (failure injection off) succeed.
    assert wait_attempts(warm, body, [1, 4, 4, 1]) == [1, 4, 4, 1]
