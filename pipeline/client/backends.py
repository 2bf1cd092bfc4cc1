"""Where a submitted request goes: the API (AWS or the emulator), or an in-process local run.

Both answer with the parent's summary and where the run's results are, and both refuse a
request the same way (``SubmitRefused`` with the contract's messages), so a notebook
written against one runs against the other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipeline.client.exceptions import SourceMissing, SubmitRefused
from pipeline.client.http import SigV4Signer, post
from pipeline.local import run_local
from pipeline.results import ResultsSource
from sim.contract import RequestInvalid, parse_request_text
from sim.datasets import layout
from sim.runs import DispatchRecord, RunConflict, RunSummary

ACCEPTED_STATUSES = frozenset({202, 502})
"""Answers that carry a dispatch summary: every shard dispatched, or some not."""


class Submitter(Protocol):
    """Sends one request body; returns the parent's summary."""

    def submit(self, body: bytes) -> RunSummary: ...


def summary_from_json(answer: dict[str, Any]) -> RunSummary:
    """The parent's JSON summary (``RunSummary.to_json``) as the type it came from."""
    fields = DispatchRecord.__dataclass_fields__
    return RunSummary(
        run_id=answer["run_id"],
        points_total=answer["points_total"],
        results_prefix=answer["results_prefix"],
        dispatches=[DispatchRecord(**{k: v for k, v in d.items() if k in fields}) for d in answer["dispatches"]],
        duplicate=bool(answer.get("duplicate", False)),
    )


def source_from_results_prefix(results_prefix: str, endpoint_url: str | None) -> ResultsSource:
    """The results location from the summary's ``results_prefix`` (``s3://BUCKET/<prefix>/outcomes``)."""
    tail = "/" + layout.outcomes_prefix("").strip("/")
    location = results_prefix.rstrip("/")
    if not location.startswith("s3://") or not location.endswith(tail) or location.count("/") < 4:
        raise SourceMissing(f"source: the API reported results at {results_prefix!r}; give the source explicitly")
    bucket, _, prefix = location.removeprefix("s3://").removesuffix(tail).partition("/")
    return ResultsSource(f"s3://{bucket}", endpoint_url=endpoint_url, prefix=prefix)


@dataclass(frozen=True)
class ApiSubmitter:
    """POSTs to the API's URL (signed for AWS)."""

    api_url: str
    signer: SigV4Signer | None = None

    def submit(self, body: bytes) -> RunSummary:
        answer = post(self.api_url, body, signer=self.signer)
        document = answer.json()
        if answer.status not in ACCEPTED_STATUSES or not isinstance(document, dict) or "dispatches" not in document:
            raise SubmitRefused(answer.status, answer.messages())
        return summary_from_json(document)


@dataclass(frozen=True)
class LocalSubmitter:
    """Runs the request in-process (``run --local``): every shard has ended when it returns."""

    out_dir: Path
    workers: int | None = None
    progress: bool = False

    def submit(self, body: bytes) -> RunSummary:
        try:
            request = parse_request_text(body)
        except RequestInvalid as invalid:
            raise SubmitRefused(400, invalid.errors) from invalid
        try:
            return run_local(request, self.out_dir, workers=self.workers, progress=self.progress).summary
        except RunConflict as conflict:
            raise SubmitRefused(409, [str(conflict)]) from conflict
