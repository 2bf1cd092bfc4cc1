"""A run's whole life on any backend (``--backend``): the injected failure, verify, status,
redrive and report.

The runbook request (shard 1 injected) is submitted under a run_id of its own, so the
redrive here leaves every other run untouched. Every command runs as ``python -m
pipeline`` in a subprocess, as an operator would run it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from pipeline.athena import run_queries
from pipeline.ops.backends import Backend, LocalBackend, Submission
from pipeline.ops.manifests import manifest_of
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_RUNNING, EXIT_SUCCEEDED
from pipeline.verify import VerifyReport, verify_run
from sim.datasets import layout
from tests.backends.conftest import Cli, pipeline

RUN_ID = "ops-runbook-001"
REQUEST = Path(__file__).resolve().parent.parent / "fixtures" / "requests" / "runbook.json"
WATCH = ("--watch", "--interval", "0.3", "--timeout", "180")
DATA_DATASETS = ("shard_metrics", "trip_data", "snapshot_counts")
SHARD_KEYS = {
    "shard_id",
    "state",
    "points",
    "dispatches",
    "attempts",
    "failed_attempts",
    "last_error",
    "duration_s",
    "waiting_s",
    "straggler",
}


@dataclass(frozen=True)
class Lifecycle:
    """What the operator saw at each step: the submission, right after it, once final, the redrive, after it."""

    submission: Submission
    first: Cli
    final: Cli
    final_text: Cli
    verify: VerifyReport
    injected: list[dict[str, Any]]
    """Shard 1's attempts and data keys before the redrive."""
    injected_keys: list[str]
    data_before: dict[tuple[str, int], bytes | None]
    redrive: Cli
    after: Cli
    again: Cli


@pytest.fixture(scope="module")
def lifecycle(backend: Backend) -> Lifecycle:
    submission = backend.submit({**json.loads(REQUEST.read_text()), "run_id": RUN_ID})
    assert submission.status == 202, submission.answer
    first = pipeline(backend, "status", RUN_ID, "--json")
    final = pipeline(backend, "status", RUN_ID, "--json", *WATCH)
    final_text = pipeline(backend, "status", RUN_ID)
    verify = verify_run(backend.source, RUN_ID)
    injected = backend.source.read("shard_outcomes", RUN_ID).filter(pc.field("shard_id") == 1).sort_by("attempt")
    store, prefix = backend.source.store(), backend.source.prefix
    injected_keys = [k for d in DATA_DATASETS for k in store.list(layout.shard_prefix(d, RUN_ID, 1, prefix))]
    before = data_objects(backend)
    redrive = pipeline(backend, "redrive", RUN_ID, "--json", *WATCH)
    after = pipeline(backend, "status", RUN_ID, "--json")
    again = pipeline(backend, "redrive", RUN_ID, "--json")
    return Lifecycle(
        submission, first, final, final_text, verify, injected.to_pylist(), injected_keys, before, redrive, after, again
    )


def data_objects(backend: Backend) -> dict[tuple[str, int], bytes | None]:
    """The bytes of every data object of the shards that succeeded at once (0, 2, 3)."""
    store = backend.source.store()
    keys = {(d, s): layout.data_key(d, RUN_ID, s, backend.source.prefix) for d in DATA_DATASETS for s in (0, 2, 3)}
    return {name: store.get(key) for name, key in keys.items()}


def attempts(backend: Backend, shard_id: int) -> list[tuple[int, str, bool]]:
    table = backend.source.read("shard_outcomes", RUN_ID).filter(pc.field("shard_id") == shard_id)
    return [(r["attempt"], r["status"], r["failure_injected"]) for r in table.sort_by("attempt").to_pylist()]


def manifest(backend: Backend) -> dict[str, Any]:
    found = manifest_of(backend.source.store(), RUN_ID, backend.source.prefix)
    assert found is not None
    return found


def test_the_injected_shard_failed_its_three_attempts_and_wrote_no_data(lifecycle: Lifecycle) -> None:
    rows = lifecycle.injected

    assert [(r["attempt"], r["status"], r["error_type"], r["failure_injected"]) for r in rows] == [
        (1, "failed", "InjectedFailure", True),
        (2, "failed", "InjectedFailure", True),
        (3, "failed", "InjectedFailure", True),
    ]
    assert len({r["request_id"] for r in rows}) == 3
    assert lifecycle.injected_keys == [] and all(lifecycle.data_before.values())


def test_the_duckdb_checks_pass_with_the_failed_shard_absent(lifecycle: Lifecycle) -> None:
    report = lifecycle.verify

    assert report.ok, [(c.name, c.rows) for c in report.checks if not c.ok]
    coverage = next(c for c in report.checks if c.name == "(point, replicate) units in shard_metrics")
    assert coverage.rows[0][:3] == (6, 6, 0)  # 3 successful shards x 2 points, all present once


def test_status_is_non_zero_while_shards_are_missing(lifecycle: Lifecycle) -> None:
    first, final = lifecycle.first, lifecycle.final

    assert first.code in (EXIT_RUNNING, EXIT_INCOMPLETE) and first.json()["verdict"] != "succeeded"
    assert final.code == EXIT_INCOMPLETE, final.stderr
    doc = final.json()
    assert doc["verdict"] == "incomplete" and doc["exit_code"] == EXIT_INCOMPLETE
    assert doc["run_id"] == RUN_ID and doc["points_total"] == 8
    assert doc["counts"] == {
        "total": 4,
        "succeeded": 3,
        "failed": 1,
        "dispatch_failed": 0,
        "in_flight": 0,
        "never_started": 0,
        "planned": 0,
    }
    assert [(s["shard_id"], s["state"], s["attempts"], s["failed_attempts"]) for s in doc["shards"]] == [
        (0, "succeeded", 1, 0),
        (1, "failed", 3, 3),
        (2, "succeeded", 1, 0),
        (3, "succeeded", 1, 0),
    ]
    assert doc["attempts"] == {"total": 6, "failed": 3}
    assert doc["shards"][1]["last_error"].startswith("InjectedFailure")


