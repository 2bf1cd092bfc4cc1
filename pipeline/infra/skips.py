"""The checkov skip file (infra/checkov-skips.toml): read it, check it, apply it to findings.

Skips are applied here rather than with checkov's ``--skip-check`` so that each one is scoped
to the resources it names, and so that a skip which no longer matches a failure is reported."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from pipeline.infra.exceptions import SkipFileInvalid
from pipeline.infra.types import Finding, Skip

_CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
_MIN_REASON_CHARS = 40


def load_skips(path: Path) -> dict[str, Skip]:
    """The skips by check id; every entry needs resources and a reason that says why."""
    try:
        document = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SkipFileInvalid(f"{path}: {error}") from error
    skips: dict[str, Skip] = {}
    problems: list[str] = []
    for check_id, entry in document.items():
        if not _CHECK_ID.match(check_id) or not isinstance(entry, dict):
            problems.append(f"{check_id}: not a checkov check id with a table of settings")
            continue
        resources = entry.get("resources")
        reason = str(entry.get("reason", "")).strip()
        if not resources or not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
            problems.append(f"{check_id}.resources: a non-empty list of resource addresses is required")
        if len(reason) < _MIN_REASON_CHARS:
            problems.append(f"{check_id}.reason: required, a sentence or more saying why the check does not apply")
        skips[check_id] = Skip(check_id, tuple(resources or ()), reason)
    if problems:
        raise SkipFileInvalid(f"{path}: " + "; ".join(problems))
    return skips


def apply_skips(
    findings: Iterable[Finding], skips: dict[str, Skip]
) -> tuple[list[Finding], list[tuple[Finding, Skip]], list[str]]:
    """Split findings into (failed, skipped); also the skip entries that matched nothing (stale)."""
    failed: list[Finding] = []
    skipped: list[tuple[Finding, Skip]] = []
    used: set[tuple[str, str]] = set()
    for finding in findings:
        skip = skips.get(finding.check_id)
        if skip is not None and finding.resource in skip.resources:
            skipped.append((finding, skip))
            used.add((finding.check_id, finding.resource))
        else:
            failed.append(finding)
    stale = [
        f"{skip.check_id} {resource}"
        for skip in skips.values()
        for resource in skip.resources
        if (skip.check_id, resource) not in used
    ]
    return failed, skipped, stale
