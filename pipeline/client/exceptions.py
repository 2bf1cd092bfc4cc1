"""Errors of the client: each names what was refused and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.exceptions import SweepError

if TYPE_CHECKING:
    from pipeline.client.client import Run


class SubmitRefused(SweepError):
    """The API answered the request with an error (400 invalid, 409 conflict, 403 unsigned, …)."""

    def __init__(self, status: int, messages: list[str]) -> None:
        self.status = status
        self.messages = messages
        super().__init__(f"request refused with {status}: " + "; ".join(messages))


class DispatchIncomplete(SweepError):
    """The run was recorded but some shard could not be dispatched (502); ``run`` is the run."""

    def __init__(self, run: Run, messages: list[str]) -> None:
        self.run = run
        self.messages = messages
        super().__init__(f"run {run.run_id}: some shards were not dispatched: " + "; ".join(messages))


class RequestUnreadable(SweepError):
    """The request file could not be read."""


class ApiUnreachable(SweepError):
    """The API's URL could not be reached."""


class SigningUnavailable(SweepError):
    """A signed request was asked for, but no region or credentials to sign with are known."""


class SourceMissing(SweepError):
    """A command needs the results location and none was given or reported by the API."""


class DatasetUnknown(SweepError):
    """The dataset name is not one of the four."""


class QueryRefused(SweepError):
    """The SQL would change something (or is not a query): the connection is read-only."""


class QueryFailed(SweepError):
    """DuckDB could not run the query."""
