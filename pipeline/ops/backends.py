"""Which ``Invoker`` a redrive dispatches through: the one that ran the run.

An S3 source (AWS or the emulator) is redriven through the child Lambda; a
local directory through the process pool of ``run --local``, which runs the
shards before the redrive returns."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import wait
from contextlib import contextmanager
from dataclasses import dataclass

from aws_adapters import LambdaInvoker, lambda_client
from aws_adapters.constants import CHILD_FUNCTION_NAME_ENV
from pipeline.local.invoker import ProcessPoolInvoker
from pipeline.ops.exceptions import RedriveBackendMissing
from pipeline.results import ResultsSource
from pipeline.version import code_version
from sim.invoke import Invoker


@dataclass(frozen=True)
class Backend:
    name: str
    """Recorded in the manifest: ``lambda:<function>`` or ``local``."""
    invoker: Invoker


def child_function(explicit: str | None) -> str:
    """The child function: the argument, else ``CHILD_FUNCTION_NAME``."""
    name = explicit or os.environ.get(CHILD_FUNCTION_NAME_ENV, "").strip()
    if not name:
        raise RedriveBackendMissing(f"--child-function: required for an S3 source (or set {CHILD_FUNCTION_NAME_ENV})")
    return name


@contextmanager
def redrive_backend(
    source: ResultsSource, *, function: str | None = None, endpoint_url: str | None = None, workers: int | None = None
) -> Iterator[Backend]:
    """The invoker for the source; a local pool is drained before the block's exit returns."""
    if source.is_s3:
        name = child_function(function)
        yield Backend(f"lambda:{name}", LambdaInvoker(name, lambda_client(endpoint_url=endpoint_url)))
        return
    pool = ProcessPoolInvoker(source.location, code_version(), workers=workers)
    try:
        yield Backend("local", pool)
        wait(pool.futures)
    finally:
        pool.shutdown()
