"""images/requirements.lock pins the whole closure of pyproject's runtime dependencies."""

from __future__ import annotations

import re

from pipeline.deploy.lock import LOCK_FILE, read_pins, runtime_requirements


def test_every_runtime_pin_of_pyproject_is_in_the_lock_at_the_same_version() -> None:
    pins = read_pins()

    for requirement in runtime_requirements():
        name, version = requirement.split("==")
        assert pins.get(re.sub(r"[-_.]+", "-", name).lower()) == version, requirement


def test_every_pin_is_exact_and_carries_a_sha256_hash() -> None:
    entries = re.findall(r"^(\S+) \\\n    --hash=sha256:([0-9a-f]{64})$", LOCK_FILE.read_text(), flags=re.MULTILINE)

    assert len(entries) == len(read_pins()) >= 10
    assert all("==" in pin for pin, _ in entries)
