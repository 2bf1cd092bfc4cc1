"""Errors of releasing and rolling back."""

from __future__ import annotations

from sim.exceptions import SweepError


class ReleaseError(SweepError):
    """Base of the release and rollback errors."""


class LedgerEntryInvalid(ReleaseError):
    """A ledger entry to append has a bad or inconsistent field (the message names it)."""


class LedgerCorrupt(ReleaseError):
    """A stored ledger object cannot be read as a ledger entry."""


class LedgerConflict(ReleaseError):
    """The entry clashes with the ledger (duplicate release id, or no free sequence number)."""


class ReleaseNotFound(ReleaseError):
    """No ledger entry has this release id."""


class NoGoodRelease(ReleaseError):
    """The ledger has no earlier release that passed its smoke test to roll back to."""
