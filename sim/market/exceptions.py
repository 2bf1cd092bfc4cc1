"""Errors of the market simulation."""

from __future__ import annotations

from sim.exceptions import SweepError


class PointInvalid(SweepError):
    """A point's parameters cannot be simulated (e.g. warm-up not below the horizon)."""


class StaleKernelModule(SweepError):
    """The ahead-of-time compiled kernel was built from other sources than the kernel beside it."""
