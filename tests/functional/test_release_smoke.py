"""The release smoke's wait for its shard, on real local runs of the smoke request (no Lambda here:
the parent's part is ``sim.runs.submit_run`` with an in-process invoker)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pipeline.local.invoker import run_shard_attempts
from pipeline.release.smoke import _Failed, _shard_outcome, smoke_request
from sim.contract import parse_request
from sim.datasets import layout
from sim.runs import submit_run
from sim.store import DirectoryStore


class RefusingInvoker:
    """An invoker whose every dispatch fails, as a child function that does not exist."""

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        raise RuntimeError("ResourceNotFoundException: no such function")


class InlineInvoker:
    """Runs the shard's attempts before answering (the local sweep's attempt loop)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        run_shard_attempts(payload, str(self.root), "smoke-test")
        return f"inline-{uuid.uuid4().hex[:8]}"


def _submit(root: Path, invoker: Any) -> str:
    request = parse_request(smoke_request())
    submit_run(request, DirectoryStore(root), invoker, code_version="smoke-test", results_location=str(root))
    return request.run_id


def test_a_shard_whose_dispatch_failed_fails_the_smoke_at_once(tmp_path: Path) -> None:
    run_id = _submit(tmp_path, RefusingInvoker())

    with pytest.raises(_Failed, match="shard 0: dispatch_failed"):
        _shard_outcome(DirectoryStore(tmp_path), run_id, layout.DEFAULT_PREFIX, timeout_seconds=60)


def test_the_smoke_reads_the_shards_first_attempt(tmp_path: Path) -> None:
    run_id = _submit(tmp_path, InlineInvoker(tmp_path))

    outcome = _shard_outcome(DirectoryStore(tmp_path), run_id, layout.DEFAULT_PREFIX, timeout_seconds=60)

    assert (outcome["attempt"], outcome["status"], outcome["code_version"]) == (1, "succeeded", "smoke-test")


def test_a_run_with_no_attempt_times_out_naming_the_shards_state(tmp_path: Path) -> None:
    with pytest.raises(_Failed, match=r"shard 0 planned: no attempt recorded .* after 0 s"):
        _shard_outcome(DirectoryStore(tmp_path), "smoke-none", layout.DEFAULT_PREFIX, timeout_seconds=0.2)
