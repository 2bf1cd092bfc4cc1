"""What the infrastructure checks report."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.infra.constants import CHECKOV_SKIPS_FILE
from pipeline.paths import REPO_ROOT


@dataclass(frozen=True)
class Finding:
    """One failed checkov check on one resource."""

    check_id: str
    check_name: str
    resource: str
    file: str
    lines: tuple[int, int]

    def location(self) -> str:
        return f"{self.file}:{self.lines[0]}-{self.lines[1]}"


@dataclass(frozen=True)
class Skip:
    """A check the skip file accepts failing, for the listed resources only."""

    check_id: str
    resources: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class CheckovResult:
    """A scan with the skip file applied: ``ok`` when nothing unlisted failed and no skip is stale."""

    version: str
    passed: int
    failed: tuple[Finding, ...]
    skipped: tuple[tuple[Finding, Skip], ...]
    stale_skips: tuple[str, ...] = field(default=())
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stale_skips

    @property
    def summary(self) -> str:
        skips_file = CHECKOV_SKIPS_FILE.relative_to(REPO_ROOT)
        ids = len({skip.check_id for _, skip in self.skipped})
        stale = f", {len(self.stale_skips)} stale skips" if self.stale_skips else ""
        return (
            f"checkov {self.version}: {self.passed} passed, {len(self.failed)} failed, "
            f"{len(self.skipped)} skipped ({ids} checks in {skips_file}){stale} in {self.seconds:.1f} s"
        )

    def report(self) -> str:
        """The summary, then every failure with its location, every skip with its reason's first line."""
        lines = [self.summary]
        lines += [f"FAILED {f.check_id} {f.resource} ({f.location()}): {f.check_name}" for f in self.failed]
        lines += [f"STALE skip {entry}: it matches no failure; remove it" for entry in self.stale_skips]
        by_check: dict[str, tuple[Skip, list[str]]] = {}
        for finding, skip in self.skipped:
            by_check.setdefault(skip.check_id, (skip, []))[1].append(finding.resource)
        for check_id, (skip, resources) in by_check.items():
            first_sentence = " ".join(skip.reason.split()).split(". ")[0].rstrip(".")
            lines.append(f"skipped {check_id} ({', '.join(resources)}): {first_sentence}.")
        return "\n".join(lines)
