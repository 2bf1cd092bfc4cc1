"""``terraform fmt -check``: the configuration is in Terraform's canonical layout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from pipeline.infra.constants import TERRAFORM_DIR, TERRAFORM_EXECUTABLE
from pipeline.infra.exceptions import TerraformFmtFailed, TerraformNotFound


def find_terraform(executable: str = TERRAFORM_EXECUTABLE) -> str:
    found = shutil.which(executable)
    if found is None:
        raise TerraformNotFound(
            f"{executable!r} is not on PATH: install Terraform >= 1.11 (a single binary) to check formatting"
        )
    return found


def terraform_fmt_check(directory: Path = TERRAFORM_DIR, terraform: str = TERRAFORM_EXECUTABLE) -> None:
    """Raise ``TerraformFmtFailed`` naming every file ``terraform fmt`` would rewrite (and the diff)."""
    argv = [find_terraform(terraform), "fmt", "-check", "-list=true", "-diff", "-recursive", str(directory)]
    completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = (completed.stdout + completed.stderr).strip()
        raise TerraformFmtFailed(f"terraform fmt -check failed (run `terraform fmt {directory}`):\n{detail[-4000:]}")
