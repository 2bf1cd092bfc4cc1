"""Debian packages for the commands the pipeline runs, installed on first use.

CI runs on a fresh machine with only what the project installs itself; apt-get is the
ordinary client for Debian's packages (root on these machines)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable

from pipeline.docker.constants import DEBIAN_PACKAGES
from pipeline.docker.exceptions import PackageInstallFailed

_APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}


def missing_commands(commands: Iterable[str]) -> list[str]:
    return [command for command in commands if shutil.which(command) is None]


def ensure_commands(*commands: str) -> None:
    """Install the Debian package of each missing command (``DEBIAN_PACKAGES``)."""
    missing = missing_commands(commands)
    if not missing:
        return
    packages = sorted({DEBIAN_PACKAGES[command] for command in missing})
    if os.geteuid() != 0:
        raise PackageInstallFailed(
            f"{', '.join(missing)} not found; install as root: apt-get install -y {' '.join(packages)}"
        )
    install = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    env = {**os.environ, **_APT_ENV}
    print(f"installing Debian packages: {' '.join(packages)}", flush=True)
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        # A fresh machine may have no package lists yet.
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
        done = subprocess.run(install, env=env, capture_output=True)
        if done.returncode != 0:
            raise PackageInstallFailed(f"`{' '.join(install)}` failed: {done.stderr.decode(errors='replace')[-1000:]}")
    if still := missing_commands(missing):
        raise PackageInstallFailed(f"installed {' '.join(packages)} but {', '.join(still)} still missing")
