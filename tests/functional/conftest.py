"""Real local sweeps shared by the functional tests (each runs once per session)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.local import LocalRun, run_local
from sim.contract import SweepRequest, parse_request

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"


def load_request(name: str, **changes: object) -> SweepRequest:
    body = json.loads((FIXTURES / name).read_text())
    body.update(changes)
    return parse_request(body)


@pytest.fixture(scope="session")
def runbook_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LocalRun]:
    """The runbook request (shard 1 injected) swept locally."""
    out = tmp_path_factory.mktemp("runbook")
    return out, run_local(load_request("runbook.json"), out, workers=2)
