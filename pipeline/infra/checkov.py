"""checkov, offline, in its own venv (created on first use): scan infra/terraform, apply the skip file.

checkov pins boto3 and its own HCL parser, so it gets ``.cache/checkov-venv`` built from
``checkov.lock``. It runs with ``--skip-download`` and the platform lookups switched off, so
a scan needs no network once the venv exists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.envs.exceptions import EnvironmentSetupFailed
from pipeline.envs.venv import ensure_venv
from pipeline.infra.constants import (
    CHECKOV_ENV,
    CHECKOV_LOCK,
    CHECKOV_SKIPS_FILE,
    CHECKOV_TIMEOUT_SECONDS,
    CHECKOV_VENV,
    CHECKOV_VERSION,
    TERRAFORM_DIR,
)
from pipeline.infra.exceptions import CheckovCrashed, CheckovFailed, CheckovSetupFailed
from pipeline.infra.skips import apply_skips, load_skips
from pipeline.infra.types import CheckovResult, Finding


def ensure_checkov(venv: Path = CHECKOV_VENV, lock: Path = CHECKOV_LOCK) -> Path:
    """checkov's executable, installing the venv from the lock file (uv) when missing or outdated."""
    try:
        ensure_venv(venv, lock, sys.executable)
    except EnvironmentSetupFailed as error:
        raise CheckovSetupFailed(str(error)) from None
    return venv / "bin" / "checkov"


def checkov_argv(checkov: Path, directory: Path) -> list[str]:
    """Every check, no skips (the skip file is applied to the report), JSON on stdout, exit 0."""
    return [
        str(checkov),
        "--directory",
        str(directory),
        "--framework",
        "terraform",
        "--skip-download",
        "--quiet",
        "--soft-fail",
        "--output",
        "json",
    ]


def checkov_scan(
    directory: Path = TERRAFORM_DIR,
    skips_file: Path = CHECKOV_SKIPS_FILE,
    *,
    checkov: Path | None = None,
    check: bool = True,
) -> CheckovResult:
    """Scan ``directory``; with ``check``, raise ``CheckovFailed`` (its message is the report) unless ok."""
    skips = load_skips(skips_file)
    executable = checkov or ensure_checkov()
    started = time.perf_counter()
    completed = subprocess.run(
        checkov_argv(executable, directory),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **CHECKOV_ENV},
        timeout=CHECKOV_TIMEOUT_SECONDS,
    )
    seconds = time.perf_counter() - started
    report = _parse(completed)
    findings = [_finding(item) for item in report.get("results", {}).get("failed_checks", [])]
    failed, skipped, stale = apply_skips(findings, skips)
    result = CheckovResult(
        version=str(report.get("summary", {}).get("checkov_version", CHECKOV_VERSION)),
        passed=int(report.get("summary", {}).get("passed", 0)),
        failed=tuple(failed),
        skipped=tuple(skipped),
        stale_skips=tuple(stale),
        seconds=seconds,
    )
    if check and not result.ok:
        raise CheckovFailed(result.report())
    return result


def _parse(completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """checkov's JSON report: one object for one framework (a list when it ran several)."""
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        raise CheckovCrashed(
            f"checkov exited {completed.returncode} without a JSON report:\n{completed.stderr[-2000:]}"
        ) from None
    if isinstance(report, list):
        report = next((r for r in report if r.get("check_type") == "terraform"), {})
    summary = report.get("summary", {})
    if summary.get("parsing_errors"):
        raise CheckovCrashed(f"checkov could not parse {summary['parsing_errors']} file(s)")
    if not summary.get("resource_count"):
        raise CheckovCrashed("checkov found no Terraform resources to check")
    return dict(report)


def _finding(item: dict[str, Any]) -> Finding:
    start, end = item.get("file_line_range") or (0, 0)
    return Finding(
        check_id=item["check_id"],
        check_name=item.get("check_name", ""),
        resource=item["resource"],
        file=str(item.get("file_path", "")).lstrip("/"),
        lines=(int(start), int(end)),
    )
