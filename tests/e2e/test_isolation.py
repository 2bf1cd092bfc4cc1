"""Isolation: two runs submitted at the same time keep to their own partitions and manifests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.deploy import Deployment
from pipeline.results import ResultsSource
from sim.datasets.schemas import SCHEMAS
from sim.manifest import read_manifest
from tests.e2e.conftest import fixture_body, run_keys, store_of, submit_and_wait

pytestmark = pytest.mark.emulator


def test_two_concurrent_runs_do_not_see_each_others_objects(deployment: Deployment) -> None:
    bodies = [
        fixture_body("small.json", run_id="isolation-a-001", seed=11),
        fixture_body("small.json", run_id="isolation-b-001", seed=12, dimensions={"num_drivers": [60, 80, 120]}),
    ]

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda body: submit_and_wait(deployment, body), bodies))

    source = ResultsSource(deployment.results_location, endpoint_url=deployment.endpoint_url)
    for run, other in zip(runs, reversed(runs), strict=True):
        run_id, other_id = run.body["run_id"], other.body["run_id"]
        assert run.response.status == 202
        assert [p.status for p in run.progress] == ["succeeded"] * run.body["shard_count"]
        keys = run_keys(deployment, run_id)
        assert keys and not any(f"run_id={other_id}" in key for key in keys)
        manifest = read_manifest(store_of(deployment), run_id)
        assert manifest is not None and manifest.request["seed"] == run.body["seed"]
        metrics = source.read("shard_metrics", run_id)
        assert set(metrics.column("run_id").to_pylist()) == {run_id}
        assert sorted(metrics.column("point_index").to_pylist()) == list(
            range(len(run.body["dimensions"]["num_drivers"]))
        )
        for name in SCHEMAS:
            assert set(source.read(name, run_id).column("run_id").to_pylist()) == {run_id}
