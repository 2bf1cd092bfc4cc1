"""Athena SQL -> DuckDB keeps Athena's semantics where a plain sqlglot transpile would not.

Each case runs the transpiled SQL in DuckDB over a tiny in-memory shard_outcomes table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pytest
import sqlglot

from pipeline.athena.local import transpile
from pipeline.duck import connect
from sim.datasets.schemas import SHARD_OUTCOMES

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def outcome(shard_id: int, attempt: int, status: str, error_type: str | None) -> dict:
    row = dict.fromkeys(SHARD_OUTCOMES.names)
    row.update(
        attempt=attempt, status=status, error_type=error_type, failure_injected=False, shard_count=4,
        points_assigned=2, points_completed=2, rows_written=10, started_at=NOW, ended_at=NOW, duration_ms=7,
        request_id="r", code_version="v",
    )  # fmt: skip
    return row | {"run_id": "run-1", "shard_id": shard_id}


@pytest.fixture
def db() -> Iterator[duckdb.DuckDBPyConnection]:
    # given shard 0 that failed then succeeded, and shard 1 that failed twice
    rows = [
        outcome(0, 1, "failed", "Timeout"),
        outcome(0, 2, "succeeded", None),
        outcome(1, 1, "failed", "Timeout"),
        outcome(1, 2, "failed", "MemoryError"),
    ]
    schema = pa.schema([*SHARD_OUTCOMES, pa.field("run_id", pa.string()), pa.field("shard_id", pa.int32())])
    connection = connect()
    connection.register("shard_outcomes", pa.Table.from_pylist(rows, schema=schema))
    yield connection
    connection.close()


def run(db: duckdb.DuckDBPyConnection, athena_sql: str) -> list[tuple]:
    return db.sql(transpile(athena_sql), params={"run_id": "run-1"}).fetchall()


def test_integer_division_truncates_as_in_athena(db: duckdb.DuckDBPyConnection) -> None:
    # given four attempts of 7 ms: 28 / 8 is 3 in Athena (bigint / integer)
    sql = "SELECT sum(duration_ms) / 8 AS eighth, 7 / 2 AS seven_halves FROM shard_outcomes WHERE run_id = ?"
    # when transpiled without the tables' types, DuckDB divides as floats
    plain = sqlglot.transpile(sql, read="athena", write="duckdb")[0].replace("?", "$run_id")
    assert db.sql(plain, params={"run_id": "run-1"}).fetchall() == [(3.5, 3.5)]
    # then with the tables' types the division keeps Athena's integer result
    assert run(db, sql) == [(3, 3)]


def test_max_by_returns_the_latest_rows_value_even_when_null(db: duckdb.DuckDBPyConnection) -> None:
    # when the latest attempt's error_type is NULL (shard 0 succeeded on attempt 2)
    sql = (
        "SELECT shard_id, max_by(error_type, attempt) AS latest_error, min_by(error_type, attempt) AS first_error "
        "FROM shard_outcomes WHERE run_id = ? GROUP BY shard_id ORDER BY shard_id"
    )
    # then, as in Athena, the latest is NULL, not the older non-NULL value DuckDB's arg_max would pick
    assert run(db, sql) == [(0, None, "Timeout"), (1, "MemoryError", "Timeout")]


def test_result_columns_carry_athenas_types(db: duckdb.DuckDBPyConnection) -> None:
    # when count_if and sum of bigint run (HUGEINT in DuckDB, bigint in Athena)
    sql = (
        "SELECT count_if(status = 'failed') AS failed, sum(rows_written) AS rows, max(attempt) AS attempts "
        "FROM shard_outcomes WHERE run_id = ?"
    )
    table = db.sql(transpile(sql), params={"run_id": "run-1"}).to_arrow_table()
    # then the results come back typed as Athena returns them
    assert table.schema.types == [pa.int64(), pa.int64(), pa.int32()]
    assert table.to_pylist() == [{"failed": 3, "rows": 40, "attempts": 2}]


def test_every_placeholder_becomes_the_named_run_id_parameter() -> None:
    sql = transpile(
        "SELECT count(*) AS n FROM shard_outcomes WHERE run_id = ? AND shard_id IN "
        "(SELECT shard_id FROM shard_outcomes WHERE run_id = ?)"
    )
    assert "?" not in sql and sql.count("$run_id") == 2
