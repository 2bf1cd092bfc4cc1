"""``sim.store.ObjectStore`` on S3.

``put_if_absent`` is S3's conditional write (``If-None-Match: *``, honoured by AWS since
2024-11 and by MiniStack): 412 means the key exists. A 409 means another conditional write
to the key is in flight; it is retried briefly, after which the key normally exists.

``put_if_match`` is the compare-and-swap ``sim.manifest`` updates the run manifest with:
``If-Match: <etag>`` (AWS since 2024-11). 412 (the object changed) and 409 (a concurrent
conditional write) both mean "lost the race": the caller reads again and retries. MiniStack
honours ``If-Match`` on PutObject (tests/e2e/test_s3_store.py)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from aws_adapters.clients import DEFAULT_POOL, s3_client
from sim.exceptions import SweepError
from sim.retries import RetryPolicy, retrying

PRECONDITION_FAILED = "PreconditionFailed"
CONDITIONAL_CONFLICT = "ConditionalRequestConflict"
NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
LOST_RACE_CODES = frozenset({PRECONDITION_FAILED, CONDITIONAL_CONFLICT, *NOT_FOUND_CODES})


class _ConditionalConflict(SweepError):
    """Another conditional write to the key was in flight (409): retried."""


CONFLICT_RETRY = RetryPolicy(max_attempts=6, base_seconds=0.05, cap_seconds=1.6, retry_on=(_ConditionalConflict,))


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class S3Store:
    """Objects of one bucket; keys are the bucket layout's keys (``sim.datasets.layout``)."""

    def __init__(self, bucket: str, client: Any) -> None:
        self.bucket = bucket
        self.client = client

    @classmethod
    def for_endpoint(
        cls, bucket: str, *, endpoint_url: str | None = None, max_pool_connections: int = DEFAULT_POOL
    ) -> S3Store:
        return cls(bucket, s3_client(endpoint_url=endpoint_url, max_pool_connections=max_pool_connections))

    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body)

    def put_if_absent(self, key: str, body: bytes) -> bool:
        def attempt() -> bool:
            try:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*")
            except ClientError as error:
                code = _code(error)
                if code == PRECONDITION_FAILED:
                    return False
                if code == CONDITIONAL_CONFLICT:
                    raise _ConditionalConflict(f"{key}: {error}") from error
                raise
            return True

        return retrying(attempt, CONFLICT_RETRY)

    def get(self, key: str) -> bytes | None:
        versioned = self.get_versioned(key)
        return None if versioned is None else versioned[0]

    def get_versioned(self, key: str) -> tuple[bytes, str] | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in NOT_FOUND_CODES:
                return None
            raise
        return bytes(response["Body"].read()), str(response["ETag"])

    def put_if_match(self, key: str, body: bytes, etag: str) -> bool:
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfMatch=etag)
        except ClientError as error:
            if _code(error) in LOST_RACE_CODES:
                return False
            raise
        return True

    def list(self, prefix: str) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        keys = [
            item["Key"]
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]
        return sorted(keys)
