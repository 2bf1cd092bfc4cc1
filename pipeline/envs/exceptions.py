"""Errors of the environment tooling."""

from __future__ import annotations

from sim.exceptions import SweepError


class EnvironmentSetupFailed(SweepError):
    """An interpreter was not found, or uv could not create, sync or lock an environment."""