def test_status_json_has_the_documented_shape(lifecycle: Lifecycle) -> None:
    doc = lifecycle.final.json()

    assert set(doc["stragglers"]) == {"factor", "min_seconds", "median_duration_s", "threshold_s", "shards"}
    assert [set(s) for s in doc["shards"]] == [SHARD_KEYS] * 4
    assert {"run_usd", "query_usd", "run", "query", "region", "prices_as_of"} <= set(doc["cost"])
    assert doc["created_at"] < doc["finished_at"] <= doc["checked_at"]


def test_status_prints_the_shard_table_the_cost_and_the_verdict(lifecycle: Lifecycle) -> None:
    result = lifecycle.final_text

    assert result.code == EXIT_INCOMPLETE, result.stderr
    assert "InjectedFailure" in result.stdout and "GB-s" in result.stdout and "PUT/LIST" in result.stdout
    assert "verdict: incomplete" in result.stdout


def test_status_json_carries_the_cost_with_the_memory_the_attempts_recorded(
    lifecycle: Lifecycle, backend: Backend
) -> None:
    cost = lifecycle.final.json()["cost"]

    # Lambda attempts record their memory; local ones have none, so the cost model assumes it
    assert cost["attempts"] == 6
    assert cost["memory_assumed_attempts"] == (6 if isinstance(backend, LocalBackend) else 0)
    assert cost["run"]["lambda_requests"]["quantity"] == 7
    assert cost["run"]["s3_put_requests"]["quantity"] == 23
    assert cost["query"]["athena_scan"]["quantity"] > 0 and cost["run_usd"] > 0


def test_redrive_dispatches_only_shard_1_without_injection_and_records_it(
    lifecycle: Lifecycle, backend: Backend
) -> None:
    result = lifecycle.redrive

    assert result.code == EXIT_SUCCEEDED, result.stderr
    doc = result.json()
    assert doc["complete"] and [(s["shard_id"], s["reason"]) for s in doc["shards"]] == [(1, "failed")]
    assert doc["backend"] == backend.name and doc["failure_injection"] is False
    assert [(d["shard_id"], d["status"], d["status_code"]) for d in doc["dispatches"]] == [(1, "dispatched", 202)]
    [entry] = manifest(backend)["redrives"]
    assert entry["id"] == doc["redrive_id"] and entry["at"] == doc["at"]
    assert entry["failure_injection"] is False and entry["backend"] == backend.name
    assert entry["shards"] == [{"shard_id": 1, "point_count": 2, "reason": "failed"}]
    [record] = entry["dispatches"]
    assert record["shard_id"] == 1 and record["status"] == "dispatched" and record["request_id"]


def test_the_redrive_leaves_the_succeeded_shards_alone(lifecycle: Lifecycle, backend: Backend) -> None:
    assert lifecycle.redrive.code == EXIT_SUCCEEDED
    after = data_objects(backend)

    assert after == lifecycle.data_before
    assert all(attempts(backend, s) == [(1, "succeeded", False)] for s in (0, 2, 3))


def test_after_the_redrive_coverage_has_all_four_shards_and_status_exits_0(
    lifecycle: Lifecycle, backend: Backend
) -> None:
    coverage = run_queries(backend.source, RUN_ID, ["shard_coverage"])["shard_coverage"].to_pylist()
    after = lifecycle.after.json()

    assert lifecycle.after.code == EXIT_SUCCEEDED and after["verdict"] == "succeeded"
    assert after["counts"]["succeeded"] == 4 and after["redrives"] == 1
    assert [(r["shard_id"], r["succeeded"], r["in_shard_metrics"]) for r in coverage] == [
        (s, True, True) for s in range(4)
    ]
    points = backend.source.read("shard_metrics", RUN_ID)["point_index"].to_pylist()
    assert sorted(points) == list(range(8))


def test_outcomes_keep_the_failed_attempts_history(lifecycle: Lifecycle, backend: Backend) -> None:
    assert lifecycle.after.code == EXIT_SUCCEEDED

    assert attempts(backend, 1) == [
        (1, "failed", True),
        (2, "failed", True),
        (3, "failed", True),
        (4, "succeeded", False),
    ]


def test_a_second_redrive_dispatches_nothing(lifecycle: Lifecycle, backend: Backend) -> None:
    doc = lifecycle.again.json()

    assert lifecycle.again.code == EXIT_SUCCEEDED
    assert doc["shards"] == [] and doc["dispatches"] == [] and doc["redrive_id"] is None
    assert len(manifest(backend)["redrives"]) == 1 and len(attempts(backend, 1)) == 4
    store = backend.source.store()
    for dataset in DATA_DATASETS:
        assert store.list(layout.shard_prefix(dataset, RUN_ID, 1, backend.source.prefix)) == [
            layout.data_key(dataset, RUN_ID, 1, backend.source.prefix)
        ]


def test_the_report_of_the_run_has_every_plot(lifecycle: Lifecycle, backend: Backend, tmp_path: Path) -> None:
    assert lifecycle.after.code == EXIT_SUCCEEDED
    out = tmp_path / "report.html"

    result = pipeline(backend, "report", RUN_ID, "--out", str(out))

    assert result.code == 0, result.stderr
    assert "8 plots" in result.stderr and "All 8 grid points" in out.read_text()
