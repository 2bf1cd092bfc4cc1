"""The four tables as their DDL declares them, read with sqlglot.

The DDL files are the one declaration of what Athena sees: the schema test
compares them with ``sim``'s Arrow schemas, and the local checks give the same
column types to sqlglot's optimizer, so integer arithmetic keeps Athena's types."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp
from sqlglot.schema import MappingSchema

from pipeline.athena.exceptions import TemplateInvalid
from pipeline.athena.files import table_ddl_path
from pipeline.athena.render import render_file
from pipeline.athena.settings import BootstrapSettings
from sim.datasets.schemas import SCHEMAS

# Rendering needs some values; table shapes do not depend on them.
_SHAPE_SETTINGS = BootstrapSettings(database="shape_only", bucket="shape-only")


@dataclass(frozen=True)
class TableDefinition:
    """One CREATE EXTERNAL TABLE: columns and partition keys as (name, Hive type) pairs, in order."""

    name: str
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...]
    location: str
    file_format: str
    properties: dict[str, str]

    def optimizer_columns(self) -> dict[str, str]:
        """Every column a query can read (partition keys included), typed in Athena's dialect."""
        pairs = (*self.columns, *self.partition_keys)
        return {name: exp.DataType.build(kind, dialect="hive").sql("athena") for name, kind in pairs}


def _column_pairs(schema: exp.Schema) -> tuple[tuple[str, str], ...]:
    return tuple((c.name, c.args["kind"].sql("hive").lower()) for c in schema.expressions)


def parse_table(sql: str, source: str) -> TableDefinition:
    """Read one rendered CREATE EXTERNAL TABLE statement."""
    statement = sqlglot.parse_one(sql, read="athena")
    if not isinstance(statement, exp.Create) or statement.kind != "TABLE":
        raise TemplateInvalid(f"{source}: not a CREATE TABLE statement")
    props = statement.args["properties"]
    partitioned = props.find(exp.PartitionedByProperty)
    location = props.find(exp.LocationProperty)
    file_format = props.find(exp.FileFormatProperty)
    return TableDefinition(
        name=statement.this.this.name,
        columns=_column_pairs(statement.this),
        partition_keys=_column_pairs(partitioned.this) if partitioned else (),
        location=location.this.name if location else "",
        file_format=file_format.this.name.lower() if file_format else "",
        properties={p.name: p.args["value"].name for p in props.expressions if type(p) is exp.Property},
    )


def table_definitions(settings: BootstrapSettings = _SHAPE_SETTINGS) -> dict[str, TableDefinition]:
    """The four tables' DDL, rendered with ``settings`` and read, by dataset name."""
    definitions = {}
    for name in SCHEMAS:
        statement = render_file(table_ddl_path(name), settings)
        definitions[name] = parse_table(statement.sql, statement.source)
    return definitions


@cache
def optimizer_schema() -> MappingSchema:
    """The tables as sqlglot's optimizer wants them (read once per process; sqlglot only reads it)."""
    return MappingSchema(
        {name: table.optimizer_columns() for name, table in table_definitions().items()}, dialect="athena"
    )
