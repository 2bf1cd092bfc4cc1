"""The query lint: the four query files pass, each construct that would not translate faithfully fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.athena.lint import lint_files, lint_sql
from pipeline.cli import main

WHERE = "FROM shard_outcomes WHERE run_id = ?"


def rules(sql: str) -> list[str]:
    return [violation.rule for violation in lint_sql(sql, "q.sql")]


def test_the_four_query_files_are_clean() -> None:
    assert lint_files() == []


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        (f"SELECT count(*) / count(DISTINCT shard_id) AS r {WHERE}", "integer-division"),
        (f"SELECT attempt / 2 AS half {WHERE}", "integer-division"),
        (f"SELECT approx_percentile(duration_ms, attempt, 0.5) AS p {WHERE}", "approx-percentile"),
        (f"SELECT approx_percentile(duration_ms, 0.5, 0.01) AS p {WHERE}", "approx-percentile"),
        (f"SELECT format('%s-%s', status, attempt) AS f {WHERE}", "format"),
        (f'SELECT "$path" AS p {WHERE}', "hidden-column"),
        (f"SELECT map_agg(status, attempt) AS m {WHERE}", "unknown-function"),
        (f"SELECT every(attempt > 1) AS e {WHERE}", "unknown-function"),
        ("SELECT count(*) AS n FROM shard_outcomes WHERE run_id = 'demo-run-001'", "run-id-parameter"),
        ("SELECT count(*) AS n FROM trip_data", "run-id-parameter"),
        ("SELECT count(*) AS n FROM trip_data WHERE run_id = ? OR shard_id = 1", "run-id-parameter"),
        ("SELEC 1", "parse"),
        ("SELECT 1; SELECT 2", "parse"),
        ("MSCK REPAIR TABLE trip_data", "parse"),
    ],
)
def test_a_construct_that_does_not_translate_faithfully_is_rejected(sql: str, rule: str) -> None:
    assert rule in rules(sql)


@pytest.mark.parametrize(
    "sql",
    [
        f"SELECT CAST(count(*) AS double) / count(DISTINCT shard_id) AS r {WHERE}",
        f"SELECT sum(duration_ms) / 1000.0 AS seconds {WHERE}",
        f"SELECT avg(attempt) / 2 AS half_mean {WHERE}",
        f"SELECT approx_percentile(duration_ms, 0.5) AS p {WHERE}",
        "WITH o AS (SELECT shard_id FROM shard_outcomes WHERE run_id = ?), "
        "m AS (SELECT shard_id FROM shard_metrics AS sm WHERE sm.run_id = ? AND sm.shard_id >= 0) "
        "SELECT o.shard_id FROM o JOIN m ON m.shard_id = o.shard_id",
    ],
)
def test_faithful_constructs_pass(sql: str) -> None:
    assert rules(sql) == []


def test_each_table_read_needs_its_own_run_id_filter() -> None:
    # given a join of two tables where only one is pinned to the run
    sql = "SELECT o.shard_id FROM shard_outcomes o JOIN trip_data t ON t.shard_id = o.shard_id WHERE o.run_id = ?"
    # then the other is reported
    messages = [v.message for v in lint_sql(sql, "q.sql") if v.rule == "run-id-parameter"]
    assert len(messages) == 1 and messages[0].startswith("trip_data")


def test_lint_command_exits_non_zero_naming_file_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "query_bad.sql"
    bad.write_text(f"SELECT attempt / 2 AS half {WHERE}\n")
    assert main(["athena", "lint", str(bad)]) == 1
    assert f"{bad}: [integer-division]" in capsys.readouterr().out
    assert main(["athena", "lint"]) == 0
