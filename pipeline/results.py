"""Where a run's results are read from: a local directory or an S3 bucket.

Both hold the same keys (DESIGN.md's S3 layout), so every reader (verify,
status, report, the local Athena checks) takes a ``ResultsSource`` and works
the same against a local sweep, the emulator or AWS."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from sim.datasets import layout
from sim.datasets.schemas import SCHEMAS
from sim.exceptions import SweepError
from sim.store import DirectoryStore, ObjectStore


class RunNotFound(SweepError):
    """The source holds no manifest for this run_id."""


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
        """A local filesystem, or S3 with the credentials boto3 resolves (never the metadata service
        when an endpoint is given: see ``aws_adapters.clients.session_for``)."""
        if not self.is_s3:
            return pafs.LocalFileSystem()
        from aws_adapters.clients import resolve_endpoint_url, session_for

        endpoint_url = resolve_endpoint_url(self.endpoint_url)
        session = session_for(endpoint_url)
        options: dict[str, Any] = {"region": session.region_name} if session.region_name else {}
        if credentials := session.get_credentials():
            frozen = credentials.get_frozen_credentials()
            options |= {"access_key": frozen.access_key, "secret_key": frozen.secret_key}
            options |= {"session_token": frozen.token} if frozen.token else {}
        if endpoint_url is not None:
            scheme, _, host = endpoint_url.partition("://")
            options |= {"endpoint_override": host, "scheme": scheme}
        return pafs.S3FileSystem(allow_bucket_creation=False, **options)

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
