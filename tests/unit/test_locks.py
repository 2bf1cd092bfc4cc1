"""Every environment the project creates installs from a hash-pinned lock that `python -m pipeline lock` writes."""

from __future__ import annotations

import re

import pytest

from pipeline.bench.constants import RIDEHAIL_LOCK
from pipeline.emulator.constants import MINISTACK_LOCK, MINISTACK_VERSION
from pipeline.envs import EMULATOR_PYTHON, FUNCTION_PYTHON, LockSpec, lock_specs
from pipeline.infra.constants import CHECKOV_LOCK, CHECKOV_VERSION
from pipeline.paths import REPO_ROOT

SPECS = {spec.path.relative_to(REPO_ROOT).as_posix(): spec for spec in lock_specs()}


def pins(text: str) -> dict[str, list[str]]:
    """Requirement -> its hashes, from uv's ``name==version \\ --hash=sha256:…`` blocks."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", "\n".join(line for line in text.splitlines() if not line.startswith("#")))
    found = {}
    for block in filter(str.strip, blocks):
        requirement = block.split("\\", 1)[0]
        found[requirement.strip()] = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
    return found


@pytest.mark.parametrize("path", sorted(SPECS))
def test_each_lock_pins_exact_versions_each_with_sha256_hashes(path: str) -> None:
    spec: LockSpec = SPECS[path]
    text = spec.path.read_text()

    assert text.startswith(spec.header())
    entries = pins(text)
    assert entries and all(re.fullmatch(r"[a-z0-9._-]+(\[[a-z,]+\])?==\S+", pin) for pin in entries)
    assert all(hashes for hashes in entries.values())


def test_the_tools_install_from_the_locks_the_command_writes() -> None:
    assert {MINISTACK_LOCK, CHECKOV_LOCK, RIDEHAIL_LOCK, REPO_ROOT / "dev.lock"} <= {s.path for s in lock_specs()}
    assert "ministack==" in MINISTACK_LOCK.read_text() and f"=={MINISTACK_VERSION}" in MINISTACK_LOCK.read_text()
    assert f"checkov=={CHECKOV_VERSION}" in CHECKOV_LOCK.read_text()


def test_the_emulator_and_the_local_bases_runtime_client_are_locked_for_the_function_python() -> None:
    assert EMULATOR_PYTHON == FUNCTION_PYTHON
    assert SPECS["pipeline/emulator/ministack.lock"].python == FUNCTION_PYTHON
    assert SPECS["images/base/runtime.lock"].python == FUNCTION_PYTHON
