"""Replications end to end on the emulator: 2 points x 4 replicates with common random numbers in
3 shards, shard 1 injected to fail (its retries exhausted), then redriven through the child Lambda;
verify, summary and report then see every (point, replicate) exactly once. One run of its own, on
the session's deployment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.deploy import Deployment
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_SUCCEEDED
from pipeline.results import ResultsSource
from pipeline.verify import verify_run
from tests.e2e.conftest import submit_and_wait

pytestmark = pytest.mark.emulator

RUN_ID = "replications-crn-001"
BODY = {
    "run_id": RUN_ID,
    "dimensions": {"commission_rate": [0.1, 0.2], "horizon_min": [120]},
    "shard_count": 3,
    "seed": 7,
    "replications": 4,
    "common_random_numbers": True,
    "failure_injection_shards": [1],
}
WATCH = ("--watch", "--interval", "0.3", "--timeout", "180")


def pipeline(deployment: Deployment, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    source = ("--run-id", RUN_ID, "--source", deployment.results_location, "--endpoint-url", deployment.endpoint_url)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", command, *source, *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def redriven(_deployments: list[Deployment], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    deployment = _deployments[0]
    run = submit_and_wait(deployment, BODY)
    before = pipeline(deployment, "status", "--json")
    redrive = pipeline(deployment, "redrive", "--json", "--child-function", deployment.child_function, *WATCH)
    after = pipeline(deployment, "status", "--json")
    summary = pipeline(deployment, "summary", "--json")
    report = tmp_path_factory.mktemp("report") / "report.html"
    written = pipeline(deployment, "report", "--out", str(report))
    return {
        "response": run.response.json(),
        "before": before,
        "redrive": redrive,
        "after": after,
        "summary": summary,
        "report": (written, report),
    }


def test_the_parent_plans_eight_units_over_three_shards(redriven: dict[str, object]) -> None:
    response = redriven["response"]
    assert isinstance(response, dict)
    assert response["points_total"] == 2
    assert [d["point_count"] for d in response["dispatches"]] == [3, 3, 2]


def test_shard_1_fails_then_the_redrive_completes_the_run(redriven: dict[str, object]) -> None:
    before, redrive, after = (redriven[k] for k in ("before", "redrive", "after"))
    assert isinstance(before, subprocess.CompletedProcess) and before.returncode == EXIT_INCOMPLETE, before.stderr
    assert json.loads(before.stdout)["units_succeeded"] == 5
    assert isinstance(redrive, subprocess.CompletedProcess) and redrive.returncode == EXIT_SUCCEEDED, redrive.stderr
    assert isinstance(after, subprocess.CompletedProcess) and after.returncode == EXIT_SUCCEEDED
    doc = json.loads(after.stdout)
    assert (doc["units_total"], doc["units_succeeded"], doc["replications"]) == (8, 8, 4)


def test_verify_sees_every_point_and_replicate_exactly_once(
    redriven: dict[str, object], deployment: Deployment
) -> None:
    report = verify_run(ResultsSource(deployment.results_location, endpoint_url=deployment.endpoint_url), RUN_ID)
    assert report.ok, [(c.name, c.rows) for c in report.checks if not c.ok]
    coverage = next(c for c in report.checks if c.name == "(point, replicate) units in shard_metrics")
    assert coverage.rows[0][:3] == (8, 8, 0)


def test_summary_and_report_are_complete(redriven: dict[str, object]) -> None:
    summary = redriven["summary"]
    assert isinstance(summary, subprocess.CompletedProcess) and summary.returncode == 0, summary.stderr
    doc = json.loads(summary.stdout)
    assert (doc["units_found"], doc["units_expected"], doc["common_random_numbers"]) == (8, 8, True)
    assert all(m["n"] == 4 for p in doc["points"] for m in p["metrics"].values() if m["mean"] is not None)
    [revenue] = [e for e in doc["effects"] if e["metric"] == "platform_revenue"]
    assert revenue["paired"] and revenue["n"] == 4 and revenue["excludes_zero"]
    written, page = redriven["report"]
    assert isinstance(written, subprocess.CompletedProcess) and written.returncode == 0, written.stderr
    assert isinstance(page, Path)
    html = page.read_text()
    assert "All 2 grid points, 4 replications each." in html and "Effects between adjacent levels" in html
