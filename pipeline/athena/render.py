"""SQL files rendered into the statements sent to Athena.

The DDL files are ``string.Template`` texts: ``${database}``, ``${outcomes_location}``
and ``${projection_enabled}`` (see ``BootstrapSettings``), ``$$`` for a literal ``$``.
A file with no variable renders to itself."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.athena.exceptions import TemplateInvalid
from pipeline.athena.files import ATHENA_DIR, read_plan
from pipeline.athena.settings import BootstrapSettings


@dataclass(frozen=True)
class Statement:
    """One SQL statement ready to send, and the file it came from (for messages)."""

    source: str
    sql: str


def statement_text(sql: str) -> str:
    """What is sent: comment-only lines dropped (Athena's DDL parser rejects some), no trailing ``;``."""
    lines = [line.rstrip() for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";").rstrip()


def source_name(path: Path) -> str:
    """A SQL file's name relative to ``athena/`` when it lives there."""
    path = path.resolve()
    return str(path.relative_to(ATHENA_DIR)) if path.is_relative_to(ATHENA_DIR) else str(path)


def render(text: str, variables: Mapping[str, str], source: str) -> str:
    """Substitute the template variables; an unknown ``${name}`` or a stray ``$`` is an error."""
    try:
        return statement_text(string.Template(text).substitute(variables))
    except KeyError as missing:
        known = ", ".join(f"${{{name}}}" for name in variables)
        raise TemplateInvalid(
            f"{source}: undefined template variable ${{{missing.args[0]}}} (known: {known})"
        ) from None
    except ValueError as stray:
        raise TemplateInvalid(f"{source}: {stray} (write $$ for a literal $)") from None


def render_file(path: Path, settings: BootstrapSettings) -> Statement:
    source = source_name(path)
    return Statement(source, render(path.read_text(), settings.variables(), source))


def render_plan(plan: Path, settings: BootstrapSettings) -> list[Statement]:
    """Every statement of the plan, rendered, in order; all are rendered before any runs."""
    return [render_file(path, settings) for path in read_plan(plan)]
