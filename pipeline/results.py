"""Where a run's results are read from: a local directory or an S3 bucket.

Both hold the same keys (DESIGN.md's S3 layout), so every reader (verify,
status, report, the local Athena checks) takes a ``ResultsSource`` and works
the same against a local sweep, the emulator or AWS."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from sim.datasets import layout
from sim.datasets.schemas import SCHEMAS
from sim.store import DirectoryStore, ObjectStore

PARTITION_SCHEMA = pa.schema([("run_id", pa.string()), ("shard_id", pa.int32())])
PARTITIONING = ds.partitioning(PARTITION_SCHEMA, flavor="hive")


@dataclass(frozen=True)
class ResultsSource:
    """A bucket (``s3://bucket``) or a directory that holds the results layout."""

    location: str
    endpoint_url: str | None = None
    prefix: str = layout.DEFAULT_PREFIX

    @property
    def is_s3(self) -> bool:
        return self.location.startswith("s3://")

    @property
    def _base(self) -> str:
        return self.location.removeprefix("s3://").rstrip("/") if self.is_s3 else str(Path(self.location))

    def filesystem(self) -> pafs.FileSystem:
        if not self.is_s3:
            return pafs.LocalFileSystem()
        if self.endpoint_url is None:
            return pafs.S3FileSystem()
        scheme, _, host = self.endpoint_url.partition("://")
        return pafs.S3FileSystem(endpoint_override=host, scheme=scheme, allow_bucket_creation=False)

    def store(self) -> ObjectStore:
        if not self.is_s3:
            return DirectoryStore(self.location)
        from aws_adapters.s3_store import S3Store  # the AWS adapter only when reading S3

        return S3Store.for_endpoint(self._base, endpoint_url=self.endpoint_url)

    def dataset_path(self, dataset: str) -> str:
        return f"{self._base}/{layout.outcomes_prefix(self.prefix)}/dataset={dataset}"

    def dataset(self, name: str) -> ds.Dataset:
        """One dataset across runs, with run_id and shard_id from the Hive path."""
        schema = pa.schema([*SCHEMAS[name], *PARTITION_SCHEMA])
        fs = self.filesystem()
        path = self.dataset_path(name)
        if fs.get_file_info(path).type == pafs.FileType.NotFound:
            return ds.dataset(pa.Table.from_pylist([], schema=schema))
        return ds.dataset(path, filesystem=fs, format="parquet", partitioning=PARTITIONING, schema=schema)

    def read(self, name: str, run_id: str) -> pa.Table:
        """One run's rows of a dataset."""
        return self.dataset(name).to_table(filter=ds.field("run_id") == run_id)

    def run_keys(self, run_id: str) -> list[str]:
        """Every object key under the run's partitions of the four datasets."""
        store = self.store()
        return [key for name in SCHEMAS for key in store.list(layout.dataset_prefix(name, run_id, self.prefix))]
