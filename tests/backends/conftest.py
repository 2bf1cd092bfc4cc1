"""The backend this suite runs on, chosen with ``pytest --backend local|emulator|aws``.

local: a fresh directory and the process pool of ``run --local``. emulator: the session's zip
deployment on MiniStack (tests/conftest.py's fixtures, shared with tests/e2e). aws: the stack
Terraform applied (``terraform output -json`` of infra/terraform), with the operator's
credentials; skipped when there is none."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from pipeline.infra.constants import TERRAFORM_DIR, TERRAFORM_EXECUTABLE
from pipeline.ops.backends import Backend, LambdaBackend, LocalBackend

COMMAND_TIMEOUT_SECONDS = 300


def _terraform_outputs() -> dict[str, Any]:
    """The applied stack's outputs, or {} when there is no state (nothing applied from here)."""
    if shutil.which(TERRAFORM_EXECUTABLE) is None:
        return {}
    done = subprocess.run(
        [TERRAFORM_EXECUTABLE, f"-chdir={TERRAFORM_DIR}", "output", "-json"], capture_output=True, text=True, timeout=60
    )
    try:
        outputs = json.loads(done.stdout) if done.returncode == 0 else {}
    except ValueError:
        return {}
    return {name: entry["value"] for name, entry in outputs.items()}


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    name = request.config.getoption("--backend")
    if name == "local":
        return LocalBackend(tmp_path_factory.mktemp("backend-local"), workers=2)
    if name == "emulator":
        deployments = request.getfixturevalue("_deployments")
        return LambdaBackend.from_deployment(deployments[0])
    outputs = _terraform_outputs()
    if "child_function_name" not in outputs:
        pytest.skip(
            "--backend aws: no applied stack (`terraform output -json` in infra/terraform has no outputs) and no "
            "AWS account on this machine; run it where `python -m pipeline release` has applied one"
        )
    return LambdaBackend.from_terraform_outputs(outputs)


@dataclass(frozen=True)
class Cli:
    """One ``python -m pipeline`` command as an operator runs it."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def pipeline(backend: Backend, command: str, run_id: str, *args: str) -> Cli:
    """``python -m pipeline COMMAND --run-id RUN <the backend's options> ARGS`` in a subprocess."""
    options = [*backend.source_options(), *(backend.dispatch_options() if command == "redrive" else [])]
    argv = [sys.executable, "-m", "pipeline", command, "--run-id", run_id, *options, *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS)
    return Cli(done.returncode, done.stdout, done.stderr)
