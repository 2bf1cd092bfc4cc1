"""status, redrive and report against a real run on the emulator.

The runbook request (shard 1 injected) is POSTed under a run_id of its own, so
the redrive here leaves the shared runbook run untouched. Every command runs as
``python -m pipeline`` in a subprocess, as an operator would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from pipeline.athena import run_queries
from pipeline.deploy import Deployment
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_RUNNING, EXIT_SUCCEEDED
from pipeline.results import ResultsSource
from sim.datasets import layout
from sim.runs import load_manifest
from tests.e2e.conftest import fixture_body, post, store_of

pytestmark = pytest.mark.emulator

RUN_ID = "ops-runbook-001"
WATCH_TIMEOUT_SECONDS = "180"


@dataclass(frozen=True)
class Cli:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def pipeline(deployment: Deployment, command: str, *args: str) -> Cli:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            command,
            "--run-id",
            RUN_ID,
            "--source",
            deployment.results_location,
            "--endpoint-url",
            deployment.endpoint_url,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Cli(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class Lifecycle:
    """What the operator saw at each step: right after the POST, once final, after the redrive."""

    first: Cli
    final: Cli
    redrive: Cli
    after: Cli
    again: Cli


@pytest.fixture(scope="module")
def lifecycle(_deployments: list[Deployment]) -> Lifecycle:
    deployment = _deployments[0]
    response = post(deployment.api_url, json.dumps(fixture_body("runbook.json", run_id=RUN_ID)))
    assert response.status == 202, response.body
    first = pipeline(deployment, "status", "--json")
    final = pipeline(deployment, "status", "--json", "--watch", "--interval", "0.3", "--timeout", WATCH_TIMEOUT_SECONDS)
    child = ("--child-function", deployment.child_function)
    watch = ("--watch", "--interval", "0.3", "--timeout", WATCH_TIMEOUT_SECONDS)
    redrive = pipeline(deployment, "redrive", "--json", *child, *watch)
    after = pipeline(deployment, "status", "--json")
    again = pipeline(deployment, "redrive", "--json", *child)
    return Lifecycle(first, final, redrive, after, again)


@pytest.fixture
def source(deployment: Deployment) -> ResultsSource:
    return ResultsSource(deployment.results_location, endpoint_url=deployment.endpoint_url)


def test_status_is_non_zero_while_shards_are_missing(lifecycle: Lifecycle) -> None:
    first, final = lifecycle.first, lifecycle.final

    assert first.code in (EXIT_RUNNING, EXIT_INCOMPLETE) and first.json()["verdict"] != "succeeded"
    assert final.code == EXIT_INCOMPLETE, final.stderr
    doc = final.json()
    assert doc["verdict"] == "incomplete" and doc["exit_code"] == EXIT_INCOMPLETE
    assert doc["counts"] == {
        "total": 4,
        "succeeded": 3,
        "failed": 1,
        "dispatch_failed": 0,
        "in_flight": 0,
        "never_started": 0,
        "planned": 0,
    }
    assert doc["attempts"] == {"total": 6, "failed": 3}
    assert doc["shards"][1]["last_error"].startswith("InjectedFailure")


def test_status_json_carries_the_cost_with_the_functions_recorded_memory(lifecycle: Lifecycle) -> None:
    cost = lifecycle.final.json()["cost"]

    assert cost["attempts"] == 6 and cost["memory_assumed_attempts"] == 0
    assert cost["run"]["lambda_requests"]["quantity"] == 7
    assert cost["run"]["s3_put_requests"]["quantity"] == 23
    assert cost["query"]["athena_scan"]["quantity"] > 0 and cost["run_usd"] > 0


def test_redrive_dispatches_only_shard_1_through_the_child_lambda(lifecycle: Lifecycle, deployment: Deployment) -> None:
    result = lifecycle.redrive

    assert result.code == EXIT_SUCCEEDED, result.stderr
    doc = json.loads(result.stdout)
    assert [(s["shard_id"], s["reason"]) for s in doc["shards"]] == [(1, "failed")]
    assert doc["backend"] == f"lambda:{deployment.child_function}" and doc["failure_injection"] is False
    assert [(d["shard_id"], d["status"], d["status_code"]) for d in doc["dispatches"]] == [(1, "dispatched", 202)]
    manifest = load_manifest(store_of(deployment), RUN_ID, deployment.results_prefix)
    assert manifest is not None and [r["id"] for r in manifest["redrives"]] == [doc["redrive_id"]]


def test_after_the_redrive_coverage_has_all_four_shards_and_status_exits_0(
    lifecycle: Lifecycle, source: ResultsSource
) -> None:
    coverage = run_queries(source, RUN_ID, ["shard_coverage"])["shard_coverage"].to_pylist()

    assert lifecycle.after.code == EXIT_SUCCEEDED and lifecycle.after.json()["verdict"] == "succeeded"
    assert [(r["shard_id"], r["succeeded"], r["in_shard_metrics"]) for r in coverage] == [
        (s, True, True) for s in range(4)
    ]
    points = source.read("shard_metrics", RUN_ID)["point_index"].to_pylist()
    assert sorted(points) == list(range(8))


def test_outcomes_keep_the_failed_attempts_history(lifecycle: Lifecycle, source: ResultsSource) -> None:
    assert lifecycle.after.code == EXIT_SUCCEEDED

    shard1 = source.read("shard_outcomes", RUN_ID).filter(pc.field("shard_id") == 1).sort_by("attempt")

    assert [(r["attempt"], r["status"], r["failure_injected"]) for r in shard1.to_pylist()] == [
        (1, "failed", True),
        (2, "failed", True),
        (3, "failed", True),
        (4, "succeeded", False),
    ]


def test_a_second_redrive_dispatches_nothing(lifecycle: Lifecycle, deployment: Deployment) -> None:
    doc = lifecycle.again.json()

    assert lifecycle.again.code == EXIT_SUCCEEDED
    assert doc["shards"] == [] and doc["dispatches"] == [] and doc["redrive_id"] is None
    for dataset in ("shard_metrics", "trip_data", "snapshot_counts"):
        assert store_of(deployment).list(layout.shard_prefix(dataset, RUN_ID, 1)) == [
            layout.data_key(dataset, RUN_ID, 1, deployment.results_prefix)
        ]


def test_the_report_of_the_emulator_run_has_every_plot(
    lifecycle: Lifecycle, deployment: Deployment, tmp_path: Path
) -> None:
    assert lifecycle.after.code == EXIT_SUCCEEDED
    out = tmp_path / "report.html"

    result = pipeline(deployment, "report", "--out", str(out))

    assert result.code == 0, result.stderr
    assert "8 plots" in result.stderr and "All 8 grid points" in out.read_text()
