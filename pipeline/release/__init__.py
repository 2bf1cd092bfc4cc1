"""Releases and rollbacks by image digest, recorded in the release ledger."""

from pipeline.release.exceptions import (
    LedgerConflict,
    LedgerCorrupt,
    LedgerEntryInvalid,
    NoGoodRelease,
    ReleaseError,
    ReleaseNotFound,
)
from pipeline.release.ledger import (
    DEFAULT_LEDGER_PREFIX,
    LedgerEntry,
    ReleaseKind,
    ReleaseLedger,
    SmokeResult,
    SmokeStatus,
)

__all__ = [
    "DEFAULT_LEDGER_PREFIX",
    "LedgerConflict",
    "LedgerCorrupt",
    "LedgerEntry",
    "LedgerEntryInvalid",
    "NoGoodRelease",
    "ReleaseError",
    "ReleaseKind",
    "ReleaseLedger",
    "ReleaseNotFound",
    "SmokeResult",
    "SmokeStatus",
]
