"""Errors of the Docker daemon management."""

from __future__ import annotations

from sim.exceptions import SweepError


class DockerError(SweepError):
    """A docker command or the daemon failed."""


class DockerUnavailable(DockerError):
    """No Docker daemon answers and none can be started here."""


class PackageInstallFailed(DockerError):
    """A Debian package the pipeline needs could not be installed."""
