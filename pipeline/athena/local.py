"""The five queries run locally: Athena SQL transpiled to DuckDB over a run's Parquet.

This is the local proof that the query files are right. Each file is parsed as
Athena SQL and put through sqlglot's optimizer with the tables' DDL types, so
integer arithmetic keeps Athena's semantics, then written as DuckDB SQL. The
placeholders become one named DuckDB parameter, ``$run_id``. Two corrections
keep Athena's semantics where sqlglot's DuckDB output does not: ``max_by`` and
``min_by`` return the value at the extreme row even when it is NULL (DuckDB's
``arg_max`` skips NULL values; ``arg_max_null`` does not), and each result
column is cast to the type Athena gives it (DuckDB's ``count_if`` and ``sum``
return HUGEINT, ``generate_series`` BIGINT). The tables are the run's datasets
read through pyarrow with Hive partitioning (run_id string, shard_id int32),
from a results directory or from S3."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.optimizer import optimize

from pipeline.athena.ddl import optimizer_schema
from pipeline.athena.exceptions import StatementFailed
from pipeline.athena.files import QUERY_NAMES, query_path
from pipeline.athena.render import source_name, statement_text
from pipeline.athena.settings import validate_run_id
from pipeline.duck import connect
from pipeline.results import ResultsSource
from sim.datasets.schemas import SCHEMAS

RUN_ID_PARAMETER = "run_id"
_NULL_KEEPING: dict[type[exp.Expr], str] = {exp.ArgMax: "ARG_MAX_NULL", exp.ArgMin: "ARG_MIN_NULL"}


def _named_placeholder(node: exp.Expr) -> exp.Expr:
    return exp.Placeholder(this=RUN_ID_PARAMETER) if isinstance(node, exp.Placeholder) else node


def _null_keeping_arg_extreme(node: exp.Expr) -> exp.Expr:
    """Trino's max_by/min_by (two arguments) -> DuckDB's NULL-keeping arg_max_null/arg_min_null."""
    function = _NULL_KEEPING.get(type(node))
    if function is None or node.args.get("count") is not None:
        return node
    return exp.Anonymous(this=function, expressions=[node.this, node.expression])


def _cast_to_athena_types(query: exp.Query) -> None:
    """Cast each result column to the type the optimizer inferred for Athena, where it knows one."""
    for projection in query.selects:
        inferred = projection.type
        if isinstance(projection, exp.Alias) and inferred and not inferred.is_type(exp.DataType.Type.UNKNOWN):
            projection.set("this", exp.cast(projection.this, inferred.copy()))


def transpile(athena_sql: str) -> str:
    """Athena SQL -> DuckDB SQL, typed with the tables' DDL; every ``?`` becomes ``$run_id``."""
    query = sqlglot.parse_one(athena_sql, read="athena").transform(_named_placeholder)
    optimized = optimize(query, schema=optimizer_schema(), dialect="athena")
    if isinstance(optimized, exp.Query):
        _cast_to_athena_types(optimized)
    return optimized.transform(_null_keeping_arg_extreme).sql(dialect="duckdb")


@cache
def transpiled_query(name: str) -> str:
    """One of the four query files, transpiled."""
    return transpile(statement_text(query_path(name).read_text()))


def _as_source(source: ResultsSource | str | Path) -> ResultsSource:
    return source if isinstance(source, ResultsSource) else ResultsSource(str(source))


def register_tables(db: duckdb.DuckDBPyConnection, source: ResultsSource) -> None:
    """The four datasets as DuckDB views named like the Athena tables."""
    for name in SCHEMAS:
        db.register(name, source.dataset(name))


def run_query(db: duckdb.DuckDBPyConnection, name: str, run_id: str) -> pa.Table:
    """One query over the tables registered in ``db``."""
    try:
        return db.sql(transpiled_query(name), params={RUN_ID_PARAMETER: run_id}).to_arrow_table()
    except duckdb.Error as error:
        raise StatementFailed(source_name(query_path(name)), "FAILED (DuckDB)", str(error)) from error


def run_queries(
    source: ResultsSource | str | Path, run_id: str, names: Sequence[str] = QUERY_NAMES
) -> dict[str, pa.Table]:
    """The queries (default: all four) over one run's results (a directory or an S3 bucket), by name."""
    validate_run_id(run_id)
    db = connect()
    try:
        register_tables(db, _as_source(source))
        return {name: run_query(db, name, run_id) for name in names}
    finally:
        db.close()
