"""images/requirements.lock pins the whole closure of pyproject's runtime dependencies."""

from __future__ import annotations

import re

from pipeline.deploy.lock import LOCK_FILE, LOCK_PYTHON_VERSIONS, read_pins, runtime_requirements


def test_every_runtime_pin_of_pyproject_is_in_the_lock_at_the_same_version() -> None:
    pins = read_pins()

    for requirement in runtime_requirements():
        name, version = requirement.split("==")
        assert pins.get(re.sub(r"[-_.]+", "-", name).lower()) == version, requirement


def lock_entries() -> dict[str, list[str]]:
    """Pin -> its sha256 hashes, parsed from the lock's ``name==version \\ --hash=…`` blocks."""
    entries: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=[a-z0-9])", LOCK_FILE.read_text().split("\n\n")[-1].strip()):
        if block.startswith("#"):
            continue
        pin, *hashes = (part.strip() for part in block.split("\\"))
        entries[pin] = [h.removeprefix("--hash=sha256:") for h in hashes]
    return entries


def test_every_pin_is_exact_and_carries_sha256_hashes() -> None:
    entries = lock_entries()

    assert len(entries) == len(read_pins()) >= 10
    assert all("==" in pin for pin in entries)
    assert all(hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes) for hashes in entries.values())


def test_compiled_packages_carry_a_wheel_hash_for_each_python_the_images_use() -> None:
    entries = lock_entries()

    for package in ("numpy", "pyarrow", "rpds-py"):
        pin = next(p for p in entries if p.startswith(f"{package}=="))
        assert len(entries[pin]) == len(LOCK_PYTHON_VERSIONS), pin


def test_the_functions_lock_leaves_numba_to_the_kernel_build() -> None:
    # The functions run the market kernel compiled ahead of time (pipeline/kernel/build.py).
    assert not {"numba", "llvmlite"} & set(read_pins())
