"""Releases and rollbacks by image digest, recorded in the release ledger."""

from pipeline.release.exceptions import (
    CredentialsExpired,
    CredentialsInvalid,
    CredentialsMissing,
    CredentialsRefused,
    ImagesUnavailable,
    LedgerConflict,
    LedgerCorrupt,
    LedgerEntryInvalid,
    LongLivedKeysRefused,
    NoGoodRelease,
    ReleaseError,
    ReleaseNotFound,
    ReleaseTargetError,
    SmokeFailed,
)
from pipeline.release.ledger import (
    DEFAULT_LEDGER_PREFIX,
    LedgerEntry,
    ReleaseKind,
    ReleaseLedger,
    SmokeResult,
    SmokeStatus,
)
from pipeline.release.preflight import CallerIdentity, preflight
from pipeline.release.release import ReleaseOptions, release
from pipeline.release.rollback import RollbackOptions, choose_release, rollback
from pipeline.release.rollout import Connection, Outcome, RolloutSettings, StageTimer
from pipeline.release.smoke import SmokeReport, smoke_test
from pipeline.release.targets import EmulatorTarget, Stack, Target, TerraformTarget, live_images

__all__ = [
    "DEFAULT_LEDGER_PREFIX",
    "CallerIdentity",
    "Connection",
    "CredentialsExpired",
    "CredentialsInvalid",
    "CredentialsMissing",
    "CredentialsRefused",
    "EmulatorTarget",
    "ImagesUnavailable",
    "LedgerConflict",
    "LedgerCorrupt",
    "LedgerEntry",
    "LedgerEntryInvalid",
    "LongLivedKeysRefused",
    "NoGoodRelease",
    "Outcome",
    "ReleaseError",
    "ReleaseKind",
    "ReleaseLedger",
    "ReleaseNotFound",
    "ReleaseOptions",
    "ReleaseTargetError",
    "RollbackOptions",
    "RolloutSettings",
    "SmokeFailed",
    "SmokeReport",
    "SmokeResult",
    "SmokeStatus",
    "Stack",
    "StageTimer",
    "Target",
    "TerraformTarget",
    "choose_release",
    "live_images",
    "preflight",
    "release",
    "rollback",
    "smoke_test",
]
