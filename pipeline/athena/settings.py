"""The values pasted into the bootstrap SQL or sent with a query, each validated first.

Validation is what makes string templating safe here: a database name, bucket,
prefix or run_id that passes cannot change a statement's shape."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_adapters.constants import BUCKET_PATTERN, PREFIX_PATTERN
from pipeline.athena.exceptions import SettingInvalid
from sim.datasets import layout
from sim.params import request_schema

DEFAULT_DATABASE = "serverless_sweep"
DEFAULT_WORKGROUP = "primary"

_DATABASE = re.compile(r"[a-z][a-z0-9_]{0,254}")
_BUCKET = re.compile(BUCKET_PATTERN)
_PREFIX = re.compile(PREFIX_PATTERN)
_RUN_ID = re.compile(request_schema()["properties"]["run_id"]["pattern"])
_OUTCOMES_FOLDER = layout.outcomes_prefix("").lstrip("/")


def _check_bucket(bucket: str, option: str) -> str:
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise SettingInvalid(f"{option}: {bucket!r} is not a valid S3 bucket name")
    return bucket


def normalise_prefix(prefix: str) -> str:
    """Strip slashes; the runbook's form (the outcomes folder itself) names the same prefix."""
    prefix = prefix.strip("/")
    if prefix.endswith(f"/{_OUTCOMES_FOLDER}"):
        prefix = prefix.removesuffix(f"/{_OUTCOMES_FOLDER}")
    if not _PREFIX.fullmatch(prefix):
        raise SettingInvalid(
            f"--results-prefix: {prefix!r} must be non-empty path segments of letters, digits, '.', '_' and '-'"
        )
    return prefix


def parse_results_bucket(value: str) -> tuple[str, str | None]:
    """``my-bucket`` or ``s3://my-bucket[/prefix]`` -> (bucket, prefix or None)."""
    if value.startswith("s3://"):
        bucket, _, prefix = value.removeprefix("s3://").partition("/")
    elif "://" in value or "/" in value:
        raise SettingInvalid(f"--results-bucket: {value!r} is neither a bucket name nor an s3://bucket[/prefix] URI")
    else:
        bucket, prefix = value, ""
    _check_bucket(bucket, "--results-bucket")
    return bucket, (normalise_prefix(prefix) if prefix.strip("/") else None)


def parse_s3_location(value: str, option: str) -> str:
    """An ``s3://bucket[/path]`` folder, returned with its trailing slash (as Athena expects)."""
    bucket, _, path = value.removeprefix("s3://").partition("/")
    if not value.startswith("s3://") or "'" in path:
        raise SettingInvalid(f"{option}: {value!r} is not an s3://bucket[/path] location")
    _check_bucket(bucket, option)
    return value if value.endswith("/") else f"{value}/"


def validate_run_id(run_id: str) -> str:
    """The request schema's run_id rule: what makes a run_id safe as an Athena literal."""
    if not _RUN_ID.fullmatch(run_id):
        raise SettingInvalid(f"--run-id: {run_id!r} does not match {_RUN_ID.pattern}")
    return run_id


@dataclass(frozen=True)
class BootstrapSettings:
    """Where the tables live (the Glue database, the results bucket and prefix), and whether
    Athena projects their partitions or reads them from the metastore (MSCK REPAIR TABLE)."""

    database: str
    bucket: str
    prefix: str = layout.DEFAULT_PREFIX
    projection: bool = False

    def __post_init__(self) -> None:
        if not _DATABASE.fullmatch(self.database):
            raise SettingInvalid(
                f"--database: {self.database!r} must be lower-case letters, digits and '_', starting with a letter"
            )
        _check_bucket(self.bucket, "--results-bucket")
        if normalise_prefix(self.prefix) != self.prefix:
            raise SettingInvalid(f"--results-prefix: {self.prefix!r} is not in normal form")

    @classmethod
    def from_options(
        cls,
        results_bucket: str,
        results_prefix: str | None = None,
        database: str = DEFAULT_DATABASE,
        projection: bool = False,
    ) -> BootstrapSettings:
        """Settings from the apply options; a prefix inside the bucket URI counts as ``--results-prefix``."""
        bucket, uri_prefix = parse_results_bucket(results_bucket)
        option_prefix = normalise_prefix(results_prefix) if results_prefix is not None else None
        if uri_prefix and option_prefix and uri_prefix != option_prefix:
            raise SettingInvalid(
                f"--results-prefix: {option_prefix!r} differs from the prefix in --results-bucket ({uri_prefix!r})"
            )
        return cls(database, bucket, uri_prefix or option_prefix or layout.DEFAULT_PREFIX, projection)

    @property
    def outcomes_location(self) -> str:
        """``s3://bucket/<prefix>/outcomes``: the folder holding one ``dataset=<name>`` folder per table."""
        return f"s3://{self.bucket}/{layout.outcomes_prefix(self.prefix)}"

    def variables(self) -> dict[str, str]:
        """The DDL templates' variables; Athena ignores the projection.* properties when
        ``projection_enabled`` is 'false'."""
        return {
            "database": self.database,
            "outcomes_location": self.outcomes_location,
            "projection_enabled": "true" if self.projection else "false",
        }
