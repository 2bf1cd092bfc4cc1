"""Local proof of the four Athena queries over a real run: the runbook request (4 shards, shard 1
injected) swept locally. Every query file is parsed as Athena SQL, transpiled to DuckDB and run
over the run's Parquet; each expected figure is computed here with pyarrow from the same files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from pipeline.athena.local import run_queries
from pipeline.cli import main
from pipeline.local import LocalRun
from sim.contract import parse_request
from sim.datasets import layout
from sim.datasets.schemas import DATA_DATASETS
from sim.grid import shard_units
from sim.limits import MAX_RETRIES
from sim.worker import InjectedFailure

RUNBOOK_REQUEST = Path(__file__).resolve().parent.parent / "fixtures" / "requests" / "runbook.json"
RUN_ID = "demo-run-001"
INJECTED_SHARD = 1


def read(root: Path, dataset: str) -> pa.Table:
    """A dataset's rows straight from the files, partition values from the Hive folders."""
    partitioning = ds.partitioning(pa.schema([("run_id", pa.string()), ("shard_id", pa.int32())]), flavor="hive")
    folder = root / layout.outcomes_prefix() / f"dataset={dataset}"
    return ds.dataset(folder, format="parquet", partitioning=partitioning).to_table()


@pytest.fixture(scope="module")
def results(runbook_run: tuple[Path, LocalRun]) -> dict[str, pa.Table]:
    root, _ = runbook_run
    return run_queries(root, RUN_ID)


@pytest.fixture(scope="module")
def outcomes(runbook_run: tuple[Path, LocalRun]) -> list[dict]:
    return read(runbook_run[0], "shard_outcomes").to_pylist()


def rows_per_unit(table: pa.Table) -> dict[tuple[int, int, int], int]:
    counts = table.group_by(["shard_id", "point_index", "replicate"]).aggregate([([], "count_all")])
    return {(r["shard_id"], r["point_index"], r["replicate"]): r["count_all"] for r in counts.to_pylist()}


def succeeded_shards(outcomes: list[dict]) -> set[int]:
    return {row["shard_id"] for row in outcomes if row["status"] == "succeeded"}


def test_run_level_profile_reports_planned_succeeded_and_failed_attempts(
    runbook_run: tuple[Path, LocalRun], results: dict[str, pa.Table], outcomes: list[dict]
) -> None:
    root, run = runbook_run
    # given what the files say
    shard_count = run.summary.shards_dispatched
    failed_on_injected = sum(r["status"] == "failed" and r["shard_id"] == INJECTED_SHARD for r in outcomes)
    metrics = read(root, "shard_metrics").to_pylist()
    trips = read(root, "trip_data")
    completed = trips.filter(pc.field("status") == "completed")
    driver_hours = sum(m["drivers_online_mean"] * (m["horizon_min"] - m["warmup_min"]) for m in metrics) / 60
    # when the profile query runs
    [profile] = results["run_level_profile"].to_pylist()
    # then it reports 4 planned shards, 3 succeeded, 3 failed attempts (all on the injected shard)
    assert (profile["shards_planned"], shard_count) == (4, 4)
    assert profile["shards_succeeded"] == len(succeeded_shards(outcomes)) == 3
    assert profile["attempts_failed"] == failed_on_injected == 1 + MAX_RETRIES == 3
    assert profile["shards_reporting"] == len({r["shard_id"] for r in outcomes}) == 4
    assert profile["attempts"] == len(outcomes) == 6
    # and the data figures match the files
    assert profile["points_completed"] == len(metrics)
    assert profile["requests"] == trips.num_rows
    assert profile["trips_completed"] == completed.num_rows
    assert profile["match_rate"] == pytest.approx(completed.num_rows / trips.num_rows)
    assert profile["platform_revenue"] == pytest.approx(pc.sum(trips["commission"]).as_py())
    assert profile["driver_hours"] == pytest.approx(driver_hours)
    # and the approximate wait percentiles sit where the exact ones are
    waits = completed["wait_min"]
    low, mid_high = pc.quantile(waits, q=[0.4, 0.6]).to_pylist()
    assert low <= profile["wait_p50_min"] <= mid_high
    assert pc.quantile(waits, q=0.9).to_pylist()[0] <= profile["wait_p95_min"] <= pc.max(waits).as_py()


