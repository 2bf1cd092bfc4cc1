"""The bootstrap plan applied in order, and the five queries run on Athena."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlglot
from sqlglot import exp

from pipeline.athena.execution import AthenaRunner, Execution, ResultRows
from pipeline.athena.files import query_path
from pipeline.athena.render import Statement, source_name, statement_text
from pipeline.athena.settings import validate_run_id


def apply_statements(
    statements: Sequence[Statement], runner: AthenaRunner, report: Callable[[str], None] = print
) -> list[Execution]:
    """Run each statement after the previous one succeeded; the first failure raises StatementFailed."""
    done = []
    for number, statement in enumerate(statements, start=1):
        report(f"[{number}/{len(statements)}] {statement.source} ...")
        execution = runner.run(statement)
        elapsed = f", {execution.elapsed_ms} ms" if execution.elapsed_ms is not None else ""
        report(f"[{number}/{len(statements)}] {statement.source}: SUCCEEDED ({execution.execution_id}{elapsed})")
        done.append(execution)
    return done


def query_statement(name: str) -> Statement:
    """One of the four query files as it is sent."""
    path = query_path(name)
    return Statement(source_name(path), statement_text(path.read_text()))


def run_id_parameters(sql: str, run_id: str) -> list[str]:
    """Athena's execution parameters: the quoted run_id once per ``?`` (the run_id is validated first)."""
    quoted = f"'{validate_run_id(run_id)}'"
    return [quoted] * len(list(sqlglot.parse_one(sql, read="athena").find_all(exp.Placeholder)))


def run_athena_query(runner: AthenaRunner, name: str, run_id: str) -> ResultRows:
    """Run one of the five queries for a run on Athena and return its rows."""
    statement = query_statement(name)
    execution = runner.run(statement, run_id_parameters(statement.sql, run_id))
    return runner.results(execution)
