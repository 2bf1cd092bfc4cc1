"""The Python API: submit a sweep, watch it, read its tables, query it with SQL.

    client = SweepClient(api_url="https://….execute-api.eu-west-1.amazonaws.com/v1/sweeps")
    run = client.submit("request.json")
    run.wait()
    metrics = run.table("shard_metrics")

``SweepClient.local(out_dir)`` runs the same requests in-process instead, writing the bucket's
layout under ``out_dir``; everything after ``submit`` is the same. The command line
(``submit``, ``runs``, ``results``, ``sql``) is a thin layer over this module."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
from rich.console import Console

from aws_adapters.clients import resolve_endpoint_url
from pipeline.client import sql as sql_module
from pipeline.client.backends import ApiSubmitter, LocalSubmitter, Submitter, source_from_results_prefix
from pipeline.client.constants import Signing
from pipeline.client.datasets import dataset_schema, run_table
from pipeline.client.exceptions import DispatchIncomplete, RequestUnreadable, SourceMissing
from pipeline.client.manifests import list_run_ids, read_run_manifest
from pipeline.ops.cli import DEFAULT_INTERVAL_SECONDS
from pipeline.ops.render import watch
from pipeline.ops.snapshot import RunSnapshot, read_snapshot
from pipeline.ops.status import RunStatus, StragglerPolicy, Verdict, run_status
from pipeline.results import ResultsSource
from sim.runs import RunSummary

Request = Mapping[str, Any] | str | os.PathLike[str]
"""A request body as a dict, or the path of its JSON file."""
LISTING_THREADS = 8
"""Runs read at once when listing (each is a manifest GET and one partition listing)."""


class RunState(StrEnum):
    """A run as ``runs`` lists it (``status``'s verdict, in a researcher's words)."""

    RUNNING = "running"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


RUN_STATE = {
    Verdict.RUNNING: RunState.RUNNING,
    Verdict.SUCCEEDED: RunState.COMPLETE,
    Verdict.INCOMPLETE: RunState.INCOMPLETE,
}


@dataclass(frozen=True)
class RunInfo:
    """One line of ``client.runs()``."""

    run_id: str
    created_at: datetime
    points: int
    shards: int
    state: RunState
    code_version: str

    @classmethod
    def of(cls, status: RunStatus) -> RunInfo:
        return cls(
            status.run_id,
            status.created_at,
            status.points_total,
            len(status.shards),
            RUN_STATE[status.verdict],
            status.code_version,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "created_at": self.created_at.isoformat(),
            "points": self.points,
            "shards": self.shards,
            "state": self.state.value,
            "code_version": self.code_version,
        }


class Run:
    """One run at its results location; ``summary`` is the parent's answer when this client submitted it."""

    def __init__(self, run_id: str, source: ResultsSource, summary: RunSummary | None = None) -> None:
        self.run_id = run_id
        self.source = source
        self.summary = summary

    def __repr__(self) -> str:
        return f"Run({self.run_id!r}, source={self.source.location!r})"

    def status(self, policy: StragglerPolicy | None = None) -> RunStatus:
        """Where every shard stands now (``python -m pipeline status``'s view of the run)."""
        return run_status(read_snapshot(self.source, self.run_id), policy=policy)

    def wait(
        self,
        progress: bool = True,
        *,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        timeout: float | None = None,
        console: Console | None = None,
    ) -> RunStatus:
        """Poll until every shard is final (or ``timeout`` seconds pass); a live bar on stderr with ``progress``.

        Returns the last status: check ``.verdict`` (``running`` after a timeout)."""
        console = console or Console(stderr=True, quiet=not progress)
        return watch(self.status, console, interval=interval, timeout=timeout)

    def table(self, dataset: str) -> pa.Table:
        """Every row of one dataset of this run, with its ``run_id`` and ``shard_id`` columns."""
        dataset_schema(dataset)
        read_run_manifest(self.source, self.run_id)
        return run_table(self.source, dataset, self.run_id)

    def sql(self, query: str) -> pa.Table:
        """DuckDB SQL over this run's four datasets (views named like the Athena tables), read-only."""
        read_run_manifest(self.source, self.run_id)
        return sql_module.query(self.source, query, run_id=self.run_id)


