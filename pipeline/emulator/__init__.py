"""The local AWS emulator (MiniStack): its environment, its process and its command."""

from pipeline.emulator.exceptions import EmulatorError, EmulatorNotRunning, EmulatorSetupFailed, EmulatorStartFailed
from pipeline.emulator.process import Emulator, EmulatorInfo, free_port

__all__ = [
    "Emulator",
    "EmulatorError",
    "EmulatorInfo",
    "EmulatorNotRunning",
    "EmulatorSetupFailed",
    "EmulatorStartFailed",
    "free_port",
]
