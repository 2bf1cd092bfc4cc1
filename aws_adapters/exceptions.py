"""Errors of the AWS adapters."""

from __future__ import annotations

from sim.exceptions import SweepError
from sim.invoke import InvokeFailed


class ConfigInvalid(SweepError):
    """An environment variable is missing or malformed; ``errors`` names each one."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("invalid configuration: " + "; ".join(errors))
        self.errors = errors


class InvokeRejected(InvokeFailed):
    """Lambda refused an async invoke (a 4xx other than throttling, or an answer other than 202)."""
