"""Errors of the run operations (status, redrive, report)."""

from __future__ import annotations

from sim.exceptions import SweepError


class PriceTableInvalid(SweepError):
    """The price table is missing a key or holds a value that is not a price."""


class RedriveBackendMissing(SweepError):
    """No child function is known to redrive an S3 run through."""
