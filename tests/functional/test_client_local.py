"""The client against the local backend: ``submit --local`` → wait → runs → results → sql, CLI and Python.

Two real in-process sweeps per module: the runbook request (shard 1 injected, so the run
ends incomplete) through the command line, and a small request through the Python API."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.client import DatasetUnknown, Run, RunState, SubmitRefused, SweepClient
from pipeline.client.cli import EXIT_CONFLICT, EXIT_INVALID_REQUEST
from pipeline.ops.status import EXIT_INCOMPLETE, EXIT_SUCCEEDED, ShardState, Verdict
from pipeline.results import ResultsSource
from sim.datasets.schemas import SCHEMAS
from tests.functional.conftest import FIXTURES
from tests.functional.ops_fixtures import run_cli

RUNBOOK = FIXTURES / "runbook.json"
SMALL = json.loads((FIXTURES / "small.json").read_text())


@dataclass(frozen=True)
class Sweeps:
    out: Path
    submitted: dict[str, Any]
    """``submit --local --wait --json``'s document for the runbook request."""
    code: int
    small: Run


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> Sweeps:
    out = tmp_path_factory.mktemp("client-local")
    stdout = io.StringIO()  # capsys is per test; this sweep is shared by the module
    with contextlib.redirect_stdout(stdout):
        code = main(["submit", str(RUNBOOK), "--local", "--out", str(out), "--workers", "2", "--wait", "--json"])
    small = SweepClient.local(out, workers=2).submit(SMALL)
    return Sweeps(out, json.loads(stdout.getvalue()), code, small)


def test_submit_local_wait_reports_the_summary_and_exits_like_status(sweeps: Sweeps) -> None:
    # given the runbook request submitted with --local --wait --json
    document = sweeps.submitted
    # then the summary is the parent's, every shard dispatched
    assert document["summary"]["run_id"] == "demo-run-001"
    assert document["summary"]["shards_dispatched"] == 4 and document["summary"]["points_total"] == 8
    # and the final status is status --json's: shard 1 failed for good, so the run is incomplete (exit 3)
    states = {s["shard_id"]: s["state"] for s in document["status"]["shards"]}
    assert states == {0: "succeeded", 1: "failed", 2: "succeeded", 3: "succeeded"}
    assert document["status"]["verdict"] == "incomplete"
    assert sweeps.code == document["exit_code"] == EXIT_INCOMPLETE
    assert document["source"] == str(sweeps.out)


def test_python_api_submit_wait_table_and_sql(sweeps: Sweeps) -> None:
    # given the small request submitted through SweepClient.local
    run = sweeps.small
    # when it is waited for
    status = run.wait(progress=False)
    # then every shard succeeded
    assert status.verdict is Verdict.SUCCEEDED
    assert [s.state for s in status.shards] == [ShardState.SUCCEEDED, ShardState.SUCCEEDED]
    # and its table is the existing reader's rows of the run, partition columns included
    table = run.table("shard_metrics")
    assert table.schema.names == [*SCHEMAS["shard_metrics"].names, "run_id", "shard_id"]
    expected = ResultsSource(str(sweeps.out)).read("shard_metrics", "small-run-001")
    assert table.sort_by("point_index").equals(expected.sort_by("point_index"))
    assert set(table.column("run_id").to_pylist()) == {"small-run-001"}
    # and its SQL sees only this run, by shard
    rows = run.sql("SELECT shard_id, count(*) AS n FROM shard_metrics GROUP BY shard_id ORDER BY shard_id")
    assert rows.to_pylist() == [{"shard_id": 0, "n": 1}, {"shard_id": 1, "n": 1}]


