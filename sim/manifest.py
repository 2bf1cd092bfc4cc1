"""The run manifest: the one record of what a run was asked, planned and dispatched.

This module is its only writer. ``create_manifest`` writes it only if absent (of two
parents for one run_id, one creates it); every later change goes through
``update_manifest``, a read-modify-write that lands only if the object is still the version
that was read (``ObjectStore.put_if_match`` on its ETag) and otherwise reads again, so two
writers never lose each other's update.

A shard is dispatched in two steps, both recorded here: its record is *claimed* (status
``pending``, ``claimed_by`` a dispatcher's token, ``claimed_at``, ``claim_expires_at``) before
the invoke, and completed (``dispatched`` or ``failed``) after it. A claim holds until its
dispatcher is certainly gone: a parent states its own deadline (Lambda stops it at its
timeout, whatever the deployment set), plus ``CLAIM_CLOCK_MARGIN_SECONDS``; a dispatcher that
states none holds it ``DISPATCH_CLAIM_GRACE_SECONDS``. A claim past its expiry belongs to a
dispatcher that died, and the next identical request or a redrive claims it again, so every
shard is sent once by whoever holds its claim.

``request`` is stored as the request's canonical JSON (``SweepRequest.to_json``), so fields
the request grows flow through unchanged.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sim.contract import SweepRequest, parse_request
from sim.datasets import layout
from sim.exceptions import SweepError
from sim.grid import grid_size
from sim.limits import PARENT_TIMEOUT_SECONDS
from sim.store import ObjectStore

__all__ = [
    "CLAIM_CLOCK_MARGIN_SECONDS",
    "DISPATCHED",
    "DISPATCH_CLAIM_GRACE_SECONDS",
    "FAILED",
    "MANIFEST_UPDATE_ATTEMPTS",
    "PENDING",
    "Claim",
    "DispatchRecord",
    "ManifestContended",
    "ManifestInvalid",
    "ManifestMissing",
    "RedriveRecord",
    "RedriveTarget",
    "RunManifest",
    "claim_lease_seconds",
    "create_manifest",
    "read_manifest",
    "read_versioned",
    "update_manifest",
]

PENDING = "pending"
"""Claimed by a dispatcher; the invoke has not been recorded yet."""
DISPATCHED = "dispatched"
FAILED = "failed"
DISPATCH_STATES = frozenset({PENDING, DISPATCHED, FAILED})

DISPATCH_CLAIM_GRACE_SECONDS = 2 * PARENT_TIMEOUT_SECONDS
"""How long a claim holds when its dispatcher states no deadline (a redrive, a local run), and a
claim written without an expiry: twice the parent's default timeout."""
CLAIM_CLOCK_MARGIN_SECONDS = 30
"""Added to a dispatcher's own deadline: whoever judges the claim later may read another clock."""
MANIFEST_UPDATE_ATTEMPTS = 40
"""Read-modify-write rounds before an update gives up (each lost round means another writer won)."""
_RETRY_PAUSE_SECONDS = 0.02


class ManifestMissing(SweepError):
    """The run has no manifest."""


class ManifestInvalid(SweepError):
    """The stored manifest is not a run manifest; the message names the field."""


class ManifestContended(SweepError):
    """Every read-modify-write round lost to another writer."""


@dataclass
class DispatchRecord:
    """What happened to one shard's dispatch."""

    shard_id: int
    point_count: int
    status: str = PENDING
    status_code: int | None = None
    """The service's HTTP status: 202 accepted, 429 throttled, 5xx service error; None without an answer."""
    request_id: str | None = None
    error: str | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    claim_expires_at: datetime | None = None
    """When the claim lapses if its holder has not recorded the dispatch: it is gone by then."""

    @classmethod
    def claimed(cls, shard_id: int, point_count: int, by: str, at: datetime, lease_seconds: float) -> DispatchRecord:
        """A pending record held by ``by`` from ``at`` for ``lease_seconds``."""
        return cls(shard_id, point_count, claimed_by=by, claimed_at=at, claim_expires_at=_after(at, lease_seconds))

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        for name in ("claimed_at", "claim_expires_at"):
            body[name] = None if body[name] is None else body[name].isoformat()
        return body

    @classmethod
    def from_json(cls, body: Any, where: str) -> DispatchRecord:
        fields = _object(body, where)
        status = fields.get("status", PENDING)
        if status not in DISPATCH_STATES:
            raise ManifestInvalid(f"{where}.status: must be one of {sorted(DISPATCH_STATES)}, got {status!r}")
        return cls(
            shard_id=_int(fields, "shard_id", where),
            point_count=_int(fields, "point_count", where),
            status=status,
            status_code=fields.get("status_code"),
            request_id=fields.get("request_id"),
            error=fields.get("error"),
            claimed_by=fields.get("claimed_by"),
            claimed_at=_optional_time(fields, "claimed_at", where),
            claim_expires_at=_optional_time(fields, "claim_expires_at", where),
        )

    def is_stale(self, now: datetime) -> bool:
        """Pending and never claimed, or claimed by a dispatcher that is gone (past the claim's expiry)."""
        if self.status != PENDING:
            return False
        if self.claimed_at is None:
            return True
        return now > (self.claim_expires_at or _after(self.claimed_at, DISPATCH_CLAIM_GRACE_SECONDS))


