"""The child's event: a sweep request plus the id of the shard to run.

Its own module, apart from the worker that runs it, so that the parent, which only builds
events, imports neither the market nor pyarrow (its package leaves pyarrow out:
pipeline/deploy/package.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.contract.exceptions import RequestInvalid
from sim.contract.messages import describe
from sim.contract.types import SweepRequest
from sim.contract.validation import parse_request

SHARD_ID = "shard_id"


def shard_event(request: SweepRequest, shard_id: int) -> dict[str, Any]:
    """The child's payload: the request plus the shard id; small whatever the grid size."""
    return {**request.to_json(), SHARD_ID: shard_id}


def parse_shard_event(event: Any) -> tuple[SweepRequest, int]:
    """Re-validate a child payload (any JSON value): a child trusts nothing it did not check.

    Raises RequestInvalid naming every problem, the shard id's included."""
    if not isinstance(event, Mapping):
        raise RequestInvalid([f"event: must be a JSON object: a request plus shard_id (got {describe(event)})"])
    body = dict(event)
    shard_id = body.pop(SHARD_ID, None)
    try:
        request = parse_request(body)
    except RequestInvalid as invalid:
        problem = _shard_id_problem(shard_id, None)
        raise RequestInvalid([*invalid.errors, problem] if problem else invalid.errors) from None
    problem = _shard_id_problem(shard_id, request.shard_count)
    if problem:
        raise RequestInvalid([problem])
    return request, shard_id


def _shard_id_problem(shard_id: Any, shard_count: int | None) -> str | None:
    if shard_id is None:
        return f"{SHARD_ID}: required"
    if not isinstance(shard_id, int) or isinstance(shard_id, bool) or shard_id < 0:
        return f"{SHARD_ID}: must be an integer >= 0 (got {describe(shard_id)})"
    if shard_count is not None and shard_id >= shard_count:
        return f"{SHARD_ID}: must be < shard_count ({shard_count}) (got {shard_id})"
    return None
