"""The release ledger on a real ObjectStore (a directory; S3 has the same interface)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline.infra import ImageUris
from pipeline.release import (
    LedgerConflict,
    LedgerCorrupt,
    LedgerEntry,
    LedgerEntryInvalid,
    NoGoodRelease,
    ReleaseLedger,
    ReleaseNotFound,
    SmokeResult,
)
from sim.store import DirectoryStore

ARN = "arn:aws:sts::123456789012:assumed-role/release-operator/alice"
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"


def images(tag: str) -> ImageUris:
    """A distinct digest pair per tag."""
    digest = (tag.encode().hex() * 64)[:64]
    return ImageUris(
        parent=f"{REGISTRY}/serverless-sweep-parent@sha256:{digest}",
        child=f"{REGISTRY}/serverless-sweep-child@sha256:{digest[::-1]}",
    )


def release(release_id: str, pair: str | None = None, **fields) -> LedgerEntry:
    return LedgerEntry(
        release_id=release_id,
        kind=fields.pop("kind", "release"),
        images=images(pair or release_id),
        git_commit=fields.pop("git_commit", "0123456789abcdef0123456789abcdef01234567"),
        applied_by=fields.pop("applied_by", ARN),
        terraform_variables=fields.pop("terraform_variables", {"code_version": release_id}),
        **fields,
    )


def rollback(release_id: str, restores: str, rolled_back_from: str) -> LedgerEntry:
    return release(release_id, restores, kind="rollback", restores=restores, rolled_back_from=rolled_back_from)


@pytest.fixture
def ledger(tmp_path: Path) -> ReleaseLedger:
    return ReleaseLedger(DirectoryStore(tmp_path))


def passed(ledger: ReleaseLedger, *entries: LedgerEntry) -> None:
    for entry in entries:
        ledger.append(entry)
        ledger.record_smoke(entry.release_id, SmokeResult("passed", "2 shards, 2 outcomes"))


def test_entries_are_appended_in_order_with_what_was_applied(ledger: ReleaseLedger) -> None:
    # when two releases and a rollback are recorded
    passed(ledger, release("v1"), release("v2"))
    ledger.append(rollback("rb1", restores="v1", rolled_back_from="v2"))
    # then they come back in order with sequence numbers and everything they recorded
    entries = ledger.entries()
    assert [(e.sequence, e.release_id, e.kind) for e in entries] == [
        (1, "v1", "release"),
        (2, "v2", "release"),
        (3, "rb1", "rollback"),
    ]
    assert entries[2].images == images("v1") and entries[2].restores == "v1"
    assert entries[0].terraform_variables == {"code_version": "v1"} and entries[0].applied_by == ARN
    assert entries[2].smoke.status == "pending"


def test_ledger_json_is_one_document_with_every_entry_and_digest(ledger: ReleaseLedger, tmp_path: Path) -> None:
    passed(ledger, release("v1"))
    ledger.append(release("v2"))
    # the document in the store holds every entry, with both digests spelled out
    document = json.loads((tmp_path / "release-ledger" / "ledger.json").read_text())
    assert document == ledger.document()
    assert document["ledger_version"] == 1
    assert [e["release_id"] for e in document["entries"]] == ["v1", "v2"]
    parent = document["entries"][0]["images"]["parent"]
    assert parent["uri"] == images("v1").parent and parent["uri"].endswith("@" + parent["digest"])
    assert document["entries"][0]["smoke"]["status"] == "passed"


def test_smoke_result_is_filled_in_after_the_apply(ledger: ReleaseLedger) -> None:
    ledger.append(release("v1"))
    updated = ledger.record_smoke("v1", SmokeResult("failed", "child returned 500"))
    assert updated.smoke.status == "failed" and updated.smoke.checked_at
    assert ledger.get("v1").smoke == updated.smoke
    with pytest.raises(ReleaseNotFound, match="v9"):
        ledger.record_smoke("v9", SmokeResult("passed"))
    with pytest.raises(LedgerEntryInvalid, match=r"smoke\.status"):
        ledger.record_smoke("v1", SmokeResult("great"))  # type: ignore[arg-type]


def test_previous_good_is_the_last_release_before_the_live_one_that_passed(ledger: ReleaseLedger) -> None:
    passed(ledger, release("v1"), release("v2"))
    ledger.append(release("v3"))
    ledger.record_smoke("v3", SmokeResult("failed", "smoke invoke timed out"))
    assert ledger.previous_good().release_id == "v2"


def test_previous_good_skips_releases_whose_smoke_failed(ledger: ReleaseLedger) -> None:
    passed(ledger, release("v1"))
    ledger.append(release("v2"))
    ledger.record_smoke("v2", SmokeResult("failed"))
    ledger.append(release("v3"))
    assert ledger.previous_good().release_id == "v1"


def test_repeated_rollbacks_step_back_instead_of_toggling(ledger: ReleaseLedger) -> None:
    # given v1, v2, and a rollback from v2 to v1
    passed(ledger, release("v0"), release("v1"), release("v2"))
    passed(ledger, rollback("rb1", restores="v1", rolled_back_from="v2"))
    # then the next rollback goes to the release before v1, not back to v2
    assert ledger.previous_good().release_id == "v0"


def test_a_release_rolled_back_from_is_never_a_rollback_target(ledger: ReleaseLedger) -> None:
    passed(ledger, release("v1"), release("v2"))
    passed(ledger, rollback("rb1", restores="v1", rolled_back_from="v2"))
    passed(ledger, release("v3"))
    assert ledger.previous_good().release_id == "v1"


def test_a_release_with_the_live_image_pair_is_not_a_rollback(ledger: ReleaseLedger) -> None:
    # given a configuration-only release that kept v2's images
    passed(ledger, release("v1"), release("v2"), release("v2-config", pair="v2"))
    # then rolling back from it skips v2 (same digests) and lands on v1
    assert ledger.previous_good().release_id == "v1"


def test_no_good_release_to_roll_back_to(ledger: ReleaseLedger) -> None:
    with pytest.raises(NoGoodRelease, match="empty"):
        ledger.previous_good()
    passed(ledger, release("v1"))
    with pytest.raises(NoGoodRelease, match="v1"):
        ledger.previous_good()


def test_release_ids_are_unique_and_rollbacks_name_known_releases(ledger: ReleaseLedger) -> None:
    ledger.append(release("v1"))
    with pytest.raises(LedgerConflict, match="v1"):
        ledger.append(release("v1"))
    with pytest.raises(LedgerEntryInvalid, match="restores"):
        ledger.append(rollback("rb1", restores="v0", rolled_back_from="v1"))
    with pytest.raises(LedgerEntryInvalid, match="restores"):
        ledger.append(release("rb2", "v1", kind="rollback"))
    ledger.append(release("v2"))
    ledger.append(rollback("rb3", restores="v1", rolled_back_from="v2"))
    with pytest.raises(LedgerEntryInvalid, match="is a rollback"):
        ledger.append(rollback("rb4", restores="rb3", rolled_back_from="rb3"))
    assert [e.release_id for e in ledger.entries()] == ["v1", "v2", "rb3"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applied_by", "alice"),
        ("git_commit", "main"),
        ("release_id", "../v1"),
        ("applied_at", "yesterday"),
        ("terraform_variables", {"child_memory_mb": 1769}),
    ],
)
def test_bad_fields_are_refused_naming_the_field(ledger: ReleaseLedger, field: str, value: object) -> None:
    with pytest.raises(LedgerEntryInvalid, match=field):
        ledger.append(release("v1", **{field: value}) if field != "release_id" else release(str(value), "v1"))
    assert ledger.entries() == []


def test_concurrent_releases_each_get_their_own_entry(tmp_path: Path) -> None:
    # given eight operators appending at once, each through its own ledger object
    def append(n: int) -> int:
        return ReleaseLedger(DirectoryStore(tmp_path)).append(release(f"v{n}")).sequence

    with ThreadPoolExecutor(max_workers=8) as pool:
        sequences = list(pool.map(append, range(8)))
    # then no entry is lost and no sequence number is shared
    assert sorted(sequences) == list(range(1, 9))
    assert sorted(e.release_id for e in ReleaseLedger(DirectoryStore(tmp_path)).entries()) == [
        f"v{n}" for n in range(8)
    ]


def test_a_damaged_entry_is_reported_not_skipped(ledger: ReleaseLedger, tmp_path: Path) -> None:
    ledger.append(release("v1"))
    entry = tmp_path / "release-ledger" / "entries" / "00000001.json"
    data = json.loads(entry.read_text())
    data["images"]["child"]["uri"] = f"{REGISTRY}/serverless-sweep-child:latest"
    entry.write_text(json.dumps(data))
    with pytest.raises(LedgerCorrupt, match="child_image_uri"):
        ledger.entries()


def test_entries_round_trip_through_json() -> None:
    entry = release(
        "v1", target="http://127.0.0.1:4566", smoke=SmokeResult("passed", "ok", "2026-01-01T00:00:00+00:00")
    )
    stored = LedgerEntry.from_json(json.loads(json.dumps({**entry.to_json(), "sequence": 4})))
    assert stored.release_id == "v1" and stored.sequence == 4
    assert stored.to_json() == {**entry.to_json(), "sequence": 4}
