"""The four datasets as Arrow: one run's partitions, or every run's, with ``run_id`` and ``shard_id``.

Partition columns live in the path only (DESIGN.md); reading through pyarrow's Hive
partitioning puts them back, the same for a directory and for S3. A run's dataset is
discovered under its own ``run_id=`` folder, so reading one run never lists the others."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipeline.client.constants import ExportFormat
from pipeline.client.exceptions import DatasetUnknown
from pipeline.results import PARTITION_SCHEMA, PARTITIONING, ResultsSource
from sim.datasets.schemas import SCHEMAS

DATASETS = tuple(SCHEMAS)


def table_schema(name: str) -> pa.Schema:
    """A dataset's columns followed by the partition columns."""
    return pa.schema([*dataset_schema(name), *PARTITION_SCHEMA])


def dataset_schema(name: str) -> pa.Schema:
    if name not in SCHEMAS:
        raise DatasetUnknown(f"dataset: {name!r} is not one of {', '.join(DATASETS)}")
    return SCHEMAS[name]


def run_dataset(source: ResultsSource, name: str, run_id: str | None = None) -> ds.Dataset:
    """One dataset of one run (or of every run when ``run_id`` is None), partition columns included."""
    schema = table_schema(name)
    if run_id is None:
        return source.dataset(name)
    base = source.dataset_path(name)
    path = f"{base}/run_id={run_id}"
    fs = source.filesystem()
    if fs.get_file_info(path).type == pafs.FileType.NotFound:
        return ds.dataset(schema.empty_table())
    return ds.dataset(
        path, filesystem=fs, format="parquet", partitioning=PARTITIONING, partition_base_dir=base, schema=schema
    )


def run_table(source: ResultsSource, name: str, run_id: str) -> pa.Table:
    """One run's rows of a dataset, ordered by shard and then as written."""
    table = run_dataset(source, name, run_id).to_table()
    return table.sort_by([("shard_id", "ascending")]) if table.num_rows else table


def export_table(table: pa.Table, out: Path, file_format: ExportFormat) -> None:
    """Write the table as one file; a failed write leaves nothing at ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if file_format is ExportFormat.PARQUET:
            pq.write_table(table, temporary)
        elif file_format is ExportFormat.CSV:
            pacsv.write_csv(table, temporary)
        else:
            with open(temporary, "w", encoding="utf-8") as lines:
                for row in _rows(table):
                    lines.write(json.dumps(row, default=_json_value) + "\n")
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _rows(table: pa.Table) -> Iterator[dict[str, Any]]:
    for batch in table.to_batches():
        yield from batch.to_pylist()


def _json_value(value: Any) -> str:
    """Timestamps and dates as ISO 8601 (the only non-JSON values the schemas hold)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
