"""The client's defaults, named once (the CLI's --help shows them)."""

from __future__ import annotations

from enum import StrEnum

REQUEST_TIMEOUT_SECONDS = 120.0
"""How long a POST to the API may take (the parent answers once every shard is dispatched)."""
EXECUTE_API_SERVICE = "execute-api"
"""The SigV4 service name of API Gateway."""
DEFAULT_RUNS_LIMIT = 20
"""Runs listed per page."""
MAX_ERROR_BODY_CHARS = 500
"""An answer that is not the API's JSON is quoted up to this many characters."""


class Signing(StrEnum):
    """Whether a POST is SigV4-signed."""

    AUTO = "auto"
    """Signed for AWS, unsigned when an emulator endpoint is set (it checks no signature)."""
    SIGV4 = "sigv4"
    NONE = "none"


class ExportFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    JSONL = "jsonl"


class SqlFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