def test_python_api_runs_lists_newest_first_with_their_state(sweeps: Sweeps) -> None:
    # given the two runs in the directory
    client = SweepClient(source=sweeps.out)
    # when they are listed
    runs = client.runs()
    # then the small run (submitted last) comes first, each with its manifest's figures and its state
    assert [(r.run_id, r.state, r.points, r.shards) for r in runs] == [
        ("small-run-001", RunState.COMPLETE, 2, 2),
        ("demo-run-001", RunState.INCOMPLETE, 8, 4),
    ]
    assert runs[0].created_at > runs[1].created_at and runs[0].code_version
    assert [r.run_id for r in client.runs(limit=1, offset=1)] == ["demo-run-001"]


def test_runs_command_json_and_pages(sweeps: Sweeps, capsys: pytest.CaptureFixture[str]) -> None:
    # when the runs are listed one per page
    code, out, _ = run_cli(capsys, "runs", "--source", str(sweeps.out), "--json", "--limit", "1", "--offset", "1")
    # then the second page holds the older run, and the total says how many there are
    listing = json.loads(out)
    assert code == EXIT_SUCCEEDED and listing["total"] == 2 and listing["offset"] == 1
    assert [(r["run_id"], r["state"], r["points"], r["shards"]) for r in listing["runs"]] == [
        ("demo-run-001", "incomplete", 8, 4)
    ]
    # and the table form names the page and the next one
    code, out, _ = run_cli(capsys, "runs", "--source", str(sweeps.out), "--limit", "1")
    assert code == EXIT_SUCCEEDED and "small-run-001" in out and "demo-run-001" not in out
    assert "runs 1-1 of 2 (newest first); next page: --offset 1" in out


@pytest.mark.parametrize("file_format", ["parquet", "csv", "jsonl"])
def test_results_exports_one_file_with_partition_columns(
    sweeps: Sweeps, tmp_path: Path, capsys: pytest.CaptureFixture[str], file_format: str
) -> None:
    # given the runbook run's trip_data, as the existing reader sees it
    expected = ResultsSource(str(sweeps.out)).read("trip_data", "demo-run-001")
    out = tmp_path / f"trips.{file_format}"
    # when it is exported (the format taken from the suffix)
    code, _, err = run_cli(
        capsys, "results", "--run-id", "demo-run-001", "--source", str(sweeps.out), "--dataset", "trip_data",
        "--out", str(out),
    )  # fmt: skip
    # then one file holds every row, with run_id and shard_id
    assert code == EXIT_SUCCEEDED and f"{expected.num_rows} rows of trip_data from 3 shards" in err
    if file_format == "parquet":
        written = pq.read_table(out)
        assert written.schema.names[-2:] == ["run_id", "shard_id"]
        key = ["shard_id", "point_index", "request_id"]
        assert written.sort_by([(k, "ascending") for k in key]).equals(
            expected.sort_by([(k, "ascending") for k in key])
        )
    elif file_format == "csv":
        lines = out.read_text().splitlines()
        assert lines[0].split(",")[-2:] == ['"run_id"', '"shard_id"'] and len(lines) == expected.num_rows + 1
    else:
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(rows) == expected.num_rows
        assert {(r["run_id"], r["shard_id"]) for r in rows} == {("demo-run-001", s) for s in (0, 2, 3)}
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_results_of_an_unknown_run_fails_and_writes_nothing(
    sweeps: Sweeps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.parquet"
    code, _, err = run_cli(
        capsys, "results", "--run-id", "no-such-run", "--source", str(sweeps.out), "--dataset", "trip_data",
        "--out", str(out),
    )  # fmt: skip
    assert code == 1 and "no manifest for 'no-such-run'" in err
    assert list(tmp_path.iterdir()) == []


def test_sql_command_over_every_run_and_one(sweeps: Sweeps, capsys: pytest.CaptureFixture[str]) -> None:
    query = "SELECT run_id, count(*) AS points FROM serverless_sweep.shard_metrics GROUP BY run_id ORDER BY run_id"
    # when the views hold every run
    code, out, _ = run_cli(capsys, "sql", query, "--source", str(sweeps.out), "--format", "csv")
    # then each run's rows are there (the runbook's 3 succeeded shards hold 6 points)
    assert code == EXIT_SUCCEEDED
    assert out.splitlines() == ['"run_id","points"', '"demo-run-001",6', '"small-run-001",2']
    # and with --run-id only that run's
    code, out, _ = run_cli(
        capsys, "sql", query, "--source", str(sweeps.out), "--run-id", "small-run-001", "--format", "json"
    )
    assert code == EXIT_SUCCEEDED and json.loads(out) == [{"run_id": "small-run-001", "points": 2}]
    # and the table form prints the result
    code, out, _ = run_cli(
        capsys, "sql", "SELECT count(*) AS attempts FROM shard_outcomes", "--source", str(sweeps.out)
    )
    assert code == EXIT_SUCCEEDED and "attempts" in out and "8" in out


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("DELETE FROM shard_metrics", "DELETE"),
        ("CREATE TABLE t AS SELECT 1", "CREATE"),
        ("COPY (SELECT 1) TO 'out.csv'", "COPY"),
        ("SELECT 1; DROP VIEW trip_data", "DROP"),
        ("ATTACH 'other.duckdb'", "ATTACH"),
        ("SET enable_external_access = true", "SET"),
    ],
)
def test_sql_refuses_a_writing_statement(
    sweeps: Sweeps, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    statement: str, kind: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "sql", statement, "--source", str(sweeps.out))
    assert code == 1 and out == ""
    assert f"a {kind} statement is refused: the connection is read-only" in err
    assert list(tmp_path.iterdir()) == []