class SweepClient:
    """Submits requests to an API (or runs them locally) and reads runs from a results location.

    ``source`` is a results directory or ``s3://BUCKET``; when None, a submitted run's
    location comes from the API's answer. ``endpoint_url`` (default ``AWS_ENDPOINT_URL``)
    points S3 and STS at an emulator; ``signing`` AUTO signs with SigV4 unless an emulator
    endpoint is set. Signing takes the session's credentials from the usual chain (or
    ``session``), which must be short-lived unless ``allow_long_lived_keys``."""

    def __init__(
        self,
        api_url: str | None = None,
        source: str | os.PathLike[str] | ResultsSource | None = None,
        *,
        endpoint_url: str | None = None,
        signing: Signing = Signing.AUTO,
        region: str | None = None,
        session: boto3.Session | None = None,
        allow_long_lived_keys: bool = False,
    ) -> None:
        self.api_url = api_url
        self.endpoint_url = resolve_endpoint_url(endpoint_url)
        self.signing = Signing(signing)
        self.region = region
        self.session = session
        self.allow_long_lived_keys = allow_long_lived_keys
        self._source = self._as_source(source)
        self._local: LocalSubmitter | None = None

    @classmethod
    def local(
        cls, out_dir: str | os.PathLike[str], *, workers: int | None = None, progress: bool | None = None
    ) -> SweepClient:
        """A client that runs each request in-process, writing the bucket layout under ``out_dir``.

        ``progress`` (default: when stderr is a terminal) shows the shards' bar while it runs."""
        client = cls(source=Path(out_dir))
        shown = sys.stderr.isatty() if progress is None else progress
        client._local = LocalSubmitter(Path(out_dir), workers=workers, progress=shown)
        return client

    def _as_source(self, source: str | os.PathLike[str] | ResultsSource | None) -> ResultsSource | None:
        if source is None or isinstance(source, ResultsSource):
            return source
        location = os.fspath(source)
        return ResultsSource(location, endpoint_url=self.endpoint_url if location.startswith("s3://") else None)

    @property
    def source(self) -> ResultsSource:
        """Where runs are read from; SourceMissing when the client was given none."""
        if self._source is None:
            raise SourceMissing("source: give the client a results directory or s3://BUCKET")
        return self._source

    def signs(self) -> bool:
        """Whether a submit is SigV4-signed."""
        if self.signing is Signing.AUTO:
            return self.endpoint_url is None
        return self.signing is Signing.SIGV4

    def _submitter(self) -> Submitter:
        if self._local is not None:
            return self._local
        if not self.api_url:
            raise SourceMissing("api_url: give the client the API's URL (or use SweepClient.local(out_dir))")
        signer = None
        if self.signs():
            from pipeline.client.signing import signer_for  # STS and the preflight only when signing

            signer = signer_for(
                self.api_url,
                region=self.region,
                endpoint_url=self.endpoint_url,
                session=self.session,
                allow_long_lived_keys=self.allow_long_lived_keys,
            )
        return ApiSubmitter(self.api_url, signer)

    def submit(self, request: Request) -> Run:
        """Send the request; the run, once the parent has recorded it and dispatched its shards.

        Raises SubmitRefused (400 invalid, 409 conflict, …) with the API's messages, and
        DispatchIncomplete (its ``run`` attached) when some shard could not be dispatched."""
        summary = self._submitter().submit(request_body(request))
        source = self._source or source_from_results_prefix(summary.results_prefix, self.endpoint_url)
        run = Run(summary.run_id, source, summary)
        if not summary.complete:
            failed = [f"shard {d.shard_id}: {d.error}" for d in summary.dispatches if d.status != "dispatched"]
            raise DispatchIncomplete(run, failed)
        return run

    def run(self, run_id: str) -> Run:
        """A run already at the source (RunNotFound when it has no manifest there)."""
        read_run_manifest(self.source, run_id)
        return Run(run_id, self.source)

    def runs(self, *, limit: int | None = None, offset: int = 0) -> list[RunInfo]:
        """The runs at the source, newest first; ``limit`` of them from ``offset`` on (all by default)."""
        source = self.source

        def info(run_id: str) -> RunInfo:
            manifest = read_run_manifest(source, run_id)
            outcomes = run_table(source, "shard_outcomes", run_id).to_pylist()
            return RunInfo.of(run_status(RunSnapshot(run_id, manifest, outcomes)))

        ids = list_run_ids(source)
        with ThreadPoolExecutor(max_workers=max(1, min(LISTING_THREADS, len(ids)))) as pool:
            listed = sorted(pool.map(info, ids), key=lambda r: (r.created_at, r.run_id), reverse=True)
        return listed[offset : None if limit is None else offset + limit]

    def sql(self, query: str, run_id: str | None = None) -> pa.Table:
        """DuckDB SQL over every run's datasets (or one run's), read-only."""
        if run_id is not None:
            read_run_manifest(self.source, run_id)
        return sql_module.query(self.source, query, run_id=run_id)


def request_body(request: Request) -> bytes:
    """The bytes to POST: a dict as JSON, a path's file as it is."""
    if isinstance(request, Mapping):
        return json.dumps(dict(request)).encode()
    path = Path(request)
    try:
        return path.read_bytes()
    except OSError as error:
        raise RequestUnreadable(f"request: cannot read {path}: {error.strerror}") from error
