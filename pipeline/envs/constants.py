"""The Pythons and paths of the project's environments, each named once."""

from __future__ import annotations

from pipeline.paths import CACHE_DIR

# The one Python the functions run on, everywhere: the local base image (Debian trixie), AWS's
# python:3.13 Lambda base in production, and the emulator's zip functions (MiniStack runs them
# on its own interpreter, so MiniStack runs on this Python too).
FUNCTION_PYTHON = "3.13"
RUNTIME = f"python{FUNCTION_PYTHON}"
EMULATOR_PYTHON = FUNCTION_PYTHON
# Where Lambda puts a function's code (a zip unpacked, an image's LAMBDA_TASK_ROOT).
LAMBDA_TASK_ROOT = "/var/task"
# The operator's development environment (pyproject's requires-python floor; `make setup`).
DEV_PYTHON = "3.11"

UV_CACHE = CACHE_DIR / "uv"
# Where interpreters of other versions are found when not on PATH (pyenv on these machines).
PYENV_VERSIONS_DIR = ".pyenv/versions"
# Wheel platform for which locks are resolved (glibc 2.28+: Debian trixie, Amazon Linux 2023).
LOCK_PLATFORM = "x86_64-manylinux_2_28"
MARKER = ".project-lock-sha256"
