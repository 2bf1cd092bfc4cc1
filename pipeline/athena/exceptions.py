"""What can go wrong when rendering, checking or running the Athena SQL."""

from __future__ import annotations

from sim.exceptions import SweepError


class SettingInvalid(SweepError):
    """A bootstrap setting (database, bucket, prefix, S3 location, run_id) is not acceptable."""


class PlanInvalid(SweepError):
    """The bootstrap plan is empty or names a SQL file that does not exist."""


class TemplateInvalid(SweepError):
    """A SQL file uses a template variable that is not defined, or a stray ``$``."""


class UnknownQuery(SweepError):
    """No query file has this name."""


class StatementFailed(SweepError):
    """Athena did not finish a statement successfully (failed, cancelled or timed out)."""

    def __init__(self, source: str, state: str, reason: str) -> None:
        super().__init__(f"{source}: {state}: {reason or 'no reason given'}")
        self.source = source
        self.state = state
        self.reason = reason
