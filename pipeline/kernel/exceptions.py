"""Errors of building the compiled kernel module."""

from __future__ import annotations

from sim.exceptions import SweepError


class KernelBuildFailed(SweepError):
    """The kernel module could not be compiled (the compiler's output says why)."""
