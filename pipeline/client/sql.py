"""SQL over the four datasets, in DuckDB, read-only.

Each dataset is a view named like its Athena table (``shard_metrics``, …), with the
partition columns ``run_id`` and ``shard_id``, also reachable as
``serverless_sweep.<table>`` (the Athena database). Files are read through pyarrow, so a
directory and S3 (AWS or the emulator) behave alike and no DuckDB extension is loaded or
downloaded. Only queries run: any statement other than SELECT or EXPLAIN is refused before
DuckDB runs it, and DuckDB's own file access is switched off (and that setting locked), so a
query cannot read or write files behind the views either."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.athena.settings import DEFAULT_DATABASE
from pipeline.client.datasets import DATASETS, run_dataset
from pipeline.client.exceptions import QueryFailed, QueryRefused
from pipeline.duck import connect
from pipeline.results import ResultsSource

ALLOWED_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
LOCKDOWN = ("SET enable_external_access = false", "SET lock_configuration = true")


def check_read_only(query: str) -> None:
    """Refuse anything but queries, naming the statement's kind."""
    try:
        statements = duckdb.connect(":memory:").extract_statements(query)
    except duckdb.Error as error:
        raise QueryFailed(f"sql: {error}") from error
    if not statements:
        raise QueryRefused("sql: no statement given")
    for statement in statements:
        if statement.type not in ALLOWED_STATEMENTS:
            kind = statement.type.name.replace("_STATEMENT", "")
            raise QueryRefused(
                f"sql: a {kind} statement is refused: the connection is read-only (only SELECT and EXPLAIN run)"
            )


def query(source: ResultsSource, sql: str, run_id: str | None = None) -> pa.Table:
    """Run ``sql`` over the datasets (only ``run_id``'s rows when given); the last statement's result."""
    check_read_only(sql)
    db = connect()
    try:
        db.execute(f"CREATE SCHEMA {DEFAULT_DATABASE}")
        for name in DATASETS:
            db.register(f"_{name}_arrow", run_dataset(source, name, run_id))
            db.execute(f"CREATE VIEW {name} AS SELECT * FROM _{name}_arrow")
            db.execute(f"CREATE VIEW {DEFAULT_DATABASE}.{name} AS SELECT * FROM _{name}_arrow")
        for setting in LOCKDOWN:
            db.execute(setting)
        try:
            result = db.sql(sql)
            return result.to_arrow_table() if result is not None else pa.table({})
        except duckdb.Error as error:
            raise QueryFailed(f"sql: {error}") from error
    finally:
        db.close()