def test_sql_cannot_read_files_behind_the_views(sweeps: Sweeps, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = sweeps.out / "serverless-sweeps" / "runs" / "run_id=demo-run-001" / "manifest.json"
    code, _, err = run_cli(capsys, "sql", f"SELECT * FROM read_json('{manifest}')", "--source", str(sweeps.out))
    assert code == 1 and "file system operations are disabled" in err


def test_submit_refuses_an_invalid_request_with_its_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a request whose shard_count exceeds its grid
    request = tmp_path / "bad.json"
    request.write_text(json.dumps({**SMALL, "run_id": "bad-run-001", "shard_count": 3}))
    # when it is submitted locally
    code, out, err = run_cli(capsys, "submit", str(request), "--local", "--out", str(tmp_path / "out"))
    # then it exits 2 with the contract's message, and nothing is written
    assert code == EXIT_INVALID_REQUEST and out == ""
    assert "refused with 400" in err and "shard_count: must be <= the number of grid points (2)" in err
    assert not (tmp_path / "out").exists()


def test_submit_refuses_a_different_request_for_an_existing_run(
    sweeps: Sweeps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = tmp_path / "other.json"
    request.write_text(json.dumps({**SMALL, "seed": 8}))
    code, _, err = run_cli(capsys, "submit", str(request), "--local", "--out", str(sweeps.out))
    assert code == EXIT_CONFLICT
    assert "refused with 409" in err and "'small-run-001' already exists with a different request" in err
    with pytest.raises(SubmitRefused) as refused:
        SweepClient.local(sweeps.out).submit({**SMALL, "seed": 8})
    assert refused.value.status == 409


def test_an_identical_submit_is_the_stored_run(sweeps: Sweeps) -> None:
    run = SweepClient.local(sweeps.out).submit(SMALL)
    assert run.summary is not None and run.summary.duplicate
    assert run.status().verdict is Verdict.SUCCEEDED


def test_unknown_dataset_is_named(sweeps: Sweeps) -> None:
    with pytest.raises(DatasetUnknown, match="'trips' is not one of shard_metrics, trip_data"):
        sweeps.small.table("trips")


def test_empty_result_keeps_its_columns(sweeps: Sweeps) -> None:
    table = sweeps.small.sql("SELECT point_index FROM trip_data WHERE false")
    assert table.num_rows == 0 and table.schema == pa.schema([("point_index", pa.int32())])
