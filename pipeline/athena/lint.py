"""Rejects query constructs that the local check (sqlglot -> DuckDB) would not translate faithfully,
and queries that would not work on partition-projected tables.

Each rule is a function from the parsed query to violations; the rules are:
integer division (both operands integral once typed with the tables' DDL
types: Athena truncates, a transpiled query may not), approx_percentile with a
weight or accuracy (sqlglot drops or misplaces it), ``format`` (mistranslated),
hidden columns such as ``"$path"`` (no DuckDB equivalent), functions sqlglot
does not know (passed to DuckDB verbatim: ``map_agg``, ``every``, ...), and a
read of one of the four tables without ``run_id = ?`` in that SELECT's WHERE
(the run_id must be an execution parameter, and injected partition projection
needs it in every WHERE)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from pipeline.athena.ddl import optimizer_schema
from pipeline.athena.files import QUERY_NAMES, query_path
from pipeline.athena.render import source_name
from sim.datasets.schemas import SCHEMAS


@dataclass(frozen=True)
class Violation:
    """One rejected construct in one file."""

    source: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: [{self.rule}] {self.message}"


Finding = tuple[str, str]  # (rule, message)


def _snippet(node: exp.Expr) -> str:
    text = node.sql("athena")
    return text if len(text) <= 80 else f"{text[:77]}..."


def _unknown_functions(query: exp.Expr) -> Iterator[Finding]:
    for node in query.find_all(exp.Anonymous):
        yield "unknown-function", f"{node.name}(): sqlglot does not know it and passes it to DuckDB as is"


def _format(query: exp.Expr) -> Iterator[Finding]:
    for node in query.find_all(exp.Format):
        yield "format", f"{_snippet(node)}: format() is mistranslated for DuckDB; use concat or CAST"


def _weighted_percentile(query: exp.Expr) -> Iterator[Finding]:
    for node in query.find_all(exp.ApproxQuantile):
        if node.args.get("weight") is not None or node.args.get("accuracy") is not None:
            yield (
                "approx-percentile",
                (
                    f"{_snippet(node)}: a weight or accuracy argument is dropped or misread for DuckDB; "
                    "use approx_percentile(x, p)"
                ),
            )


def _hidden_columns(query: exp.Expr) -> Iterator[Finding]:
    for node in query.find_all(exp.Column):
        if node.name.startswith("$"):
            yield "hidden-column", f'"{node.name}": Athena\'s hidden columns have no DuckDB equivalent'


def _run_id_filters(select: exp.Select) -> set[str]:
    """The table qualifiers (``""`` when unqualified) that this SELECT's WHERE pins run_id to a parameter."""
    where = select.args.get("where")
    if where is None:
        return set()
    condition = where.this
    conjuncts = condition.flatten() if isinstance(condition, exp.And) else [condition]
    pinned = set()
    for conjunct in conjuncts:
        if not isinstance(conjunct, exp.EQ):
            continue
        sides = (conjunct.this, conjunct.expression)
        column = next((s for s in sides if isinstance(s, exp.Column) and s.name == "run_id"), None)
        if column is not None and any(isinstance(s, exp.Placeholder) for s in sides):
            pinned.add(column.table)
    return pinned


def _run_id_parameter(query: exp.Expr) -> Iterator[Finding]:
    if query.find(exp.Placeholder) is None:
        yield "run-id-parameter", "no ? placeholder: the run_id must be an execution parameter"
    ctes = {cte.alias for cte in query.find_all(exp.CTE)}
    for table in query.find_all(exp.Table):
        if table.name not in SCHEMAS or table.name in ctes or table.db:
            continue
        select = table.parent_select
        pinned = _run_id_filters(select) if isinstance(select, exp.Select) else set()
        if not pinned & {"", table.alias_or_name}:
            yield (
                "run-id-parameter",
                (
                    f"{table.name} is read without 'run_id = ?' in the same SELECT's WHERE "
                    "(injected partition projection needs it there)"
                ),
            )


def _integer_division(query: exp.Expr) -> Iterator[Finding]:
    try:
        typed = annotate_types(
            qualify(query.copy(), schema=optimizer_schema(), dialect="athena"),
            schema=optimizer_schema(),
            dialect="athena",
        )
    except OptimizeError as error:
        yield "unresolved", f"cannot type the query against the tables' DDL: {error}"
        return
    integral = {*exp.DataType.INTEGER_TYPES, exp.DataType.Type.UNKNOWN}
    for node in typed.find_all(exp.Div):
        operand_types = [side.type.this if side.type else exp.DataType.Type.UNKNOWN for side in (node.left, node.right)]
        if all(t in integral for t in operand_types):
            yield (
                "integer-division",
                (
                    f"{_snippet(node)}: both operands are integers (or untyped); Athena truncates. "
                    "CAST one operand to double (for an intended integer division, floor() the double quotient)"
                ),
            )


RULES: tuple[Callable[[exp.Expr], Iterable[Finding]], ...] = (
    _unknown_functions,
    _format,
    _weighted_percentile,
    _hidden_columns,
    _run_id_parameter,
    _integer_division,
)


def lint_sql(sql: str, source: str) -> list[Violation]:
    """Every rule's findings for one query text."""
    try:
        statements = sqlglot.parse(sql, read="athena")
    except ParseError as error:
        return [Violation(source, "parse", str(error).splitlines()[0])]
    queries = [s for s in statements if s is not None]
    if len(queries) != 1 or not isinstance(queries[0], exp.Query):
        return [Violation(source, "parse", "a query file holds exactly one SELECT (or WITH ... SELECT)")]
    findings = [finding for check in RULES for finding in check(queries[0])]
    # dict.fromkeys: one report per finding (GROUP BY 1 repeats a select expression, for one)
    return [Violation(source, rule, message) for rule, message in dict.fromkeys(findings)]


def lint_files(paths: Iterable[Path] | None = None) -> list[Violation]:
    """Lint the given query files, by default the five queries."""
    files = list(paths) if paths is not None else [query_path(name) for name in QUERY_NAMES]
    return [violation for path in files for violation in lint_sql(path.read_text(), source_name(path))]
