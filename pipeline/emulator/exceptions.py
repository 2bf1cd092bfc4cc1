"""Errors of emulator management."""

from __future__ import annotations

from sim.exceptions import SweepError


class EmulatorError(SweepError):
    """Base of the emulator's errors."""


class EmulatorSetupFailed(EmulatorError):
    """MiniStack's environment could not be created."""


class EmulatorStartFailed(EmulatorError):
    """MiniStack did not become healthy."""


class EmulatorNotRunning(EmulatorError):
    """No emulator is recorded as running."""
