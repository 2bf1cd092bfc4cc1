"""The local sweep end to end: real processes, real Parquet, the real worker and parent logic."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.local import LocalRun, run_local
from pipeline.local.invoker import run_shard_attempts
from pipeline.results import ResultsSource
from sim.datasets import layout
from sim.datasets.parquet import decode
from tests.functional.conftest import FIXTURES, load_request

MEASURED = ["sim_wall_ms"]


def outcomes(out: Path, run_id: str) -> pa.Table:
    return ResultsSource(str(out)).read("shard_outcomes", run_id)


def test_runbook_run_records_three_failed_attempts_for_the_injected_shard(runbook_run: tuple[Path, LocalRun]) -> None:
    out, run = runbook_run

    table = outcomes(out, "demo-run-001").sort_by([("shard_id", "ascending"), ("attempt", "ascending")])

    assert run.summary.shards_dispatched == 4 and run.summary.points_total == 8
    assert [(s.shard_id, s.status, s.attempts) for s in run.shards] == [
        (0, "succeeded", 1),
        (1, "failed", 3),
        (2, "succeeded", 1),
        (3, "succeeded", 1),
    ]
    shard1 = table.filter(pc.field("shard_id") == 1).to_pylist()
    assert [(r["attempt"], r["status"], r["error_type"], r["failure_injected"]) for r in shard1] == [
        (1, "failed", "InjectedFailure", True),
        (2, "failed", "InjectedFailure", True),
        (3, "failed", "InjectedFailure", True),
    ]
    for dataset in ("shard_metrics", "trip_data", "snapshot_counts"):
        assert not (out / layout.shard_prefix(dataset, "demo-run-001", 1)).exists()
        for shard in (0, 2, 3):
            assert (out / layout.data_key(dataset, "demo-run-001", shard)).is_file()


def test_only_parquet_objects_are_written_under_outcomes(runbook_run: tuple[Path, LocalRun]) -> None:
    out, _ = runbook_run

    files = [p for p in (out / layout.outcomes_prefix()).rglob("*") if p.is_file()]

    assert files and all(p.suffix == ".parquet" for p in files)


def _per_point(out: Path, dataset: str) -> dict[int, pa.Table]:
    table = ResultsSource(str(out)).read(dataset, "shard-invariance").drop_columns(["run_id", "shard_id"])
    table = table.drop_columns([c for c in MEASURED if c in table.column_names])
    return {int(i): table.filter(pc.field("point_index") == i) for i in pc.unique(table["point_index"]).to_pylist()}


def test_per_point_rows_do_not_depend_on_shard_count(tmp_path: Path) -> None:
    runs = {}
    for shards in (1, 2, 4):
        out = tmp_path / f"shards-{shards}"
        request = load_request(
            "runbook.json", run_id="shard-invariance", shard_count=shards, failure_injection_shards=[]
        )
        run_local(request, out, workers=2)
        runs[shards] = out

    for dataset in ("shard_metrics", "trip_data"):
        one, two, four = (_per_point(runs[n], dataset) for n in (1, 2, 4))
        assert sorted(one) == list(range(8))
        for index, rows in one.items():
            assert rows.num_rows > 0
            assert rows.equals(two[index]) and rows.equals(four[index]), (dataset, index)


def test_a_data_object_that_exists_is_left_byte_identical_by_a_redelivery(
    runbook_run: tuple[Path, LocalRun], tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(runbook_run[0], out)
    key = out / layout.data_key("trip_data", "demo-run-001", 2)
    before = key.read_bytes()
    request = load_request("runbook.json")

    result = run_shard_attempts({**request.to_json(), "shard_id": 2}, str(out), "redelivery")

    assert result.status == "succeeded" and key.read_bytes() == before
    rows = outcomes(out, "demo-run-001").filter(pc.field("shard_id") == 2)
    assert sorted(rows["attempt"].to_pylist()) == [1, 2]
    assert decode(before).num_rows > 0


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=300)


def test_an_invalid_request_exits_2_with_the_messages_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"run_id": "Bad/Run", "dimensions": {"num_drivers": [0]}, "shard_count": 4, "seed": 1}))
    out = tmp_path / "out"

    result = run_cli("run", "--local", str(bad), "--out", str(out))

    assert result.returncode == 2
    assert "run_id" in result.stderr and "dimensions.num_drivers[0]" in result.stderr
    assert not out.exists()


def test_the_cli_runs_a_sweep_and_verify_passes_on_it(tmp_path: Path) -> None:
    out = tmp_path / "out"

    run = run_cli("run", "--local", str(FIXTURES / "small.json"), "--out", str(out))
    small = json.loads((FIXTURES / "small.json").read_text())
    verify = run_cli("verify", "--run-id", small["run_id"], "--source", str(out))

    assert run.returncode == 0, run.stderr
    assert "shards succeeded" in run.stdout
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "all checks passed" in verify.stdout
