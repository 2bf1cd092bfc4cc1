"""Plans and templates: which statements the bootstrap sends, in which order, with which text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.athena.exceptions import PlanInvalid, TemplateInvalid
from pipeline.athena.files import ATHENA_DIR, DEFAULT_PLAN, PROJECTION_PLAN, read_plan
from pipeline.athena.render import render, render_plan, statement_text
from pipeline.athena.settings import BootstrapSettings
from pipeline.cli import main
from sim.datasets.schemas import SCHEMAS

SETTINGS = BootstrapSettings(database="sweeps", bucket="results-bucket")
PROJECTED = replace(SETTINGS, projection=True)
TABLES = ["shard_outcomes", "shard_metrics", "trip_data", "snapshot_counts"]


def test_default_plan_creates_the_database_then_the_tables_then_repairs_each() -> None:
    # when the default plan is read
    files = [str(p.relative_to(ATHENA_DIR)) for p in read_plan(DEFAULT_PLAN)]
    # then the database comes first, each table before any repair, one repair per table
    assert files == [
        "create_table.sql",
        *(f"create_table_{t}.sql" for t in TABLES),
        *(f"repair_table_{t}.sql" for t in TABLES),
    ]
    assert sorted(TABLES) == sorted(SCHEMAS)


def test_projection_plan_creates_the_same_tables_and_needs_no_repair() -> None:
    # when the projection plan is read, then it runs the default plan's table files and no repair
    files = [str(p.relative_to(ATHENA_DIR)) for p in read_plan(PROJECTION_PLAN)]
    assert files == ["create_table.sql", *(f"create_table_{t}.sql" for t in TABLES)]
    assert read_plan(PROJECTION_PLAN) == read_plan(DEFAULT_PLAN)[: len(files)]


def test_rendered_plan_names_the_database_and_bucket_and_nothing_is_left_to_fill() -> None:
    # when every statement of both plans is rendered, each with its settings
    statements = render_plan(DEFAULT_PLAN, SETTINGS) + render_plan(PROJECTION_PLAN, PROJECTED)
    # then each names the database; no template variable, comment or trailing ';' remains
    for statement in statements:
        assert "sweeps" in statement.sql, statement.source
        assert not any(f"${{{name}}}" in statement.sql for name in SETTINGS.variables()), statement.source
        assert "--" not in statement.sql and not statement.sql.endswith(";")
    repairs = [s.sql for s in statements if s.source.startswith("repair_table_")]
    assert repairs == [f"MSCK REPAIR TABLE sweeps.{t}" for t in TABLES]
    # and the tables keep Athena's own ${run_id} placeholder for Athena to fill
    tables = [s.sql for s in statements if s.source.startswith("create_table_")]
    assert len(tables) == 2 * len(TABLES)
    assert all("run_id=${run_id}/shard_id=${shard_id}/" in sql for sql in tables)


def test_plan_lines_are_relative_to_the_plan_with_comments_and_blank_lines_ignored(tmp_path: Path) -> None:
    # given a plan with a comment, a blank line and two files in a subfolder
    (tmp_path / "sql").mkdir()
    for name in ("b.sql", "a.sql"):
        (tmp_path / "sql" / name).write_text("SELECT 1")
    plan = tmp_path / "my.plan"
    plan.write_text("# order matters\n\nsql/b.sql   # first\nsql/a.sql\n")
    # then the files come back in the plan's order
    assert read_plan(plan) == [tmp_path / "sql" / "b.sql", tmp_path / "sql" / "a.sql"]


def test_a_plan_naming_a_missing_file_is_refused_with_its_line(tmp_path: Path) -> None:
    plan = tmp_path / "my.plan"
    plan.write_text("create_table.sql\nnot_there.sql\n")
    (tmp_path / "create_table.sql").write_text("CREATE DATABASE x")
    with pytest.raises(PlanInvalid, match=r"line 2: no SQL file 'not_there.sql'"):
        read_plan(plan)


def test_an_empty_plan_is_refused(tmp_path: Path) -> None:
    plan = tmp_path / "my.plan"
    plan.write_text("# nothing yet\n")
    with pytest.raises(PlanInvalid, match="lists no SQL file"):
        read_plan(plan)


def test_unknown_template_variable_and_stray_dollar_are_refused_naming_the_file() -> None:
    with pytest.raises(TemplateInvalid, match=r"x.sql: undefined template variable \$\{bucket\}"):
        render("LOCATION '${bucket}'", SETTINGS.variables(), "x.sql")
    with pytest.raises(TemplateInvalid, match=r"y.sql: .*write \$\$ for a literal \$"):
        render("SELECT '$ 5'", SETTINGS.variables(), "y.sql")


def test_statement_text_drops_comment_lines_and_the_trailing_semicolon() -> None:
    assert statement_text("-- about\nSELECT 1\n  -- more\nFROM t;\n") == "SELECT 1\nFROM t"


def test_dry_run_prints_every_rendered_statement_in_plan_order(capsys: pytest.CaptureFixture[str]) -> None:
    # when apply runs dry with a bucket URI that carries a prefix
    code = main(["athena", "apply", "--dry-run", "--results-bucket", "s3://results-bucket/team", "--database", "db1"])
    out = capsys.readouterr().out
    # then nothing is sent, and the nine statements print in order with the rendered locations
    assert code == 0
    headers = [line for line in out.splitlines() if line.startswith("-- [")]
    assert [h.split("] ", 1)[1] for h in headers] == [str(p.relative_to(ATHENA_DIR)) for p in read_plan(DEFAULT_PLAN)]
    assert "CREATE DATABASE IF NOT EXISTS db1" in out
    assert "LOCATION 's3://results-bucket/team/outcomes/dataset=trip_data/'" in out


@pytest.mark.parametrize(("option", "enabled"), [("--projection", "true"), ("--no-projection", "false")])
def test_render_sets_projection_enabled_from_the_projection_option(
    option: str, enabled: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # when the plan is rendered with or without --projection
    assert main(["athena", "render", option, "--results-bucket", "results-bucket"]) == 0
    out = capsys.readouterr().out
    # then all four tables carry the projection properties, enabled only with --projection,
    # and only the MSCK plan (projection disabled) repairs
    assert out.count(f"'projection.enabled' = '{enabled}'") == len(TABLES)
    assert out.count("'projection.run_id.type' = 'injected'") == len(TABLES)
    assert ("MSCK" in out) is (enabled == "false")


def test_bad_settings_fail_the_command_naming_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["athena", "apply", "--dry-run", "--results-bucket", "Bad_Bucket"]) == 1
    assert "--results-bucket" in capsys.readouterr().err
