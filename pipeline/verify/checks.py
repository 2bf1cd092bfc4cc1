"""DuckDB checks over a run's four datasets.

Each check returns a small table and a verdict. The expected picture comes
from the run manifest (the request: grid and shards) and the shard outcomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow.parquet as pq

from pipeline.duck import connect
from pipeline.results import ResultsSource, RunNotFound
from sim.datasets.schemas import DATA_DATASETS, SCHEMAS
from sim.exceptions import SweepError
from sim.grid import unit_count
from sim.manifest import read_manifest


@dataclass
class CheckResult:
    """One check: its verdict and the rows that show why."""

    name: str
    ok: bool
    columns: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    detail: str = ""


@dataclass
class VerifyReport:
    run_id: str
    checks: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


class _RunData:
    """A run's datasets registered as DuckDB views, plus what the manifest says was planned."""

    def __init__(self, source: ResultsSource, run_id: str) -> None:
        manifest = read_manifest(source.store(), run_id, source.prefix)
        if manifest is None:
            raise RunNotFound(f"run_id: no manifest for {run_id!r} in {source.location}")
        self.request = manifest.sweep_request()
        self.source = source
        self.run_id = run_id
        self.keys = source.run_keys(run_id)
        self.db = connect()
        self.tables = {name: source.read(name, run_id) for name in SCHEMAS}
        for name, table in self.tables.items():
            self.db.register(name, table)
        self.db.execute(
            f"CREATE TABLE planned AS SELECT range::INTEGER AS shard_id FROM range({self.request.shard_count})"
        )
        # Work unit u is replicate u % replications of point u // replications, owned by shard u % shard_count.
        self.db.execute(
            "CREATE TABLE grid AS SELECT (range // $r)::INTEGER AS point_index, (range % $r)::INTEGER AS replicate, "
            "(range % $shards)::INTEGER AS shard_id FROM range($units)",
            {
                "r": self.request.replications,
                "shards": self.request.shard_count,
                "units": unit_count(self.request.dimensions, self.request.replications),
            },
        )
        self.db.execute(
            "CREATE TABLE succeeded AS SELECT DISTINCT shard_id FROM shard_outcomes WHERE status = 'succeeded'"
        )

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        relation = self.db.sql(sql)
        return list(relation.columns), relation.fetchall()


def check_parquet_only(run: _RunData) -> CheckResult:
    rows = []
    for name in SCHEMAS:
        keys = [k for k in run.keys if f"/dataset={name}/" in k]
        rows.append((name, len(keys), sum(not k.endswith(".parquet") for k in keys)))
    return CheckResult("only Parquet objects", all(r[2] == 0 for r in rows), ["dataset", "objects", "other"], rows)


def check_schemas(run: _RunData) -> CheckResult:
    fs, mismatched = run.source.filesystem(), []
    base = run.source.location.removeprefix("s3://").rstrip("/")
    for key in (k for k in run.keys if k.endswith(".parquet")):
        dataset = key.split("/dataset=", 1)[1].split("/", 1)[0]
        with fs.open_input_file(f"{base}/{key}") as handle:
            if not pq.read_schema(handle).remove_metadata().equals(SCHEMAS[dataset]):
                mismatched.append((dataset, key.rsplit("/", 2)[-2] + "/" + key.rsplit("/", 1)[-1]))
    detail = f"{len(run.keys)} objects checked"
    return CheckResult("file schemas equal sim's", not mismatched, ["dataset", "object"], mismatched, detail)


def check_datasets_per_shard(run: _RunData) -> CheckResult:
    present = {
        (name, int(k.split("/shard_id=", 1)[1].split("/", 1)[0]))
        for k in run.keys
        for name in DATA_DATASETS
        if f"/dataset={name}/" in k
    }
    _, outcomes = run.query(
        "SELECT p.shard_id, coalesce(max(o.status = 'succeeded')::INTEGER, -1) FROM planned p "
        "LEFT JOIN shard_outcomes o USING (shard_id) GROUP BY p.shard_id ORDER BY p.shard_id"
    )
    rows, ok = [], True
    for shard_id, succeeded in outcomes:
        flags = [(name, shard_id) in present for name in DATA_DATASETS]
        state = {1: "succeeded", 0: "failed", -1: "no outcome"}[succeeded]
        ok &= all(flags) if succeeded == 1 else not any(flags)
        rows.append((shard_id, state, *("yes" if f else "-" for f in flags)))
    return CheckResult("data datasets per shard", ok, ["shard_id", "outcome", *DATA_DATASETS], rows)


