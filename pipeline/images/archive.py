"""Docker image archives (``docker save``/``docker load``) with deterministic bytes.

Docker 20.10's builder stamps every file it writes with the build's wall-clock time and puts
build-container identities and timestamps in the image config, so two builds of the same
inputs differ. Rewriting the archive fixes that: every mtime in a layer the build made is set
to ``SOURCE_DATE_EPOCH`` (not only clamped, as BuildKit's ``rewrite-timestamp`` does: a layer
the builder's cache kept from before the last commit would keep its older build time, and a
cached build would differ from a clean one), owner names are dropped (ids stay), and the config
keeps only what the image is. A root filesystem made into a layer (``layer_from_tree``) is
clamped: the packages' own older mtimes are part of it. Layers are plain tars; a layer's
``diff_id`` is the sha256 of its bytes, and the image ID is the sha256 of its config.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from typing_extensions import Buffer

# Config keys that name the build rather than the image (legacy builder only).
BUILD_IDENTITY_KEYS = ("container", "container_config")
_PAX_TIMES = ("mtime", "atime", "ctime")


def iso_time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _HashingWriter(io.RawIOBase):
    """A write-only file that hashes what passes through it."""

    def __init__(self, out: BinaryIO) -> None:
        super().__init__()
        self.out = out
        self.sha = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer) -> int:
        self.sha.update(data)
        return self.out.write(data)

    @property
    def digest(self) -> str:
        return f"sha256:{self.sha.hexdigest()}"


def _stamped(member: tarfile.TarInfo, mtime: int) -> tarfile.TarInfo:
    member.mtime = mtime
    member.uname = member.gname = ""
    member.pax_headers = {key: value for key, value in member.pax_headers.items() if key not in _PAX_TIMES}
    return member


def normalize_layer(source: IO[bytes], out: BinaryIO, epoch: int) -> str:
    """Copy a layer tar with every mtime set to ``epoch``; returns the new layer's diff_id."""
    writer = _HashingWriter(out)
    with (
        tarfile.open(fileobj=source, mode="r|") as src,
        tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as dst,
    ):
        for member in src:
            data = src.extractfile(member) if member.isreg() else None
            dst.addfile(_stamped(member, epoch), data)
    return writer.digest


def _tree_members(root: Path, exclude_contents: Sequence[str]) -> Iterator[Path]:
    """Every path under ``root`` in sorted order; excluded directories are kept empty."""
    for dirpath, dirnames, filenames in os.walk(root):
        relative = Path(dirpath).relative_to(root).as_posix()
        if relative in exclude_contents:
            dirnames[:] = []
            continue
        dirnames.sort()
        for name in sorted([*dirnames, *filenames]):
            yield Path(dirpath) / name


def layer_from_tree(root: Path, out: BinaryIO, epoch: int, exclude_contents: Sequence[str] = ()) -> str:
    """A layer tar of a root filesystem, deterministic for a given tree; returns its diff_id.

    ``exclude_contents`` names directories (relative, e.g. ``dev``) kept but emptied: the
    container engine mounts its own there."""
    writer = _HashingWriter(out)
    with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as dst:
        for path in _tree_members(root, exclude_contents):
            member = dst.gettarinfo(str(path), arcname=path.relative_to(root).as_posix())
            if member is None:  # sockets: nothing to archive
                continue
            if member.ischr() or member.isblk() or member.isfifo():
                continue
            clamped = _stamped(member, min(int(member.mtime), epoch))
            if member.isreg():
                with open(path, "rb") as data:
                    dst.addfile(clamped, data)
            else:
                dst.addfile(clamped)
    return writer.digest


def normalize_config(config: dict[str, Any], epoch: int, diff_ids: Sequence[str]) -> dict[str, Any]:
    """The config with build identities removed, times set to ``epoch`` and the new diff_ids."""
    created = iso_time(epoch)
    clean = {k: v for k, v in config.items() if k not in BUILD_IDENTITY_KEYS}
    clean["created"] = created
    clean["history"] = [{**entry, "created": created} for entry in config.get("history", [])]
    clean["rootfs"] = {"type": "layers", "diff_ids": list(diff_ids)}
    runtime = dict(clean.get("config") or {})
    # The legacy builder records the previous step's image ID (itself time-dependent).
    runtime.pop("Image", None)
    runtime["Hostname"] = ""
    clean["config"] = runtime
    return clean


def config_bytes(config: dict[str, Any]) -> bytes:
    return json.dumps(config, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class SavedImage:
    """One image of a ``docker save`` archive, read in place (layers are streamed, not unpacked)."""

    archive: Path
    config: dict[str, Any]
    layer_members: tuple[str, ...]

    @classmethod
    def read(cls, archive: Path) -> SavedImage:
        with tarfile.open(archive) as tar:
            manifest = json.loads(_member_bytes(tar, "manifest.json"))
            if len(manifest) != 1:
                raise ValueError(f"{archive}: expected one image, found {len(manifest)}")
            config = json.loads(_member_bytes(tar, manifest[0]["Config"]))
        return cls(archive, config, tuple(manifest[0]["Layers"]))

    @contextlib.contextmanager
    def layer(self, index: int) -> Iterator[IO[bytes]]:
        with tarfile.open(self.archive) as tar:
            stream = tar.extractfile(self.layer_members[index])
            if stream is None:
                raise ValueError(f"{self.archive}: layer {index} is not a file")
            yield stream


def write_archive(
    out: Path, config: dict[str, Any], layers: Sequence[tuple[str, Path | None]], repo_tags: Sequence[str]
) -> str:
    """Write a ``docker load`` archive; returns the image ID (sha256 of the config).

    ``layers`` pairs each diff_id with its tar file, or with None for a layer the daemon
    already has under the same parent chain (``docker load`` reads a layer file only when the
    layer is missing, so base layers need not be copied through the archive)."""
    body = config_bytes(config)
    image_id = hashlib.sha256(body).hexdigest()
    names = [f"{diff_id.removeprefix('sha256:')}/layer.tar" for diff_id, _ in layers]
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, (_, path) in zip(names, layers, strict=True):
            if path is not None:
                tar.add(path, arcname=name)
        _add_bytes(tar, f"{image_id}.json", body)
        manifest = [{"Config": f"{image_id}.json", "RepoTags": list(repo_tags), "Layers": names}]
        _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
    return f"sha256:{image_id}"


def _member_bytes(tar: tarfile.TarFile, name: str) -> bytes:
    stream = tar.extractfile(name)
    if stream is None:
        raise ValueError(f"{name} is not a file in the archive")
    return stream.read()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(data)
    tar.addfile(member, io.BytesIO(data))
