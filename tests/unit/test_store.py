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