def test_shard_coverage_lists_every_planned_shard_and_the_injected_one_missing_from_the_data(
    runbook_run: tuple[Path, LocalRun], results: dict[str, pa.Table], outcomes: list[dict]
) -> None:
    root, _ = runbook_run
    # given which shards each data dataset holds, from the files
    holds = {name: set(read(root, name)["shard_id"].to_pylist()) for name in DATA_DATASETS}
    # when the coverage query runs
    rows = results["shard_coverage"].to_pylist()
    # then every planned shard has a row, and each dataset flag matches the files
    assert [row["shard_id"] for row in rows] == [0, 1, 2, 3]
    for row in rows:
        for name in DATA_DATASETS:
            assert row[f"in_{name}"] == (row["shard_id"] in holds[name]), (row["shard_id"], name)
        assert row["succeeded"] == (row["shard_id"] in succeeded_shards(outcomes))
    # and shard 1 is the one missing from all three data datasets, its latest attempt failed
    missing = [r["shard_id"] for r in rows if not any(r[f"in_{name}"] for name in DATA_DATASETS)]
    assert missing == [INJECTED_SHARD]
    injected = rows[INJECTED_SHARD]
    assert (injected["latest_status"], injected["latest_error_type"]) == ("failed", InjectedFailure.__name__)
    assert injected["attempts"] == injected["latest_attempt"] == 1 + MAX_RETRIES


def test_failure_diagnostics_report_a_non_zero_failure_rate_with_the_injected_error_type(
    results: dict[str, pa.Table], outcomes: list[dict]
) -> None:
    # given the failed attempts from the files
    failed = [r for r in outcomes if r["status"] == "failed"]
    last = max(failed, key=lambda r: r["attempt"])
    shards = {r["shard_id"] for r in outcomes}
    # when the diagnostics query runs
    rows = results["failure_diagnostics"].to_pylist()
    # then one failed shard is reported, with the rates over shards and over attempts
    [row] = rows
    assert row["shard_failure_rate"] == pytest.approx(len(shards - succeeded_shards(outcomes)) / len(shards))
    assert row["attempt_failure_rate"] == pytest.approx(len(failed) / len(outcomes))
    assert row["shard_failure_rate"] > 0 and row["attempt_failure_rate"] > 0
    # and the injected failure's type, kind, counts and last message
    assert row["error_type"] == InjectedFailure.__name__ == last["error_type"]
    assert row["failure_kind"] == "injected"
    assert (row["shard_id"], row["failed_attempts"], row["error_type_attempts"]) == (INJECTED_SHARD, 3, 3)
    assert row["last_error_message"] == last["error_message"]


def test_trip_snapshot_join_has_exactly_the_units_of_the_successful_shards(
    runbook_run: tuple[Path, LocalRun], results: dict[str, pa.Table], outcomes: list[dict]
) -> None:
    root, _ = runbook_run
    # given the (point, replicate) units the successful shards own (from the request), and per-unit
    # row counts from the files
    request = parse_request(json.loads(RUNBOOK_REQUEST.read_text()))
    expected_keys = {
        (RUN_ID, shard, unit.point.index, unit.replicate)
        for shard in succeeded_shards(outcomes)
        for unit in shard_units(request.dimensions, request.replications, request.shard_count, shard)
    }
    trips_per_unit = rows_per_unit(read(root, "trip_data"))
    snaps_per_unit = rows_per_unit(read(root, "snapshot_counts"))
    # when the join query runs
    rows = results["trip_snapshot_join"].to_pylist()
    # then its rows are keyed by (run_id, shard_id, point_index, replicate), exactly the successful shards' units
    keys = [(r["run_id"], r["shard_id"], r["point_index"], r["replicate"]) for r in rows]
    assert len(keys) == len(set(keys)) and set(keys) == expected_keys
    assert all(shard != INJECTED_SHARD for _, shard, _, _ in keys)
    # and each side's aggregate matches the files
    for row in rows:
        key = (row["shard_id"], row["point_index"], row["replicate"])
        assert row["requests"] == trips_per_unit.get(key, 0)
        assert row["snapshots"] == snaps_per_unit[key]


def test_a_run_id_with_no_data_gives_empty_results(runbook_run: tuple[Path, LocalRun]) -> None:
    results = run_queries(runbook_run[0], "no-such-run")
    assert {name: table.num_rows for name, table in results.items()} == dict.fromkeys(results, 0)


def test_query_command_runs_locally_and_prints_the_table(
    runbook_run: tuple[Path, LocalRun], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["athena", "query", "shard_coverage", "--run-id", RUN_ID, "--source", str(runbook_run[0])])
    out = capsys.readouterr().out
    assert code == 0
    assert "in_trip_data" in out and InjectedFailure.__name__ in out and "(4 rows)" in out
