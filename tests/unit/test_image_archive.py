"""Deterministic image archives: layer and config normalization, checked on small tars."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

from pipeline.images.archive import config_bytes, layer_from_tree, normalize_config, normalize_layer, write_archive

EPOCH = 1_700_000_000


def layer(files: dict[str, bytes], mtime: int, uname: str = "builder") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            member = tarfile.TarInfo(name)
            member.size, member.mtime, member.uname, member.uid, member.mode = len(data), mtime, uname, 1000, 0o640
            tar.addfile(member, io.BytesIO(data))
    return out.getvalue()


def normalized(raw: bytes) -> tuple[bytes, str]:
    out = io.BytesIO()
    diff_id = normalize_layer(io.BytesIO(raw), out, EPOCH)
    return out.getvalue(), diff_id


def members(tar_bytes: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        return tar.getmembers()


def test_layers_differing_only_in_later_mtimes_normalize_to_the_same_bytes() -> None:
    files = {"var/task/a.py": b"a = 1\n", "var/task/b.py": b"b = 2\n"}

    first, first_id = normalized(layer(files, EPOCH + 10))
    second, second_id = normalized(layer(files, EPOCH + 99_999, uname="someone-else"))

    assert first == second and first_id == second_id
    assert first_id == "sha256:" + hashlib.sha256(first).hexdigest()


def test_normalization_sets_mtimes_to_the_epoch_drops_owner_names_and_keeps_ids_modes_and_contents() -> None:
    raw = layer({"new.py": b"x", "old.py": b"y"}, EPOCH + 5)
    cached_from_before_the_commit = layer({"new.py": b"x", "old.py": b"y"}, EPOCH - 600)

    out, out_id = normalized(raw)
    earlier, earlier_id = normalized(cached_from_before_the_commit)

    assert [(m.name, m.mtime, m.uname, m.uid, m.mode) for m in members(out)] == [
        ("new.py", EPOCH, "", 1000, 0o640),
        ("old.py", EPOCH, "", 1000, 0o640),
    ]
    # a layer the builder's cache kept from a build before the last commit: the same bytes
    assert (earlier, earlier_id) == (out, out_id)


def test_a_tree_layer_is_sorted_deterministic_and_keeps_excluded_directories_empty(tmp_path: Path) -> None:
    trees = []
    for name, mtime in (("one", EPOCH + 1), ("two", EPOCH + 2)):
        root = tmp_path / name
        for path, data in (("usr/bin/b", b"b"), ("usr/bin/a", b"a"), ("dev/null-ish", b"")):
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
        os.mkfifo(root / "usr" / "fifo")
        for path in root.rglob("*"):
            os.utime(path, (mtime, mtime))
        out = io.BytesIO()
        trees.append((out, layer_from_tree(root, out, EPOCH, exclude_contents=("dev",))))

    (first, first_id), (second, second_id) = trees

    assert first.getvalue() == second.getvalue() and first_id == second_id
    assert [m.name for m in members(first.getvalue())] == ["dev", "usr", "usr/bin", "usr/bin/a", "usr/bin/b"]


def test_config_loses_build_identities_and_gets_the_epoch_and_new_layers() -> None:
    raw = {
        "created": "2026-11-25T21:00:00.123Z",
        "container": "4603dafdea0a",
        "container_config": {"Hostname": "4603dafdea0a"},
        "config": {"Hostname": "4603dafdea0a", "Image": "sha256:parent-step", "Cmd": ["handler.handler"]},
        "history": [{"created": "2026-11-25T21:00:00Z", "created_by": "COPY ..."}],
        "rootfs": {"type": "layers", "diff_ids": ["sha256:old"]},
    }

    clean = normalize_config(raw, EPOCH, ["sha256:new"])

    assert clean == {
        "created": "2023-11-14T22:13:20Z",
        "config": {"Hostname": "", "Cmd": ["handler.handler"]},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "COPY ..."}],
        "rootfs": {"type": "layers", "diff_ids": ["sha256:new"]},
    }


def test_an_archive_is_named_by_its_config_digest_and_lists_layers_the_daemon_already_has(tmp_path: Path) -> None:
    layer_file = tmp_path / "layer.tar"
    layer_file.write_bytes(layer({"a": b"a"}, EPOCH))
    config = {"rootfs": {"type": "layers", "diff_ids": ["sha256:" + "1" * 64, "sha256:" + "2" * 64]}}

    image_id = write_archive(
        tmp_path / "image.tar", config, [("sha256:" + "1" * 64, None), ("sha256:" + "2" * 64, layer_file)], ["x/y:z"]
    )

    assert image_id == "sha256:" + hashlib.sha256(config_bytes(config)).hexdigest()
    with tarfile.open(tmp_path / "image.tar") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        assert manifest == [
            {
                "Config": f"{image_id[7:]}.json",
                "RepoTags": ["x/y:z"],
                "Layers": ["1" * 64 + "/layer.tar", "2" * 64 + "/layer.tar"],
            }
        ]
        assert sorted(tar.getnames()) == sorted(["2" * 64 + "/layer.tar", f"{image_id[7:]}.json", "manifest.json"])


def test_a_tree_layer_keeps_the_older_mtimes_of_its_files(tmp_path: Path) -> None:
    # given a root filesystem whose package files are older than the epoch, and one newer
    (tmp_path / "usr").mkdir()
    for name, mtime in (("packaged", EPOCH - 86_400), ("written", EPOCH + 60)):
        (tmp_path / "usr" / name).write_bytes(b"x")
        os.utime(tmp_path / "usr" / name, (mtime, mtime))
    os.utime(tmp_path / "usr", (EPOCH - 86_400, EPOCH - 86_400))

    out = io.BytesIO()
    layer_from_tree(tmp_path, out, EPOCH)

    # then the packages' own times stay and only the newer one is clamped
    assert [(m.name, m.mtime) for m in members(out.getvalue())] == [
        ("usr", EPOCH - 86_400),
        ("usr/packaged", EPOCH - 86_400),
        ("usr/written", EPOCH),
    ]
