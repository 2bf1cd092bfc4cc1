from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sim.store import DirectoryStore


def test_directory_store_round_trips_and_lists_by_prefix(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    store.put("a/b/one.parquet", b"1")
    store.put("a/b/two.parquet", b"2")
    store.put("a/c/three.parquet", b"3")

    assert store.get("a/b/one.parquet") == b"1"
    assert store.get("a/b/missing") is None
    assert store.list("a/b/") == ["a/b/one.parquet", "a/b/two.parquet"]
    assert store.list("a/") == ["a/b/one.parquet", "a/b/two.parquet", "a/c/three.parquet"]
    assert store.list("nowhere/") == []


def test_put_if_absent_writes_only_the_first_time(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)

    first = store.put_if_absent("k/manifest.json", b"first")
    second = store.put_if_absent("k/manifest.json", b"second")

    assert (first, second) == (True, False)
    assert store.get("k/manifest.json") == b"first"


def test_put_replaces_atomically_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    store.put("x/obj", b"old")
    store.put("x/obj", b"new")

    assert store.get("x/obj") == b"new"
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["obj"]


def test_put_if_match_replaces_only_the_version_that_was_read(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    store.put("k/manifest.json", b"v1")
    versioned = store.get_versioned("k/manifest.json")
    assert versioned is not None
    body, etag = versioned

    first = store.put_if_match("k/manifest.json", b"v2", etag)
    stale = store.put_if_match("k/manifest.json", b"v3", etag)
    missing = store.put_if_match("k/absent.json", b"x", etag)

    assert (body, first, stale, missing) == (b"v1", True, False, False)
    assert store.get("k/manifest.json") == b"v2"
    assert store.get_versioned("k/absent.json") is None
    assert store.list("k/") == ["k/manifest.json"]


def test_concurrent_put_if_match_on_one_version_has_exactly_one_winner(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    store.put("race/key", b"start")
    versioned = store.get_versioned("race/key")
    assert versioned is not None

    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(pool.map(lambda i: store.put_if_match("race/key", str(i).encode(), versioned[1]), range(32)))

    assert wins.count(True) == 1
    assert store.get("race/key") == str(wins.index(True)).encode()
