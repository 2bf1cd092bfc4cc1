"""``rollback``: re-apply a known-good digest pair from the ledger, smoke-test it, record it.

Without ``--to`` the target is the ledger's previous good release (``ReleaseLedger.previous_good``:
repeated rollbacks step further back). The pair and the other ``-var`` values are exactly those
the ledger recorded for that release; nothing is rebuilt. Naming a rollback entry with ``--to``
means the release it restored."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.infra import terraform_variables
from pipeline.release.exceptions import NoGoodRelease, ReleaseError
from pipeline.release.images import require_images
from pipeline.release.ledger import LedgerEntry, ReleaseLedger
from pipeline.release.rollout import Connection, Outcome, RolloutSettings, StageTimer, ledger_at, roll_out, utc_stamp
from pipeline.release.targets import Target


@dataclass(frozen=True)
class RollbackOptions:
    to: str | None = None  # default: the previous good release
    release_id: str | None = None  # this rollback's id; default rollback-<UTC time>
    rollout: RolloutSettings = field(default_factory=RolloutSettings)


def choose_release(ledger: ReleaseLedger, to: str | None) -> tuple[LedgerEntry, LedgerEntry]:
    """(the release to re-apply, the latest entry); refuses a pair that is already live."""
    current = ledger.current()
    if current is None:
        raise NoGoodRelease("the ledger is empty: nothing was released yet")
    chosen = ledger.get(to) if to else ledger.previous_good()
    if chosen.kind == "rollback":
        chosen = ledger.get(chosen.restores or "")
    if chosen.images == current.images:
        raise ReleaseError(f"--to: {chosen.release_id}'s images are what is live now ({current.release_id})")
    return chosen, current


def rollback_variables(chosen: LedgerEntry) -> dict[str, str]:
    """The recorded ``-var`` values other than the image pair (which comes from ``chosen.images``)."""
    images = chosen.images.variables()
    return {name: value for name, value in chosen.terraform_variables.items() if name not in images}


def rollback(connection: Connection, target: Target, options: RollbackOptions, timer: StageTimer) -> Outcome:
    say = timer.say
    with timer("preflight"):
        identity = connection.check(allow_long_lived_keys=options.rollout.allow_long_lived_keys)
    say(f"preflight: {identity.arn} ({identity.kind})")
    settings = options.rollout
    ledger = ledger_at(connection, settings.ledger_bucket or target.stack().results_bucket, settings.ledger_prefix)
    chosen, current = choose_release(ledger, options.to)
    live_id = current.restores or current.release_id
    if not chosen.good:
        say(f"warning: {chosen.release_id}'s smoke test was {chosen.smoke.status}, not passed")
    say(f"rollback: {live_id} -> {chosen.release_id} (commit {chosen.git_commit}, applied {chosen.applied_at})")
    require_images(connection.client("ecr"), chosen.images)
    variables = rollback_variables(chosen)
    entry = LedgerEntry(
        release_id=options.release_id or f"rollback-{utc_stamp()}",
        kind="rollback",
        images=chosen.images,
        git_commit=chosen.git_commit,
        applied_by=identity.arn,
        terraform_variables=terraform_variables(chosen.images, variables),
        restores=chosen.release_id,
        rolled_back_from=live_id,
        target=target.name,
    )
    return roll_out(connection, target, entry, variables, options.rollout, timer)
