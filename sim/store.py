"""Object storage as the domain sees it: S3 in Lambda, a directory locally.

Both implementations keep S3's keys, so a local sweep writes exactly the
bucket layout under its output directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol


class ObjectStore(Protocol):
    """The few object operations the sweep needs."""

    def put(self, key: str, body: bytes) -> None: ...

    def put_if_absent(self, key: str, body: bytes) -> bool:
        """Write unless the key exists; True when this call wrote it."""
        ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such key."""
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
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as tmp:
            tmp.write(body)
        return tmp.name

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def list(self, prefix: str) -> list[str]:
        base = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not base.exists():
            return []
        keys = (p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file())
        return sorted(k for k in keys if k.startswith(prefix) and not Path(k).name.startswith(".tmp-"))