def claim_lease_seconds(deadline_seconds: float | None) -> float:
    """How long a dispatcher's claims hold: until its own deadline (seconds from now; a parent's
    remaining time) plus the clock margin, or ``DISPATCH_CLAIM_GRACE_SECONDS`` when it has none."""
    if deadline_seconds is None:
        return DISPATCH_CLAIM_GRACE_SECONDS
    return max(0.0, deadline_seconds) + CLAIM_CLOCK_MARGIN_SECONDS


def _after(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)


@dataclass(frozen=True)
class RedriveTarget:
    shard_id: int
    point_count: int
    reason: str
    """The shard's state ("failed", "dispatch_failed"), "straggler" or "undispatched"."""


@dataclass
class RedriveRecord:
    """One redrive: which shards it targeted and how each dispatch went."""

    id: str
    at: datetime
    shards: list[RedriveTarget]
    failure_injection: bool
    backend: str | None
    dispatches: list[DispatchRecord]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "shards": [asdict(t) for t in self.shards],
            "failure_injection": self.failure_injection,
            "backend": self.backend,
            "dispatches": [d.to_json() for d in self.dispatches],
        }

    @classmethod
    def from_json(cls, body: Any, where: str) -> RedriveRecord:
        fields = _object(body, where)
        return cls(
            id=_str(fields, "id", where),
            at=_time(fields.get("at"), f"{where}.at"),
            shards=[
                RedriveTarget(**_object(t, f"{where}.shards[{i}]"))
                for i, t in enumerate(_list(fields, "shards", where))
            ],
            failure_injection=bool(fields.get("failure_injection", False)),
            backend=fields.get("backend"),
            dispatches=[
                DispatchRecord.from_json(d, f"{where}.dispatches[{i}]")
                for i, d in enumerate(_list(fields, "dispatches", where))
            ],
        )


@dataclass(frozen=True)
class Claim:
    """A dispatch record this dispatcher now holds: in the run's own dispatches or in a redrive's."""

    shard_id: int
    redrive_id: str | None
    failure_injection: bool


@dataclass
class RunManifest:
    """The run: its request, its shard plan with the dispatch records, its redrives."""

    run_id: str
    request: dict[str, Any]
    """The request's canonical JSON (``SweepRequest.to_json``)."""
    points_total: int
    results_prefix: str
    """Where the datasets land (an S3 URL or a directory), as reported to the client."""
    code_version: str
    created_at: datetime
    dispatches: list[DispatchRecord]
    redrives: list[RedriveRecord] = field(default_factory=list)

    @classmethod
    def plan(
        cls,
        request: SweepRequest,
        shard_points: Mapping[int, int],
        *,
        code_version: str,
        results_location: str,
        claimed_by: str,
        lease_seconds: float = DISPATCH_CLAIM_GRACE_SECONDS,
        now: datetime | None = None,
    ) -> RunManifest:
        """A new run whose every shard is claimed by its creator for ``lease_seconds``."""
        created = now or datetime.now(UTC)
        return cls(
            run_id=request.run_id,
            request=request.to_json(),
            points_total=grid_size(request.dimensions),
            results_prefix=results_location,
            code_version=code_version,
            created_at=created,
            dispatches=[
                DispatchRecord.claimed(s, n, claimed_by, created, lease_seconds)
                for s, n in sorted(shard_points.items())
            ],
        )

    def sweep_request(self) -> SweepRequest:
        return parse_request(self.request)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "request": self.request,
            "points_total": self.points_total,
            "results_prefix": self.results_prefix,
            "code_version": self.code_version,
            "created_at": self.created_at.isoformat(),
            "dispatches": [d.to_json() for d in self.dispatches],
            "redrives": [r.to_json() for r in self.redrives],
        }

    def encode(self) -> bytes:
        return json.dumps(self.to_json(), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, body: Any) -> RunManifest:
        fields = _object(body, "manifest")
        return cls(
            run_id=_str(fields, "run_id", "manifest"),
            request=_object(fields.get("request"), "manifest.request"),
            points_total=_int(fields, "points_total", "manifest"),
            results_prefix=_str(fields, "results_prefix", "manifest"),
            code_version=str(fields.get("code_version", "")),
            created_at=_time(fields.get("created_at"), "manifest.created_at"),
            dispatches=[
                DispatchRecord.from_json(d, f"manifest.dispatches[{i}]")
                for i, d in enumerate(_list(fields, "dispatches", "manifest"))
            ],
            redrives=[
                RedriveRecord.from_json(r, f"manifest.redrives[{i}]")
                for i, r in enumerate(fields.get("redrives") or [])
            ],
        )

    @classmethod
    def decode(cls, body: bytes) -> RunManifest:
        try:
            return cls.from_json(json.loads(body))
        except (ValueError, TypeError) as error:
            raise ManifestInvalid(f"manifest: not a run manifest ({error})") from error

    def redrive(self, redrive_id: str) -> RedriveRecord:
        return next(r for r in self.redrives if r.id == redrive_id)

    def _batches(self) -> Iterator[tuple[str | None, bool, list[DispatchRecord]]]:
        """Every list of dispatch records: the run's own (injection as requested), then each redrive's."""
        yield None, True, self.dispatches
        for redrive in self.redrives:
            yield redrive.id, redrive.failure_injection, redrive.dispatches

    def claim_stale(
        self, claimed_by: str, now: datetime, lease_seconds: float = DISPATCH_CLAIM_GRACE_SECONDS
    ) -> list[Claim]:
        """Claim, for ``lease_seconds``, every pending record whose dispatcher died; the caller must
        then dispatch them."""
        claims = []
        for redrive_id, injection, records in self._batches():
            for i, record in enumerate(records):
                if record.is_stale(now):
                    records[i] = DispatchRecord.claimed(
                        record.shard_id, record.point_count, claimed_by, now, lease_seconds
                    )
                    claims.append(Claim(record.shard_id, redrive_id, injection))
        return claims

    def complete(self, claimed_by: str, redrive_id: str | None, results: list[DispatchRecord]) -> None:
        """Record dispatch results, each only where ``claimed_by`` still holds the shard's claim."""
        by_shard = {r.shard_id: r for r in results}
        records = self.dispatches if redrive_id is None else self.redrive(redrive_id).dispatches
        for i, record in enumerate(records):
            result = by_shard.get(record.shard_id)
            if result is not None and record.status == PENDING and record.claimed_by == claimed_by:
                records[i] = replace(
                    result,
                    claimed_by=claimed_by,
                    claimed_at=record.claimed_at,
                    claim_expires_at=record.claim_expires_at,
                )


