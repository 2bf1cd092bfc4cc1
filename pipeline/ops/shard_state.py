"""What state a shard is in: the one meaning of "final" for status, redrive, the demo,
the release smoke, the client and the tests.

A shard's state follows from two records only: the dispatch records of the run
manifest (the parent's, then each redrive's) and the shard's ``shard_outcomes``
rows (one per attempt). Lambda owes every dispatch that reached the child
``ATTEMPTS_PER_DISPATCH`` attempts (the first plus ``sim.limits.MAX_RETRIES``
async retries; ``run --local`` keeps the same policy), so a shard has failed for
good when its failed attempts reach that many per live dispatch without a success.

A dispatch record is live while it is ``pending`` (recorded before the invoke,
its result not yet known) or ``dispatched`` (accepted); any other status is a
dispatch that did not reach the child. Attempts prove delivery: a shard with
attempts counts at least one live dispatch whatever its records say.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sim.limits import MAX_RETRIES

__all__ = [
    "ATTEMPTS_PER_DISPATCH",
    "DISPATCHED",
    "FINAL_STATES",
    "LIVE_DISPATCH",
    "PENDING",
    "SUCCEEDED_ATTEMPT",
    "ShardState",
    "classify_shard",
    "live_dispatches",
]

ATTEMPTS_PER_DISPATCH = MAX_RETRIES + 1
PENDING = "pending"
DISPATCHED = "dispatched"
LIVE_DISPATCH = frozenset({PENDING, DISPATCHED})
"""Dispatch records that reached (or are on their way to) the child."""
SUCCEEDED_ATTEMPT = "succeeded"
"""The ``shard_outcomes.status`` of a successful attempt."""


class ShardState(StrEnum):
    SUCCEEDED = "succeeded"
    """An attempt succeeded."""
    FAILED = "failed"
    """Retries exhausted: every live dispatch got its attempts, all failed."""
    DISPATCH_FAILED = "dispatch_failed"
    """No dispatch reached the child (each was recorded as failed) and no attempt ran."""
    IN_FLIGHT = "in_flight"
    """Attempts recorded, none succeeded; retries (or a redrive's attempts) still due."""
    NEVER_STARTED = "never_started"
    """Dispatched (accepted by the invoker), no attempt recorded yet."""
    PLANNED = "planned"
    """In the plan; no dispatch accepted yet (the dispatcher is at work, or died before recording it)."""


FINAL_STATES = frozenset({ShardState.SUCCEEDED, ShardState.FAILED, ShardState.DISPATCH_FAILED})


def live_dispatches(dispatch_statuses: Sequence[str]) -> int:
    """How many of the shard's dispatch records reached, or are on their way to, the child."""
    return sum(status in LIVE_DISPATCH for status in dispatch_statuses)


def classify_shard(dispatch_statuses: Sequence[str], attempt_statuses: Sequence[str]) -> ShardState:
    """The shard's state from the statuses of its dispatch records and of its attempts.

    ``dispatch_statuses``: one per dispatch record (the parent's, then each redrive's that
    included the shard); empty while the manifest is not readable yet. ``attempt_statuses``:
    ``shard_outcomes.status`` of each recorded attempt."""
    if SUCCEEDED_ATTEMPT in attempt_statuses:
        return ShardState.SUCCEEDED
    if not attempt_statuses:
        if DISPATCHED in dispatch_statuses:
            return ShardState.NEVER_STARTED
        if PENDING in dispatch_statuses or not dispatch_statuses:
            return ShardState.PLANNED
        return ShardState.DISPATCH_FAILED
    owed = max(live_dispatches(dispatch_statuses), 1) * ATTEMPTS_PER_DISPATCH
    return ShardState.FAILED if len(attempt_statuses) >= owed else ShardState.IN_FLIGHT
