"""The project's Python environments: interpreters found by version, venvs synced from hashed locks by uv,
and the one command that regenerates every lock file (``python -m pipeline lock``)."""

from __future__ import annotations

from pipeline.envs.constants import EMULATOR_PYTHON, FUNCTION_PYTHON, RUNTIME
from pipeline.envs.exceptions import EnvironmentSetupFailed
from pipeline.envs.locks import LockSpec, lock_specs, write_locks
from pipeline.envs.python import find_python
from pipeline.envs.venv import ensure_venv, uv_binary

__all__ = [
    "EMULATOR_PYTHON",
    "FUNCTION_PYTHON",
    "RUNTIME",
    "EnvironmentSetupFailed",
    "LockSpec",
    "ensure_venv",
    "find_python",
    "lock_specs",
    "uv_binary",
    "write_locks",
]