def read_versioned(
    store: ObjectStore, run_id: str, prefix: str = layout.DEFAULT_PREFIX
) -> tuple[RunManifest, str] | None:
    """The run's manifest and its ETag, or None when the run has none."""
    versioned = store.get_versioned(layout.manifest_key(run_id, prefix))
    if versioned is None:
        return None
    body, etag = versioned
    return RunManifest.decode(body), etag


def read_manifest(store: ObjectStore, run_id: str, prefix: str = layout.DEFAULT_PREFIX) -> RunManifest | None:
    """The run's manifest, or None when the run has none."""
    versioned = read_versioned(store, run_id, prefix)
    return None if versioned is None else versioned[0]


def create_manifest(store: ObjectStore, manifest: RunManifest, prefix: str = layout.DEFAULT_PREFIX) -> bool:
    """Write the manifest unless the run has one; True when this call created it."""
    return store.put_if_absent(layout.manifest_key(manifest.run_id, prefix), manifest.encode())


T = TypeVar("T")


def update_manifest(
    store: ObjectStore, run_id: str, change: Callable[[RunManifest], T], prefix: str = layout.DEFAULT_PREFIX
) -> tuple[RunManifest, T]:
    """Apply ``change`` to a fresh read of the manifest and write it back if it is still that version.

    ``change`` may run several times (once per round lost to another writer), each time on a
    fresh read, so it must decide from the manifest it is given. A change that leaves the
    manifest as it was writes nothing. Returns the manifest as written and ``change``'s result.
    """
    key = layout.manifest_key(run_id, prefix)
    for round_ in range(MANIFEST_UPDATE_ATTEMPTS):
        versioned = read_versioned(store, run_id, prefix)
        if versioned is None:
            raise ManifestMissing(f"run_id: no manifest for {run_id!r}")
        manifest, etag = versioned
        before = manifest.encode()
        result = change(manifest)
        after = manifest.encode()
        if after == before or store.put_if_match(key, after, etag):
            return manifest, result
        time.sleep(_RETRY_PAUSE_SECONDS * random.uniform(0.5, 1.5) * min(round_ + 1, 5))
    raise ManifestContended(f"run_id: manifest of {run_id!r} still changing after {MANIFEST_UPDATE_ATTEMPTS} rounds")


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ManifestInvalid(f"{where}: must be a JSON object")
    return dict(value)


def _list(fields: Mapping[str, Any], name: str, where: str) -> list[Any]:
    value = fields.get(name)
    if not isinstance(value, list):
        raise ManifestInvalid(f"{where}.{name}: must be a list")
    return value


def _int(fields: Mapping[str, Any], name: str, where: str) -> int:
    value = fields.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ManifestInvalid(f"{where}.{name}: must be an integer")
    return value


def _str(fields: Mapping[str, Any], name: str, where: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str):
        raise ManifestInvalid(f"{where}.{name}: must be a string")
    return value


def _optional_time(fields: Mapping[str, Any], name: str, where: str) -> datetime | None:
    return _time(fields[name], f"{where}.{name}") if fields.get(name) else None


def _time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise ManifestInvalid(f"{where}: must be an ISO 8601 time")
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError as error:
        raise ManifestInvalid(f"{where}: must be an ISO 8601 time, got {value[:40]!r}") from error
