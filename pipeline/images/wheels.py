"""Wheels for an image, downloaded on the host from a lock file, cached by content hash.

The image build has no network: it installs from these files with ``--no-index``. A set is
keyed by the lock's bytes, the target Python and the platform tags, so editing the lock or
moving to another base Python fetches a new set and an unchanged one is reused."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.images.constants import WHEELS_CACHE
from pipeline.images.exceptions import WheelDownloadFailed

_COMPLETE = ".complete"


@dataclass(frozen=True)
class WheelSet:
    """The wheels of one lock file for one Python version and platform."""

    lock: Path
    python_version: str
    platforms: tuple[str, ...]
    cache: Path = WHEELS_CACHE

    @property
    def key(self) -> str:
        sha = hashlib.sha256(self.lock.read_bytes())
        sha.update(f"\0{self.python_version}\0{','.join(self.platforms)}".encode())
        return sha.hexdigest()[:16]

    @property
    def directory(self) -> Path:
        return self.cache / f"py{self.python_version}-{self.key}"

    def is_complete(self) -> bool:
        return (self.directory / _COMPLETE).exists()

    def files(self) -> list[Path]:
        """The downloaded wheels, sorted by name."""
        return sorted(self.directory.glob("*.whl"))

    def download_command(self, destination: Path) -> list[str]:
        argv = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
        argv += ["--require-hashes", "--no-deps", "--only-binary=:all:", "--implementation", "cp"]
        argv += ["--python-version", self.python_version]
        for platform in self.platforms:
            argv += ["--platform", platform]
        return [*argv, "--dest", str(destination), "--requirement", str(self.lock)]


def ensure_wheels(wheels: WheelSet) -> WheelSet:
    """Download the set unless the cache has it complete; the cache entry appears atomically."""
    if wheels.is_complete():
        return wheels
    wheels.cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=wheels.cache))
    try:
        done = subprocess.run(wheels.download_command(staging), capture_output=True, text=True)
        if done.returncode != 0:
            errors = [line for line in done.stderr.splitlines() if not line.startswith("WARNING: Location")]
            raise WheelDownloadFailed(
                f"pip download of {wheels.lock} for Python {wheels.python_version} failed "
                f"(the lock needs a hash for each of this Python's wheels): {chr(10).join(errors)[-1500:]}"
            )
        (staging / _COMPLETE).write_text(wheels.lock.name + "\n")
        shutil.rmtree(wheels.directory, ignore_errors=True)
        staging.rename(wheels.directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return wheels
