"""Object storage as the domain sees it: S3 in Lambda, a directory locally.

Both implementations keep S3's keys, so a local sweep writes exactly the
bucket layout under its output directory. ``get_versioned``/``put_if_match`` are a
compare-and-swap on the object's ETag (S3's ``If-Match``), which the run manifest is
updated with (``sim.manifest``)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

LOCK_PREFIX = ".lock-"
TEMPORARY_PREFIX = ".tmp-"


class ObjectStore(Protocol):
    """The few object operations the sweep needs."""

    def put(self, key: str, body: bytes) -> None: ...

    def put_if_absent(self, key: str, body: bytes) -> bool:
        """Write unless the key exists; True when this call wrote it."""
        ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such key."""
        ...

    def get_versioned(self, key: str) -> tuple[bytes, str] | None:
        """The object's bytes and ETag, or None when there is no such key."""
        ...

    def put_if_match(self, key: str, body: bytes, etag: str) -> bool:
        """Replace the object only if its ETag is still ``etag``; True when this call wrote it."""
        ...

    def list(self, prefix: str) -> list[str]:
        """Keys under the prefix, sorted."""
        ...


class DirectoryStore:
    """An ObjectStore over a local directory; keys are relative paths."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, body: bytes) -> None:
        path = self._path(key)
        # Write then rename: readers never see a partial object, as with S3.
        os.replace(self._write_temporary(path, body), path)

    def put_if_absent(self, key: str, body: bytes) -> bool:
        path = self._path(key)
        tmp = self._write_temporary(path, body)
        try:
            # link() fails if the key exists, and readers never see a partial object.
            os.link(tmp, path)
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)
        return True

    @staticmethod
    def _write_temporary(path: Path, body: bytes) -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=TEMPORARY_PREFIX, delete=False) as tmp:
            tmp.write(body)
        return tmp.name

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def get_versioned(self, key: str) -> tuple[bytes, str] | None:
        body = self.get(key)
        return None if body is None else (body, etag_of(body))

    def put_if_match(self, key: str, body: bytes, etag: str) -> bool:
        path = self._path(key)
        if not path.parent.is_dir():
            return False
        # Compare and rename under an exclusive lock on a sibling file: every put_if_match of the
        # key (any thread, any process) serialises on it; readers still see whole objects only.
        with open(path.parent / f"{LOCK_PREFIX}{path.name}", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = self.get(key)
            if current is None or etag_of(current) != etag:
                return False
            os.replace(self._write_temporary(path, body), path)
            return True

    def list(self, prefix: str) -> list[str]:
        base = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not base.exists():
            return []
        keys = (p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file())
        return sorted(k for k in keys if k.startswith(prefix) and not Path(k).name.startswith(_HIDDEN))


_HIDDEN = (TEMPORARY_PREFIX, LOCK_PREFIX)


def etag_of(body: bytes) -> str:
    """S3's ETag of a single-part object: the quoted MD5 of its bytes."""
    return f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
