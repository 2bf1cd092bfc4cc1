"""``athena apply`` (and ``athena query``) against the emulator's Athena API.

The emulator runs statements on DuckDB. Of the bootstrap, it executes the CREATE EXTERNAL
TABLE statements for real (into its Glue catalogue, TBLPROPERTIES included) but not
``CREATE DATABASE`` nor ``MSCK REPAIR TABLE`` (DuckDB parser errors), and it ignores
execution parameters. Each test says in its name how it handles that: the full plan is run
and must stop at CREATE DATABASE; the table plans run with the database created through
Glue and the repairs left out (the emulator reads partitions from the key=value paths at
query time); a repair run on its own must fail and stop the plan."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline.athena.ddl import table_definitions
from pipeline.athena.execution import AthenaRunner, Target, athena_client
from pipeline.athena.files import ATHENA_DIR, DEFAULT_PLAN, PROJECTION_PLAN, read_plan
from pipeline.athena.local import run_queries
from pipeline.athena.render import Statement
from pipeline.athena.settings import BootstrapSettings
from pipeline.cli import main
from pipeline.emulator import Emulator
from pipeline.local import LocalRun
from pipeline.results import ResultsSource
from sim.datasets import layout
from sim.datasets.schemas import SCHEMAS

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
RESULTS_BUCKET = "athena-e2e-results"
RESULTS_PREFIX = "team/sweeps"  # not the default, so the prefix must flow through to the tables
QUERY_RESULTS = "s3://athena-e2e-query-results/athena/"
RUN_ID = "demo-run-001"


def client(emulator: Emulator, service: str) -> Any:
    return boto3.client(service, endpoint_url=emulator.endpoint_url, region_name=REGION)


@pytest.fixture(scope="module")
def results_bucket(emulator: Emulator, runbook_local: tuple[Path, LocalRun]) -> str:
    """The local runbook sweep's files uploaded under RESULTS_PREFIX in the emulator's S3."""
    root, _ = runbook_local
    s3 = client(emulator, "s3")
    for bucket in (RESULTS_BUCKET, QUERY_RESULTS.split("/")[2]):
        s3.create_bucket(Bucket=bucket)
    outcomes = root / layout.outcomes_prefix()
    for path in sorted(p for p in outcomes.rglob("*") if p.is_file()):
        key = f"{layout.outcomes_prefix(RESULTS_PREFIX)}/{path.relative_to(outcomes)}"
        s3.upload_file(str(path), RESULTS_BUCKET, key)
    return RESULTS_BUCKET


@pytest.fixture
def database() -> str:
    """A database name of this test's own, so tests never see each other's tables."""
    return f"sweep_{uuid.uuid4().hex[:8]}"


def glue_database(emulator: Emulator, name: str) -> None:
    """What create_table.sql does on Athena, done through Glue (the emulator's DuckDB cannot parse it)."""
    client(emulator, "glue").create_database(DatabaseInput={"Name": name})


def glue_tables(emulator: Emulator, database: str) -> dict[str, dict[str, Any]]:
    glue = client(emulator, "glue")
    try:
        return {t["Name"]: t for t in glue.get_tables(DatabaseName=database)["TableList"]}
    except glue.exceptions.EntityNotFoundException:
        return {}


def write_plan(tmp_path: Path, files: list[Path]) -> Path:
    plan = tmp_path / "emulator.plan"
    plan.write_text("".join(f"{path}\n" for path in files))
    return plan


def apply(emulator: Emulator, *options: str) -> int:
    target = ["--query-results-s3", QUERY_RESULTS, "--endpoint-url", emulator.endpoint_url, "--region", REGION]
    return main(["athena", "apply", *target, *options])


def test_full_plan_stops_at_create_database_which_the_emulators_duckdb_cannot_run(
    emulator: Emulator, results_bucket: str, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # when the unmodified bootstrap plan is applied on the emulator
    code = apply(emulator, "--results-bucket", results_bucket, "--database", database)
    out, err = capsys.readouterr()
    # then it fails on the first statement, naming the file and the engine's reason, with a non-zero exit
    assert code == 1
    assert "error: create_table.sql: FAILED: Parser Error" in err and "DATABASE" in err
    # and nothing after it ran
    assert "[1/9] create_table.sql ..." in out and "[2/9]" not in out
    assert glue_tables(emulator, database) == {}


def test_tables_are_created_in_plan_order_with_database_made_through_glue_and_repairs_left_to_athena(
    emulator: Emulator, results_bucket: str, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given the database made through Glue and the plan's table steps only (no create_table.sql, no repairs)
    glue_database(emulator, database)
    steps = [p for p in read_plan(DEFAULT_PLAN) if p.name.startswith("create_table_")]
    # when applied with the bucket given as an s3:// URI that carries the prefix
    code = apply(
        emulator,
        "--results-bucket",
        f"s3://{results_bucket}/{RESULTS_PREFIX}/",
        "--database",
        database,
        "--plan",
        str(write_plan(tmp_path, steps)),
    )
    out = capsys.readouterr().out
    # then each statement ran after the previous one succeeded, in the plan's order
    assert code == 0
    succeeded = [line.split("] ", 1)[1].split(":", 1)[0] for line in out.splitlines() if "SUCCEEDED" in line]
    assert succeeded == [str(p.relative_to(ATHENA_DIR)) for p in steps]
    # and Glue holds the four tables as the DDL declares them, at the prefix taken from the URI
    settings = BootstrapSettings(database, results_bucket, RESULTS_PREFIX)
    tables = glue_tables(emulator, database)
    assert sorted(tables) == sorted(SCHEMAS)
    for name, definition in table_definitions(settings).items():
        storage = tables[name]["StorageDescriptor"]
        assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == list(definition.columns)
        assert [(k["Name"], k["Type"]) for k in tables[name]["PartitionKeys"]] == [
            ("run_id", "string"),
            ("shard_id", "int"),
        ]
        assert storage["Location"].rstrip("/") == f"{settings.outcomes_location}/dataset={name}"
    # and the tables read the run's files through the emulator's Athena, partitions from the paths
    runner = AthenaRunner(
        athena_client(emulator.endpoint_url, REGION),
        Target(workgroup="primary", database=database, output_location=QUERY_RESULTS),
    )
    count = Statement(
        "attempts per shard",
        "SELECT run_id, shard_id, count(*) AS attempts FROM shard_outcomes GROUP BY 1, 2 ORDER BY 2",
    )
    result = runner.results(runner.run(count))
    assert result.columns == ["run_id", "shard_id", "attempts"]
    assert result.rows == [[RUN_ID, "0", "1"], [RUN_ID, "1", "3"], [RUN_ID, "2", "1"], [RUN_ID, "3", "1"]]


def test_a_failing_repair_stops_the_plan_and_names_its_file_msck_being_unsupported_by_the_emulator(
    emulator: Emulator, results_bucket: str, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a plan whose second step is an MSCK REPAIR (which the emulator's DuckDB rejects)
    glue_database(emulator, database)
    plan = write_plan(
        tmp_path,
        [
            ATHENA_DIR / name
            for name in (
                "create_table_shard_metrics.sql",
                "repair_table_shard_metrics.sql",
                "create_table_trip_data.sql",
            )
        ],
    )
    # when applied
    code = apply(emulator, "--results-bucket", results_bucket, "--database", database, "--plan", str(plan))
    out, err = capsys.readouterr()
    # then the exit is non-zero, the message names the file and the engine's reason
    assert code == 1
    assert "error: repair_table_shard_metrics.sql: FAILED: Parser Error" in err and "MSCK" in err
    # and the step before it ran, the step after it did not
    assert "[1/3] create_table_shard_metrics.sql: SUCCEEDED" in out and "[3/3]" not in out
    assert sorted(glue_tables(emulator, database)) == ["shard_metrics"]


@pytest.mark.parametrize(("option", "enabled"), [("--projection", "true"), ("--no-projection", "false")])
def test_tables_carry_their_projection_enabled_only_by_the_flag_with_database_made_through_glue(
    emulator: Emulator,
    results_bucket: str,
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    enabled: str,
) -> None:
    # given the projection plan's table steps, and the bucket as a plain name with the runbook's prefix form
    glue_database(emulator, database)
    steps = [p for p in read_plan(PROJECTION_PLAN) if p.name.startswith("create_table_")]
    # when applied with or without --projection
    code = apply(
        emulator,
        option,
        "--results-bucket",
        results_bucket,
        "--results-prefix",
        f"{RESULTS_PREFIX}/outcomes",
        "--database",
        database,
        "--plan",
        str(write_plan(tmp_path, steps)),
    )
    capsys.readouterr()
    # then each table's parameters carry the projection, its template at the run/shard folders,
    # enabled only with --projection (without it Athena ignores projection.* and MSCK REPAIR registers partitions)
    assert code == 0
    tables = glue_tables(emulator, database)
    location = f"s3://{results_bucket}/{layout.outcomes_prefix(RESULTS_PREFIX)}"
    for name in SCHEMAS:
        parameters = tables[name]["Parameters"]
        assert parameters["projection.enabled"] == enabled
        assert parameters["projection.run_id.type"] == "injected"
        assert parameters["projection.shard_id.range"] == "0,999"
        template = f"{location}/dataset={name}/run_id=${{run_id}}/shard_id=${{shard_id}}/"
        assert parameters["storage.location.template"] == template


def test_query_command_reports_the_emulators_failure_as_it_ignores_execution_parameters(
    emulator: Emulator, results_bucket: str, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given the shard_outcomes table on the emulator
    glue_database(emulator, database)
    plan = write_plan(tmp_path, [ATHENA_DIR / "create_table_shard_outcomes.sql"])
    assert (
        apply(
            emulator,
            "--results-bucket",
            f"s3://{results_bucket}/{RESULTS_PREFIX}",
            "--database",
            database,
            "--plan",
            str(plan),
        )
        == 0
    )
    capsys.readouterr()
    # when a query is run with the run_id as an execution parameter (which the emulator drops)
    target = ["--query-results-s3", QUERY_RESULTS, "--endpoint-url", emulator.endpoint_url, "--region", REGION]
    code = main(["athena", "query", "failure_diagnostics", "--run-id", RUN_ID, "--database", database, *target])
    # then the failure is reported with the query file and the engine's reason, not swallowed
    assert code == 1
    err = capsys.readouterr().err
    assert "error: query_failure_diagnostics.sql: FAILED:" in err and "parameters" in err


def test_local_queries_read_the_run_from_the_emulators_s3_as_from_the_directory(
    emulator: Emulator, results_bucket: str, runbook_local: tuple[Path, LocalRun]
) -> None:
    # given the same run in a directory and, uploaded under another prefix, in the emulator's S3
    bucket = ResultsSource(f"s3://{results_bucket}", endpoint_url=emulator.endpoint_url, prefix=RESULTS_PREFIX)
    # when the four queries run locally over each
    from_s3 = run_queries(bucket, RUN_ID)
    from_directory = run_queries(runbook_local[0], RUN_ID)
    # then they answer the same (float sums to rounding: DuckDB adds in thread order)
    for name, table in from_directory.items():
        assert table.num_rows > 0 and from_s3[name].schema == table.schema, name
        for s3_row, directory_row in zip(from_s3[name].to_pylist(), table.to_pylist(), strict=True):
            floats = {k for k, v in directory_row.items() if isinstance(v, float)}
            assert {k: s3_row[k] for k in floats} == pytest.approx({k: directory_row[k] for k in floats}), name
            assert {k: v for k, v in s3_row.items() if k not in floats} == {
                k: v for k, v in directory_row.items() if k not in floats
            }, name
