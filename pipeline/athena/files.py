"""Where the Athena SQL lives and how the bootstrap plan names it.

The SQL is plain files under ``athena/`` (the repository's top level) so that
operators can read and edit it; a plan file lists the files to run, in order."""

from __future__ import annotations

from pathlib import Path

from pipeline.athena.exceptions import PlanInvalid, UnknownQuery

# The repository's athena/ (a symlink here, so that an installed package carries the SQL too).
ATHENA_DIR = Path(__file__).with_name("sql").resolve()
DEFAULT_PLAN = ATHENA_DIR / "athena_bootstrap.plan"
PROJECTION_PLAN = ATHENA_DIR / "athena_bootstrap_projection.plan"

QUERY_NAMES = ("run_level_profile", "shard_coverage", "failure_diagnostics", "trip_snapshot_join", "point_summary")
"""The five queries, each in ``athena/query_<name>.sql``, each taking the run_id as its parameters."""


def plan_path(projection: bool) -> Path:
    return PROJECTION_PLAN if projection else DEFAULT_PLAN


def read_plan(plan: Path) -> list[Path]:
    """The SQL files a plan lists, in order: one per line, relative to the plan, ``#`` comments."""
    try:
        lines = plan.read_text().splitlines()
    except OSError as error:
        raise PlanInvalid(f"plan {plan}: cannot read it: {error.strerror}") from error
    files = []
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        path = plan.parent / entry
        if not path.is_file():
            raise PlanInvalid(f"plan {plan}, line {number}: no SQL file {entry!r} (looked in {path.parent})")
        files.append(path)
    if not files:
        raise PlanInvalid(f"plan {plan}: lists no SQL file")
    return files


def query_path(name: str) -> Path:
    """The file of one of the five queries; ``run_level_profile``, ``query_run_level_profile`` and
    ``query_run_level_profile.sql`` all name the same one."""
    short = name.removesuffix(".sql").removeprefix("query_")
    if short not in QUERY_NAMES:
        raise UnknownQuery(f"query: {name!r} is not one of {', '.join(QUERY_NAMES)}")
    return ATHENA_DIR / f"query_{short}.sql"


def table_ddl_path(table: str) -> Path:
    """The CREATE EXTERNAL TABLE file of one of the four tables (both plans run the same one)."""
    return ATHENA_DIR / f"create_table_{table}.sql"
