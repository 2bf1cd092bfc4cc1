"""The Terraform side: static checks (fmt, checkov) and the command lines release/rollback run."""

from pipeline.infra.checkov import checkov_scan, ensure_checkov
from pipeline.infra.command import (
    BOOTSTRAP_TARGETS,
    ImageUris,
    TerraformAction,
    is_digest_pinned,
    terraform_command,
    terraform_variables,
)
from pipeline.infra.constants import DIGEST_PINNED_IMAGE_URI, EXAMPLE_VAR_FILE, TERRAFORM_DIR
from pipeline.infra.exceptions import (
    CheckovCrashed,
    CheckovFailed,
    CheckovSetupFailed,
    ImageNotPinned,
    InfraError,
    SkipFileInvalid,
    TerraformArgumentInvalid,
    TerraformFmtFailed,
    TerraformNotFound,
)
from pipeline.infra.fmt import terraform_fmt_check
from pipeline.infra.skips import apply_skips, load_skips
from pipeline.infra.types import CheckovResult, Finding, Skip

__all__ = [
    "BOOTSTRAP_TARGETS",
    "DIGEST_PINNED_IMAGE_URI",
    "EXAMPLE_VAR_FILE",
    "TERRAFORM_DIR",
    "CheckovCrashed",
    "CheckovFailed",
    "CheckovResult",
    "CheckovSetupFailed",
    "Finding",
    "ImageNotPinned",
    "ImageUris",
    "InfraError",
    "Skip",
    "SkipFileInvalid",
    "TerraformAction",
    "TerraformArgumentInvalid",
    "TerraformFmtFailed",
    "TerraformNotFound",
    "apply_skips",
    "checkov_scan",
    "ensure_checkov",
    "is_digest_pinned",
    "load_skips",
    "terraform_command",
    "terraform_fmt_check",
    "terraform_variables",
]
