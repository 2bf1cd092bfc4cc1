"""Local runs for the operations tests (status, redrive, report).

The runbook run is swept once per session into a directory of its own and
copied for every test that changes it, so no test sees another's redrive."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.local import run_local
from pipeline.local.invoker import run_shard_attempts
from sim.contract.shard_event import shard_event
from sim.runs import submit_run
from sim.store import DirectoryStore
from tests.functional.conftest import load_request

RUN_ID = "demo-run-001"


HELD_REQUEST = {"failure_injection_shards": []}
HELD_SHARD = 3


class HoldingInvoker:
    """Stand-in for Lambda that accepted some shards' events but has not started them yet.

    Every other shard runs at once through the local sweep's real attempt loop."""

    def __init__(self, root: Path, hold: set[int]) -> None:
        self.root = root
        self.hold = hold

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        if payload["shard_id"] not in self.hold:
            run_shard_attempts(payload, str(self.root), "ops-test")
        return f"held-{uuid.uuid4().hex[:8]}"


def deliver_late(out: Path, shard_id: int = HELD_SHARD) -> None:
    """The held shard's event finally runs (a slow delivery arriving late)."""
    request = load_request("runbook.json", **HELD_REQUEST)
    run_shard_attempts(shard_event(request, shard_id), str(out), "ops-test-late")


@pytest.fixture(scope="session")
def pristine_runbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runbook request (shard 1 injected) swept locally; never modified."""
    out = tmp_path_factory.mktemp("ops-runbook")
    run_local(load_request("runbook.json"), out, workers=2)
    return out


@pytest.fixture
def runbook_copy(pristine_runbook: Path, tmp_path: Path) -> Path:
    """A private copy of the runbook run, free to redrive."""
    return Path(shutil.copytree(pristine_runbook, tmp_path / "runbook"))


@pytest.fixture(scope="session")
def pristine_held(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runbook request without injection, shard 3 accepted but never started; never modified."""
    out = tmp_path_factory.mktemp("ops-held")
    request = load_request("runbook.json", **HELD_REQUEST)
    invoker = HoldingInvoker(out, hold={HELD_SHARD})
    submit_run(request, DirectoryStore(out), invoker, code_version="ops-test", results_location=str(out))
    return out


@pytest.fixture
def held_run(pristine_held: Path, tmp_path: Path) -> Path:
    """A private copy of the held run."""
    return Path(shutil.copytree(pristine_held, tmp_path / "held"))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``python -m pipeline ARGS`` in this process: exit code, stdout, stderr."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def status_json(capsys: pytest.CaptureFixture[str], source: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run_cli(capsys, "status", "--run-id", RUN_ID, "--source", str(source), "--json", *extra)
    return code, json.loads(out)
