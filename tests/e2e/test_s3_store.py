"""S3Store on the emulator's S3: the ObjectStore contract, conditional writes, pagination."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_adapters import S3Store
from pipeline.deploy import Deployment

pytestmark = pytest.mark.emulator


@pytest.fixture
def store(deployment: Deployment, request: pytest.FixtureRequest) -> S3Store:
    bucket = f"s3-store-{request.node.name.replace('_', '-')[:40].rstrip('-')}"
    s3 = deployment.client("s3")
    s3.create_bucket(Bucket=bucket)
    return S3Store(bucket, s3)


def test_put_get_and_a_missing_key(store: S3Store) -> None:
    store.put("a/b.bin", b"one")
    store.put("a/b.bin", b"two")

    assert store.get("a/b.bin") == b"two"
    assert store.get("a/missing.bin") is None


def test_put_if_absent_writes_once_and_keeps_the_first_bytes(store: S3Store) -> None:
    first = store.put_if_absent("runs/manifest.json", b"first")
    second = store.put_if_absent("runs/manifest.json", b"second")

    assert (first, second) == (True, False)
    assert store.get("runs/manifest.json") == b"first"


def test_concurrent_put_if_absent_has_exactly_one_winner(store: S3Store) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(pool.map(lambda i: store.put_if_absent("race/key", str(i).encode()), range(16)))

    assert wins.count(True) == 1
    assert store.get("race/key") == str(wins.index(True)).encode()


def test_list_pages_past_a_thousand_keys_and_sorts_them(store: S3Store) -> None:
    keys = [f"many/k-{i:05d}" for i in range(1003, -1, -1)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda key: store.put(key, b""), keys))
    store.put("other/x", b"")

    listed = store.list("many/")

    assert listed == sorted(keys)


def test_put_if_match_replaces_only_the_version_that_was_read(store: S3Store) -> None:
    store.put("cas/manifest.json", b"v1")
    versioned = store.get_versioned("cas/manifest.json")
    assert versioned is not None
    body, etag = versioned

    first = store.put_if_match("cas/manifest.json", b"v2", etag)
    stale = store.put_if_match("cas/manifest.json", b"v3", etag)
    missing = store.put_if_match("cas/absent.json", b"v1", etag)

    assert (body, first, stale, missing) == (b"v1", True, False, False)
    assert store.get("cas/manifest.json") == b"v2"


def test_concurrent_put_if_match_on_one_version_has_exactly_one_winner(store: S3Store) -> None:
    """MiniStack honours If-Match on PutObject: of 16 writers holding the same ETag, one wins."""
    store.put("cas/race.json", b"start")
    versioned = store.get_versioned("cas/race.json")
    assert versioned is not None
    etag = versioned[1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(pool.map(lambda i: store.put_if_match("cas/race.json", str(i).encode(), etag), range(16)))

    assert wins.count(True) == 1
    assert store.get("cas/race.json") == str(wins.index(True)).encode()
