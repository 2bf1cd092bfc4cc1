"""The README's main job as a user runs it: ``python -m pipeline demo`` in a process of its own,
with its own emulator, deployment, sweep and checks (none of this session's fixtures)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipeline.emulator.constants import EMULATOR_CLIENT_ENV
from pipeline.paths import REPO_ROOT

pytestmark = pytest.mark.emulator

DEMO_TIMEOUT_SECONDS = 280


def test_the_demo_command_runs_the_runbook_request_end_to_end_and_its_checks_pass() -> None:
    # the environment of a user's shell: not the session emulator's client settings
    env = {name: value for name, value in os.environ.items() if name not in EMULATOR_CLIENT_ENV}

    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "demo"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=DEMO_TIMEOUT_SECONDS, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "all checks passed" in done.stdout
    assert "the parent ran 0 times: API Gateway's body validator answered on its own" in done.stdout
