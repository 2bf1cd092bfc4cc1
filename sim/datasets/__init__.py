"""The four datasets: schemas, S3 layout, Parquet encoding and table assembly."""

from sim.datasets.layout import DEFAULT_PREFIX
from sim.datasets.parquet import decode, encode
from sim.datasets.schemas import DATA_DATASETS, SCHEMAS

__all__ = ["DATA_DATASETS", "DEFAULT_PREFIX", "SCHEMAS", "decode", "encode"]