def check_grid_coverage(run: _RunData) -> CheckResult:
    columns, rows = run.query(
        """
        WITH expected AS (SELECT g.* FROM grid g JOIN succeeded USING (shard_id)),
             seen AS (SELECT point_index, replicate, shard_id, count(*) AS n FROM shard_metrics GROUP BY ALL)
        SELECT
          (SELECT count(*) FROM expected) AS expected,
          (SELECT count(*) FROM expected e JOIN seen s USING (point_index, replicate, shard_id) WHERE s.n = 1)
            AS once,
          (SELECT count(*) FROM expected e ANTI JOIN seen s USING (point_index, replicate)) AS missing,
          (SELECT count(*) FROM seen WHERE n > 1) AS duplicated,
          (SELECT count(*) FROM seen s ANTI JOIN expected e USING (point_index, replicate, shard_id)) AS unexpected
        """
    )
    expected, once, missing, duplicated, unexpected = rows[0]
    ok = expected == once and missing == duplicated == unexpected == 0
    return CheckResult("(point, replicate) units in shard_metrics", ok, columns, rows)


def check_row_counts(run: _RunData) -> CheckResult:
    columns, rows = run.query(
        """
        WITH trips AS (
               SELECT shard_id, point_index, replicate, count(*) AS n, count_if(status = 'completed') AS completed,
                      count_if(status = 'abandoned') AS abandoned
               FROM trip_data GROUP BY ALL),
             snaps AS (SELECT shard_id, point_index, replicate, count(*) AS n FROM snapshot_counts GROUP BY ALL)
        SELECT
          count(*) AS units,
          sum(m.requests) AS requests,
          coalesce(sum(t.n), 0) AS trip_rows,
          coalesce(sum(s.n), 0) AS snapshot_rows,
          count_if(m.requests <> coalesce(t.n, 0) OR m.trips_completed <> coalesce(t.completed, 0)
                   OR m.trips_abandoned <> coalesce(t.abandoned, 0)) AS trip_mismatches,
          count_if(coalesce(s.n, 0) = 0) AS units_without_snapshots
        FROM shard_metrics m
        LEFT JOIN trips t USING (shard_id, point_index, replicate)
        LEFT JOIN snaps s USING (shard_id, point_index, replicate)
        """
    )
    orphans = run.query(
        "SELECT (SELECT count(*) FROM trip_data ANTI JOIN shard_metrics USING (shard_id, point_index, replicate)) + "
        "(SELECT count(*) FROM snapshot_counts ANTI JOIN shard_metrics USING (shard_id, point_index, replicate))"
    )[1][0][0]
    row = rows[0]
    ok = row[4] == 0 and row[5] == 0 and orphans == 0
    return CheckResult("row counts agree", ok, [*columns, "orphan_rows"], [(*row, orphans)])


def check_not_null(run: _RunData) -> CheckResult:
    rows = []
    for name, schema in SCHEMAS.items():
        required = [f.name for f in schema if not f.nullable]
        counts = ", ".join(f'count_if("{c}" IS NULL)' for c in required)
        nulls = run.db.sql(f"SELECT {counts} FROM {name}").fetchall()[0]
        rows += [(name, c, n) for c, n in zip(required, nulls, strict=True) if n]
    detail = "" if rows else "no nulls in any non-nullable column"
    return CheckResult("no nulls where forbidden", not rows, ["dataset", "column", "nulls"], rows, detail)


CHECKS: tuple[Callable[[_RunData], CheckResult], ...] = (
    check_parquet_only,
    check_schemas,
    check_datasets_per_shard,
    check_grid_coverage,
    check_row_counts,
    check_not_null,
)


def verify_run(source: ResultsSource, run_id: str) -> VerifyReport:
    """Run every check over one run's results."""
    run = _RunData(source, run_id)
    try:
        return VerifyReport(run_id, [check(run) for check in CHECKS])
    except duckdb.Error as error:
        raise SweepError(f"verify: DuckDB failed on run {run_id!r}: {error}") from error
