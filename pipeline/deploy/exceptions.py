"""Errors of packaging and deploying."""

from __future__ import annotations

from sim.exceptions import SweepError


class DeployError(SweepError):
    """Base of the deployer's errors."""


class PackagingFailed(DeployError):
    """A function package or the lock file could not be built."""


class FunctionNotReady(DeployError):
    """A function did not become Active (its state reason says why)."""
