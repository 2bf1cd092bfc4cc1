"""The local sweep end to end: real processes, real Parquet, the real worker and parent logic."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pipeline.local import LocalRun, run_local
from pipeline.local.invoker import run_shard_attempts
from pipeline.ops.status import EXIT_INCOMPLETE
from pipeline.results import ResultsSource
from sim.datasets import layout
from sim.datasets.parquet import decode
from tests.functional.conftest import FIXTURES, load_request

MEASURED = ["sim_wall_ms"]


def outcomes(out: Path, run_id: str) -> pa.Table:
    return ResultsSource(str(out)).read("shard_outcomes", run_id)


def test_run_local_reports_how_each_shard_ended(runbook_run: tuple[Path, LocalRun]) -> None:
    _, run = runbook_run

    assert run.summary.shards_dispatched == 4 and run.summary.points_total == 8
    assert [(s.shard_id, s.status, s.attempts) for s in run.shards] == [
        (0, "succeeded", 1),
        (1, "failed", 3),
        (2, "succeeded", 1),
        (3, "succeeded", 1),
    ]


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


def test_a_sweep_with_a_failed_shard_exits_3_as_status_does(tmp_path: Path) -> None:
    request = tmp_path / "injected.json"
    request.write_text(
        json.dumps({**json.loads((FIXTURES / "small.json").read_text()), "failure_injection_shards": [1]})
    )
    out = tmp_path / "out"

    run = run_cli("run", "--local", str(request), "--out", str(out))
    status = run_cli("status", "--run-id", "small-run-001", "--source", str(out))

    assert run.returncode == status.returncode == EXIT_INCOMPLETE, run.stderr + status.stderr
    assert "1/2 shards succeeded" in run.stdout


def test_a_repeated_request_exits_with_the_stored_runs_verdict(
    runbook_run: tuple[Path, LocalRun], tmp_path: Path
) -> None:
    out = Path(shutil.copytree(runbook_run[0], tmp_path / "copy"))

    run = run_cli("run", "--local", str(FIXTURES / "runbook.json"), "--out", str(out))

    assert run.returncode == EXIT_INCOMPLETE, run.stderr
    assert "already exists" in run.stdout


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (Linux /proc; zombies count as gone)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from Linux's /proc")
def test_a_killed_local_run_takes_its_pool_workers_with_it(tmp_path: Path) -> None:
    # given a run --local whose two workers are simulating long shards (about a minute each)
    request = tmp_path / "long.json"
    request.write_text(
        json.dumps(
            {
                "run_id": "long-run",
                "dimensions": {"num_drivers": [5000, 5001], "horizon_min": [100000]},
                "shard_count": 2,
                "seed": 1,
            }
        )
    )
    out = tmp_path / "out"
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--local", str(request), "--out", str(out), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not (out / layout.manifest_key("long-run")).is_file() or len(workers) < 2:
            assert run.poll() is None and time.monotonic() < deadline, "the run ended or never dispatched"
            workers = _children(run.pid) - {run.pid}
            time.sleep(0.1)
        time.sleep(1.0)  # mid-run: the shards are being simulated

        # when the run's process is killed outright
        run.kill()
        run.wait(10)

        # then every worker is gone within a few seconds, and no shard finished
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
        assert not list((out / layout.outcomes_prefix()).rglob("*.parquet"))
    finally:
        run.kill()
        for worker in workers:
            if _alive(worker):
                os.kill(worker, signal.SIGKILL)
