"""images/requirements.lock: the Lambdas' whole dependency closure, pinned with hashes.

Derived from pyproject's ``[project] dependencies`` (the runtime pins) by resolving them for
the Lambda platform, so the zip packages and the images install exactly the same wheels.
numpy 2.4 and pyarrow 26 publish manylinux_2_28 wheels only (glibc >= 2.28), the rest
manylinux2014 or pure-Python ones: both tags are accepted (pip does not widen a tag itself)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from pipeline.deploy.exceptions import PackagingFailed
from pipeline.envs.constants import FUNCTION_PYTHON
from pipeline.paths import REPO_ROOT

LOCK_FILE = REPO_ROOT / "images" / "requirements.lock"
PYPROJECT = REPO_ROOT / "pyproject.toml"
LAMBDA_PYTHON_VERSION = FUNCTION_PYTHON
"""The functions' Python: zip packages on the emulator, both base images."""
LOCK_PYTHON_VERSIONS = (FUNCTION_PYTHON,)
"""Every Python an installer of the lock may target (one: the functions run on one Python)."""
LAMBDA_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux2014_x86_64")
_HEADER = """\
# The Lambdas' runtime dependencies (sim, aws_adapters, the handlers): the whole closure,
# pinned with hashes (one per wheel), resolved for CPython {python} on {platforms}.
# Generated from pyproject.toml [project] dependencies by `python -m pipeline deploy lock`;
# do not edit. Install: pip install --require-hashes --no-deps {flags} -r THIS
"""


def platform_flags(python_version: str = LAMBDA_PYTHON_VERSION) -> list[str]:
    """pip flags that select the Lambda platform's wheels (also for ``pip download``)."""
    flags = ["--only-binary=:all:", "--python-version", python_version, "--implementation", "cp"]
    for platform in LAMBDA_PLATFORMS:
        flags += ["--platform", platform]
    return flags


# The distributions the functions import (sim, aws_adapters, the handlers); pyproject pins them.
# Not numba or llvmlite: the functions run the market kernel compiled ahead of time.
FUNCTION_DISTRIBUTIONS = ("numpy", "pyarrow", "jsonschema", "boto3", "aws-lambda-powertools")


def runtime_requirements() -> list[str]:
    """pyproject's ``[project] dependencies`` pins of FUNCTION_DISTRIBUTIONS."""
    pins = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    chosen = [pin for pin in pins if _normalise(re.split(r"[=<>!~\[;]", pin, maxsplit=1)[0]) in FUNCTION_DISTRIBUTIONS]
    if len(chosen) != len(FUNCTION_DISTRIBUTIONS):
        raise PackagingFailed(f"pyproject.toml must pin each of {', '.join(FUNCTION_DISTRIBUTIONS)}, found {chosen}")
    return chosen


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def resolve() -> str:
    """The lock file's text, resolved now for every Python of LOCK_PYTHON_VERSIONS (needs the index).

    A pin lists the hash of each Python's wheel; the versions must agree across Pythons."""
    pins: dict[str, str] = {}
    hashes: dict[str, set[str]] = {}
    for python in LOCK_PYTHON_VERSIONS:
        for name, version, digest in _resolve_for(python):
            if pins.setdefault(name, version) != version:
                raise PackagingFailed(f"{name}: resolves to {pins[name]} and {version} on different Pythons")
            hashes.setdefault(name, set()).add(digest)
    header = _HEADER.format(
        python=" and ".join(LOCK_PYTHON_VERSIONS),
        platforms=" / ".join(LAMBDA_PLATFORMS),
        flags=" ".join(platform_flags("X.Y")),
    )
    lines = [header]
    for name in sorted(pins):
        lines.append(f"{name}=={pins[name]}")
        lines += [f" \\\n    --hash=sha256:{digest}" for digest in sorted(hashes[name])]
        lines.append("\n")
    return "".join(lines)


def _resolve_for(python: str) -> list[tuple[str, str, str]]:
    """(name, version, wheel sha256) of the closure for one Python."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        argv = [
            sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
            "--disable-pip-version-check", "--report", str(report), "--target", str(Path(tmp) / "t"),
            *platform_flags(python), *runtime_requirements(),
        ]  # fmt: skip
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PackagingFailed(f"resolving the Lambda dependencies for {python} failed:\n{result.stderr[-2000:]}")
        installs = json.loads(report.read_text())["install"]
    return [
        (
            _normalise(item["metadata"]["name"]),
            item["metadata"]["version"],
            item["download_info"]["archive_info"]["hashes"]["sha256"],
        )
        for item in installs
    ]


def read_pins(path: Path = LOCK_FILE) -> dict[str, str]:
    """Name -> version of every pin in the lock file."""
    pins = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", path.read_text(), flags=re.MULTILINE)
    return {_normalise(name): version for name, version in pins}


def write_lock(path: Path = LOCK_FILE) -> Path:
    path.write_text(resolve())
    return path
