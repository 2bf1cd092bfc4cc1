"""What release and rollback decide before touching anything: names, ids, the smoke request."""

from __future__ import annotations

import pytest

from pipeline.release import LedgerEntryInvalid
from pipeline.release.release import check_names, default_release_id
from pipeline.release.smoke import smoke_request
from sim.contract import parse_request


@pytest.mark.parametrize(
    ("release_id", "code_version", "field"),
    [
        ("has space", "1.0", "release_id"),
        ("-leading-dash", "1.0", "release_id"),
        ("r" * 129, "1.0", "release_id"),
        ("r-1", "has space", "code_version"),
        ("r-1", "", "code_version"),
    ],
)
def test_bad_release_ids_and_code_versions_are_refused_before_any_build(
    release_id: str, code_version: str, field: str
) -> None:
    with pytest.raises(LedgerEntryInvalid, match=f"^{field}: "):
        check_names(release_id, code_version)


def test_the_default_release_id_names_the_time_and_the_commit() -> None:
    release_id = default_release_id("515f15c0f45174d40fe17fbfdffd35ed710df67e", "20261125-220847")
    assert release_id == "r-20261125-220847-515f15c"
    check_names(release_id, "0.1.0+g515f15c0f451")


def test_each_smoke_request_is_a_valid_single_point_run_of_its_own() -> None:
    first, second = smoke_request(), smoke_request()
    request = parse_request(first)
    assert first["run_id"] != second["run_id"] and first["run_id"].startswith("smoke-")
    assert request.shard_count == 1 and not request.failure_injection_shards
    assert all(len(values) == 1 for values in request.dimensions.values())
