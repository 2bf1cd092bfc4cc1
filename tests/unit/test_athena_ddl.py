"""The Athena DDL against sim's Arrow schemas: the DDL is parsed with sqlglot, the expected
columns come from sim.datasets.schemas, so neither side is a second hand-written list."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pytest

from pipeline.athena.ddl import table_definitions
from pipeline.athena.settings import BootstrapSettings
from sim.datasets import layout
from sim.datasets.schemas import SCHEMAS
from sim.params import request_schema

# How each Arrow type of the datasets reads in Athena (Hive DDL names).
ATHENA_TYPE = {
    pa.int32(): "int",
    pa.int64(): "bigint",
    pa.float64(): "double",
    pa.string(): "string",
    pa.bool_(): "boolean",
    pa.timestamp("ms", tz="UTC"): "timestamp",
}

SETTINGS = BootstrapSettings(database="sweeps", bucket="results-bucket", prefix="team/sweeps")
VARIANTS = pytest.mark.parametrize("projection", [False, True], ids=["msck", "projection"])


def settings(projection: bool) -> BootstrapSettings:
    return replace(SETTINGS, projection=projection)


@VARIANTS
@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_ddl_columns_and_types_equal_the_arrow_schema(table: str, projection: bool) -> None:
    # given the dataset's Arrow schema
    expected = [(field.name, ATHENA_TYPE[field.type]) for field in SCHEMAS[table]]
    # when the table's DDL is parsed
    definition = table_definitions(settings(projection))[table]
    # then it declares the same columns, in the same order, with the matching types
    assert list(definition.columns) == expected


@VARIANTS
@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_tables_are_parquet_partitioned_by_run_and_shard_under_the_layout(table: str, projection: bool) -> None:
    # when the table's DDL is rendered for a bucket and prefix
    definition = table_definitions(settings(projection))[table]
    # then it reads Parquet partitioned by (run_id string, shard_id int) at the layout's dataset folder
    assert definition.name == table
    assert definition.partition_keys == (("run_id", "string"), ("shard_id", "int"))
    assert definition.file_format == "parquet"
    run_folder = layout.dataset_prefix(table, "RUN", SETTINGS.prefix)
    assert definition.location == f"s3://{SETTINGS.bucket}/{run_folder.removesuffix('run_id=RUN/')}"


@VARIANTS
@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_projection_injects_run_id_and_ranges_shard_id_over_every_possible_shard_enabled_by_the_flag(
    table: str, projection: bool
) -> None:
    # given the largest shard_count a request may ask for
    max_shards = request_schema()["properties"]["shard_count"]["maximum"]
    # when the table is rendered with or without --projection
    properties = table_definitions(settings(projection))[table].properties
    # then projection is enabled only with the flag (else Athena ignores projection.* and MSCK REPAIR
    # registers the partitions); the projection: run_id injected, shard_id 0 .. max-1, keys as the layout writes them
    assert properties["projection.enabled"] == ("true" if projection else "false")
    assert properties["projection.run_id.type"] == "injected"
    assert properties["projection.shard_id.type"] == "integer"
    assert properties["projection.shard_id.range"] == f"0,{max_shards - 1}"
    template = properties["storage.location.template"]
    shard_folder = layout.shard_prefix(table, "${run_id}", "${shard_id}", SETTINGS.prefix)  # type: ignore[arg-type]
    assert template == f"s3://{SETTINGS.bucket}/{shard_folder}"
