"""Errors of the benchmark."""

from __future__ import annotations

from sim.exceptions import SweepError


class BenchSetupFailed(SweepError):
    """The reference simulator's environment could not be created or run."""
