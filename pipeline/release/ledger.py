"""The release ledger: every release and rollback, in order, kept in the results bucket.

Under the ledger prefix (``release-ledger/`` by default; neither function's role reaches it):

- ``entries/00000001.json`` … one object per release or rollback, created with a conditional
  write on its sequence number, so two operators releasing at once both get their entry in;
- ``ledger.json``: the whole ledger as one JSON document, rebuilt from the entries after every
  change, for people and ``aws s3 cp``. The entries are authoritative.

An entry is appended right after ``terraform apply`` (smoke "pending"), then its smoke result is
filled in: a release that is live but failed its smoke test is recorded as such. Works on any
``sim.store.ObjectStore`` (S3 in a release, a directory in tests)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from pipeline.infra.command import ImageUris
from pipeline.infra.exceptions import ImageNotPinned
from pipeline.release.exceptions import (
    LedgerConflict,
    LedgerCorrupt,
    LedgerEntryInvalid,
    NoGoodRelease,
    ReleaseNotFound,
)
from sim.store import ObjectStore

DEFAULT_LEDGER_PREFIX = "release-ledger"
LEDGER_VERSION = 1
ENTRIES_FOLDER = "entries"
DOCUMENT_NAME = "ledger.json"
APPEND_ATTEMPTS = 10

ReleaseKind = Literal["release", "rollback"]
SmokeStatus = Literal["pending", "passed", "failed", "skipped"]

_RELEASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_GIT_COMMIT = re.compile(r"^[0-9a-f]{7,40}(-dirty)?$")
_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$")
_ENTRY_NAME = re.compile(r"^(\d{8})\.json$")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SmokeResult:
    """How the smoke invocation after an apply went."""

    status: SmokeStatus = "pending"
    detail: str = ""
    checked_at: str | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """One release or rollback: what was applied, from which commit, by whom, and whether it works."""

    release_id: str
    kind: ReleaseKind
    images: ImageUris
    git_commit: str
    applied_by: str  # the STS caller identity ARN
    terraform_variables: dict[str, str]
    applied_at: str = field(default_factory=_now)
    smoke: SmokeResult = field(default_factory=SmokeResult)
    restores: str | None = None  # rollback: the release whose image pair it re-applied
    rolled_back_from: str | None = None  # rollback: the release that was live before it
    target: str = "aws"  # "aws", or the emulator endpoint the release went to
    sequence: int = 0  # assigned by ReleaseLedger.append

    @property
    def good(self) -> bool:
        return self.smoke.status == "passed"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["images"] = {
            name: {"uri": uri, "digest": uri.rsplit("@", 1)[1]}
            for name, uri in (("parent", self.images.parent), ("child", self.images.child))
        }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LedgerEntry:
        try:
            images = data["images"]
            entry = cls(
                release_id=data["release_id"],
                kind=data["kind"],
                images=ImageUris(parent=images["parent"]["uri"], child=images["child"]["uri"]),
                git_commit=data["git_commit"],
                applied_by=data["applied_by"],
                terraform_variables=dict(data["terraform_variables"]),
                applied_at=data["applied_at"],
                smoke=SmokeResult(**data["smoke"]),
                restores=data.get("restores"),
                rolled_back_from=data.get("rolled_back_from"),
                target=data.get("target", "aws"),
                sequence=int(data["sequence"]),
            )
        except (KeyError, TypeError, ValueError, ImageNotPinned) as error:
            raise LedgerCorrupt(f"ledger entry {data.get('sequence', '?')}: {error!r}") from error
        problems = _problems(entry)
        if problems:
            raise LedgerCorrupt(f"ledger entry {entry.sequence}: " + "; ".join(problems))
        return entry


def _problems(entry: LedgerEntry) -> list[str]:
    """What is wrong with an entry on its own (the ledger checks how it relates to the others)."""
    problems = []
    if not _RELEASE_ID.match(entry.release_id):
        problems.append(f"release_id: {entry.release_id!r} must be 1-128 letters, digits, '.', '_', '-'")
    if entry.kind not in get_args(ReleaseKind):
        problems.append(f"kind: {entry.kind!r} must be release or rollback")
    if not _GIT_COMMIT.match(entry.git_commit):
        problems.append(f"git_commit: {entry.git_commit!r} must be a hex commit id (optionally -dirty)")
    if not _ARN.match(entry.applied_by):
        problems.append(f"applied_by: {entry.applied_by!r} must be the caller identity ARN")
    if entry.smoke.status not in get_args(SmokeStatus):
        problems.append(f"smoke.status: {entry.smoke.status!r} must be one of {', '.join(get_args(SmokeStatus))}")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in entry.terraform_variables.items()):
        problems.append("terraform_variables: names and values must be strings (as passed with -var)")
    if (entry.kind == "rollback") != (entry.restores is not None):
        problems.append("restores: set for a rollback (the release it re-applies), and only then")
    try:
        datetime.fromisoformat(entry.applied_at)
    except ValueError:
        problems.append(f"applied_at: {entry.applied_at!r} is not an ISO 8601 time")
    return problems


class ReleaseLedger:
    """The ledger in one ObjectStore under one prefix."""

    def __init__(self, store: ObjectStore, prefix: str = DEFAULT_LEDGER_PREFIX) -> None:
        self.store = store
        self.prefix = prefix.strip("/")

    @property
    def document_key(self) -> str:
        return f"{self.prefix}/{DOCUMENT_NAME}"

    def _entries_prefix(self) -> str:
        return f"{self.prefix}/{ENTRIES_FOLDER}/"

    def _entry_key(self, sequence: int) -> str:
        return f"{self._entries_prefix()}{sequence:08d}.json"

    def _sequences(self) -> list[int]:
        names = (key.rsplit("/", 1)[-1] for key in self.store.list(self._entries_prefix()))
        return sorted(int(m.group(1)) for m in map(_ENTRY_NAME.match, names) if m)

    def entries(self) -> list[LedgerEntry]:
        """Every entry, oldest first."""
        entries = []
        for sequence in self._sequences():
            body = self.store.get(self._entry_key(sequence))
            if body is None:
                raise LedgerCorrupt(f"ledger entry {sequence} was listed but cannot be read")
            try:
                entries.append(LedgerEntry.from_json(json.loads(body)))
            except json.JSONDecodeError as error:
                raise LedgerCorrupt(f"ledger entry {sequence}: not JSON ({error})") from error
        return entries

    def get(self, release_id: str) -> LedgerEntry:
        for entry in self.entries():
            if entry.release_id == release_id:
                return entry
        raise ReleaseNotFound(f"release_id: no ledger entry {release_id!r}")

    def current(self) -> LedgerEntry | None:
        """The latest entry: what the last apply put live."""
        entries = self.entries()
        return entries[-1] if entries else None

    def previous_good(self) -> LedgerEntry:
        """Where a rollback without ``--to`` goes.

        The live release is the latest entry's (for a rollback, the release it restored). The
        target is the newest *release* entry older than that one whose smoke test passed, that was
        never rolled back from, and whose image pair differs from what is live. So repeated
        rollbacks step further back in history instead of toggling between two releases."""
        entries = self.entries()
        if not entries:
            raise NoGoodRelease("the ledger is empty: nothing was released yet")
        latest = entries[-1]
        live_id = latest.restores or latest.release_id
        live = next(e for e in entries if e.release_id == live_id)
        rolled_back = {e.rolled_back_from for e in entries if e.rolled_back_from}
        for entry in reversed(entries):
            if (
                entry.sequence < live.sequence
                and entry.kind == "release"
                and entry.good
                and entry.release_id not in rolled_back
                and entry.images != latest.images
            ):
                return entry
        raise NoGoodRelease(f"no release before {live_id!r} passed its smoke test (and was not rolled back from)")

    def append(self, entry: LedgerEntry) -> LedgerEntry:
        """Record an apply; the entry as stored, with its sequence number."""
        problems = _problems(entry)
        if problems:
            raise LedgerEntryInvalid("; ".join(problems))
        for _ in range(APPEND_ATTEMPTS):
            existing = self.entries()
            kinds = {e.release_id: e.kind for e in existing}
            if entry.release_id in kinds:
                raise LedgerConflict(f"release_id: {entry.release_id!r} is already in the ledger")
            for name in ("restores", "rolled_back_from"):
                referenced = getattr(entry, name)
                if referenced is not None and referenced not in kinds:
                    raise LedgerEntryInvalid(f"{name}: {referenced!r} is not a release in the ledger")
            if entry.restores is not None and kinds[entry.restores] != "release":
                raise LedgerEntryInvalid(f"restores: {entry.restores!r} is a rollback; name the release it restored")
            stored = replace(entry, sequence=1 + max((e.sequence for e in existing), default=0))
            if self.store.put_if_absent(self._entry_key(stored.sequence), _dump(stored.to_json())):
                self._write_document()
                return stored
        raise LedgerConflict(f"no free sequence number after {APPEND_ATTEMPTS} attempts (concurrent releases?)")

    def record_smoke(self, release_id: str, smoke: SmokeResult) -> LedgerEntry:
        """Fill in the smoke result of an entry (the only field that changes after append)."""
        entry = self.get(release_id)
        updated = replace(entry, smoke=smoke if smoke.checked_at else replace(smoke, checked_at=_now()))
        problems = _problems(updated)
        if problems:
            raise LedgerEntryInvalid("; ".join(problems))
        self.store.put(self._entry_key(entry.sequence), _dump(updated.to_json()))
        self._write_document()
        return updated

    def document(self) -> dict[str, Any]:
        """The whole ledger as one JSON-ready document (what ``ledger.json`` holds, and what is printed)."""
        return {"ledger_version": LEDGER_VERSION, "entries": [e.to_json() for e in self.entries()]}

    def _write_document(self) -> None:
        self.store.put(self.document_key, _dump(self.document()))


def _dump(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
