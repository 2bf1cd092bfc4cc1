"""Errors of the infrastructure checks and the Terraform command line."""

from __future__ import annotations

from sim.exceptions import SweepError


class InfraError(SweepError):
    """Base of the infrastructure tooling's errors."""


class TerraformNotFound(InfraError):
    """The terraform executable is not on PATH."""


class TerraformFmtFailed(InfraError):
    """`terraform fmt -check` found files that are not formatted."""


class CheckovSetupFailed(InfraError):
    """checkov's own venv could not be created."""


class CheckovCrashed(InfraError):
    """checkov exited without a readable report."""


class CheckovFailed(InfraError):
    """checkov found failed checks not listed in the skip file, or the skip file is stale."""


class SkipFileInvalid(InfraError):
    """The checkov skip file is malformed or an entry lacks its reason."""


class ImageNotPinned(InfraError):
    """An image URI is not pinned by digest."""


class TerraformArgumentInvalid(InfraError):
    """A Terraform command line was asked for with arguments that cannot go together."""
