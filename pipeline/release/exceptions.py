"""Errors of releasing and rolling back."""

from __future__ import annotations

from sim.exceptions import SweepError


class ReleaseError(SweepError):
    """Base of the release and rollback errors."""


class LedgerEntryInvalid(ReleaseError):
    """A ledger entry to append has a bad or inconsistent field (the message names it)."""


class LedgerCorrupt(ReleaseError):
    """A stored ledger object cannot be read as a ledger entry."""


class LedgerConflict(ReleaseError):
    """The entry clashes with the ledger (duplicate release id, or no free sequence number)."""


class ReleaseNotFound(ReleaseError):
    """No ledger entry has this release id."""


class NoGoodRelease(ReleaseError):
    """The ledger has no earlier release that passed its smoke test to roll back to."""


class CredentialsRefused(ReleaseError):
    """The credential preflight failed: nothing was built, pushed or applied."""


class CredentialsMissing(CredentialsRefused):
    """No AWS credentials were found (environment, profile or SSO session)."""


class CredentialsExpired(CredentialsRefused):
    """The credentials' session has expired; refresh it and rerun."""


class CredentialsInvalid(CredentialsRefused):
    """AWS does not recognise the credentials (unknown key, bad secret)."""


class LongLivedKeysRefused(CredentialsRefused):
    """Long-lived access keys are refused unless the operator forces them."""


class ReleaseTargetError(ReleaseError):
    """Terraform or the emulator deployer failed, or left the functions on other images."""


class ImagesUnavailable(ReleaseError):
    """An image to deploy is not in its ECR repository (never pushed, or expired)."""


class SmokeFailed(ReleaseError):
    """The smoke invocation after an apply failed (recorded in the ledger)."""
