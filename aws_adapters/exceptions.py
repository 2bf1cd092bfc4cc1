"""Errors of the AWS adapters."""

from __future__ import annotations

from sim.exceptions import SweepError


class ConfigInvalid(SweepError):
    """An environment variable is missing or malformed; ``errors`` names each one."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("invalid configuration: " + "; ".join(errors))
        self.errors = errors


class InvokeRejected(SweepError):
    """Lambda answered an async invoke with something other than 202 Accepted."""
