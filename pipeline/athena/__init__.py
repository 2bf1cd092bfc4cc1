"""Athena: render and apply the bootstrap SQL, run the five queries on Athena or locally, lint them."""

from pipeline.athena.apply import apply_statements, run_athena_query
from pipeline.athena.ddl import TableDefinition, table_definitions
from pipeline.athena.exceptions import PlanInvalid, SettingInvalid, StatementFailed, TemplateInvalid, UnknownQuery
from pipeline.athena.execution import AthenaRunner, Target, athena_client
from pipeline.athena.files import QUERY_NAMES
from pipeline.athena.lint import Violation, lint_files, lint_sql
from pipeline.athena.local import run_queries, transpile
from pipeline.athena.render import Statement, render_plan
from pipeline.athena.settings import BootstrapSettings

__all__ = [
    "QUERY_NAMES",
    "AthenaRunner",
    "BootstrapSettings",
    "PlanInvalid",
    "SettingInvalid",
    "Statement",
    "StatementFailed",
    "TableDefinition",
    "Target",
    "TemplateInvalid",
    "UnknownQuery",
    "Violation",
    "apply_statements",
    "athena_client",
    "lint_files",
    "lint_sql",
    "render_plan",
    "run_athena_query",
    "run_queries",
    "table_definitions",
    "transpile",
]
