"""The Lambdas' configuration: read from the environment once, at cold start, and validated.

Every problem is collected, so a misconfigured function fails its first (init) invocation
with one message naming each bad variable instead of failing later, one variable at a time."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from aws_adapters.constants import (
    BUCKET_PATTERN,
    CHILD_FUNCTION_NAME_ENV,
    CODE_VERSION_ENV,
    CODE_VERSION_PATTERN,
    DISPATCH_CONCURRENCY_ENV,
    DISPATCH_MAX_ATTEMPTS_ENV,
    MAX_DISPATCH_CONCURRENCY,
    MAX_DISPATCH_MAX_ATTEMPTS,
    PREFIX_PATTERN,
    RESULTS_BUCKET_ENV,
    RESULTS_PREFIX_ENV,
)
from aws_adapters.exceptions import ConfigInvalid
from sim.constants import DISPATCH_CONCURRENCY, DISPATCH_MAX_ATTEMPTS
from sim.datasets import layout

_BUCKET = re.compile(BUCKET_PATTERN)
_PREFIX = re.compile(PREFIX_PATTERN)
_FUNCTION = re.compile(
    r"^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$"
)
_CODE_VERSION = re.compile(CODE_VERSION_PATTERN)


class _Reader:
    """Reads variables from one mapping, collecting problems instead of raising at the first."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.errors: list[str] = []

    def text(self, name: str, pattern: re.Pattern[str], rule: str, default: str | None = None) -> str:
        value = self.environ.get(name, "").strip()
        if not value:
            if default is not None:
                return default
            self.errors.append(f"{name}: required, not set")
            return ""
        if not pattern.fullmatch(value):
            self.errors.append(f"{name}: must be {rule}, got {value[:80]!r}")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            self.errors.append(f"{name}: must be an integer in {low}..{high}, got {raw[:80]!r}")
            return default
        return value

    def done(self) -> None:
        if self.errors:
            raise ConfigInvalid(self.errors)


@dataclass(frozen=True)
class ChildConfig:
    """What a child needs: where results go and which code version it records."""

    results_bucket: str
    results_prefix: str
    code_version: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChildConfig:
        reader = _Reader(os.environ if environ is None else environ)
        config = cls(*_common(reader))
        reader.done()
        return config

    @property
    def results_location(self) -> str:
        """The S3 URL of the datasets (reported in the parent's summary)."""
        return f"s3://{self.results_bucket}/{layout.outcomes_prefix(self.results_prefix)}"


@dataclass(frozen=True)
class ParentConfig(ChildConfig):
    """The child's settings plus which function to invoke and how hard to dispatch."""

    child_function_name: str
    dispatch_concurrency: int
    dispatch_max_attempts: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ParentConfig:
        reader = _Reader(os.environ if environ is None else environ)
        config = cls(
            *_common(reader),
            child_function_name=reader.text(CHILD_FUNCTION_NAME_ENV, _FUNCTION, "a Lambda function name or ARN"),
            dispatch_concurrency=reader.integer(
                DISPATCH_CONCURRENCY_ENV, DISPATCH_CONCURRENCY, 1, MAX_DISPATCH_CONCURRENCY
            ),
            dispatch_max_attempts=reader.integer(
                DISPATCH_MAX_ATTEMPTS_ENV, DISPATCH_MAX_ATTEMPTS, 1, MAX_DISPATCH_MAX_ATTEMPTS
            ),
        )
        reader.done()
        return config


def _common(reader: _Reader) -> tuple[str, str, str]:
    return (
        reader.text(RESULTS_BUCKET_ENV, _BUCKET, "an S3 bucket name"),
        reader.text(RESULTS_PREFIX_ENV, _PREFIX, "a key prefix without leading or trailing '/'", layout.DEFAULT_PREFIX),
        reader.text(CODE_VERSION_ENV, _CODE_VERSION, "1 to 128 printable characters without spaces"),
    )
