"""Where the Terraform configuration and its checks live, and the pins they run with."""

from __future__ import annotations

from pathlib import Path

from pipeline.paths import CACHE_DIR, REPO_ROOT

TERRAFORM_DIR = REPO_ROOT / "infra" / "terraform"
EXAMPLE_VAR_FILE = TERRAFORM_DIR / "example.tfvars"
TERRAFORM_EXECUTABLE = "terraform"

# checkov: its own venv, rebuilt when the lock file changes; skips in one file with reasons.
CHECKOV_VERSION = "3.3.30"
CHECKOV_LOCK = Path(__file__).with_name("checkov.lock")
CHECKOV_VENV = CACHE_DIR / "checkov-venv"
CHECKOV_SKIPS_FILE = REPO_ROOT / "infra" / "checkov-skips.toml"
# Offline: no policy download from the platform, no mapping fetch, no version check.
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}
CHECKOV_TIMEOUT_SECONDS = 300.0

# An image URI pinned by digest: REGISTRY[:PORT]/REPOSITORY@sha256:<64 hex>, no tag. The same
# expression is the validation of infra/terraform's image_uri variables (a test keeps them equal).
DIGEST_PINNED_IMAGE_URI = r"^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)+@sha256:[0-9a-f]{64}$"
PARENT_IMAGE_VAR = "parent_image_uri"
CHILD_IMAGE_VAR = "child_image_uri"
