"""`verify` passes on a real run and fails, naming the check, on each kind of damage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.local import LocalRun
from pipeline.results import ResultsSource, RunNotFound
from pipeline.verify import verify_run
from sim.datasets import layout


@pytest.fixture
def damaged(runbook_run: tuple[Path, LocalRun], tmp_path: Path) -> Path:
    """A private copy of the runbook run, free to break."""
    copy = tmp_path / "copy"
    shutil.copytree(runbook_run[0], copy)
    return copy


def failed_checks(root: Path) -> list[str]:
    return [c.name for c in verify_run(ResultsSource(str(root)), "demo-run-001").checks if not c.ok]


def test_a_stray_non_parquet_object_fails_parquet_only(damaged: Path) -> None:
    (damaged / layout.shard_prefix("trip_data", "demo-run-001", 0) / "_SUCCESS").write_text("")

    assert failed_checks(damaged) == ["only Parquet objects"]


def test_a_missing_data_object_fails_the_per_shard_and_row_checks(damaged: Path) -> None:
    (damaged / layout.data_key("trip_data", "demo-run-001", 2)).unlink()

    assert failed_checks(damaged) == ["data datasets per shard", "row counts agree"]


def test_a_duplicated_point_fails_grid_coverage(damaged: Path) -> None:
    key = damaged / layout.data_key("shard_metrics", "demo-run-001", 0)
    table = pq.read_table(key)
    pq.write_table(pa.concat_tables([table, table.slice(0, 1)]), key)

    assert "(point, replicate) units in shard_metrics" in failed_checks(damaged)


def test_a_file_with_another_schema_fails_the_schema_check(damaged: Path) -> None:
    key = damaged / layout.data_key("snapshot_counts", "demo-run-001", 3)
    table = pq.read_table(key)
    minute = table.schema.get_field_index("minute")
    pq.write_table(table.set_column(minute, "minute", table["minute"].cast(pa.int64())), key)

    assert "file schemas equal sim's" in failed_checks(damaged)


def test_an_unknown_run_is_an_error_naming_it(runbook_run: tuple[Path, LocalRun]) -> None:
    with pytest.raises(RunNotFound, match="no-such-run"):
        verify_run(ResultsSource(str(runbook_run[0])), "no-such-run")
