"""A build context on disk, staged from a definition with deterministic metadata.

Every file and directory gets the definition's ``SOURCE_DATE_EPOCH`` as its mtime and a fixed
mode, so what the engine sees depends on file contents only, not on when a checkout
happened."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from pipeline.images.definitions import ImageDefinition

DIR_MODE = 0o755


def stage_context(definition: ImageDefinition, destination: Path) -> Path:
    """Copy the definition's context files under ``destination`` (created, must be empty)."""
    destination.mkdir(parents=True, exist_ok=False)
    epoch = definition.source_date_epoch
    directories = {destination}
    for item in definition.context_files():
        target = destination / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        directories.update(p for p in target.parents if destination in (p, *p.parents))
        shutil.copyfile(item.source, target)
        os.chmod(target, item.mode)
        os.utime(target, (epoch, epoch))
    for directory in directories:
        os.chmod(directory, DIR_MODE)
        os.utime(directory, (epoch, epoch))
    return destination


def context_digest(definition: ImageDefinition) -> str:
    """sha256 over every context path, mode and content: equal digests, equal contexts."""
    sha = hashlib.sha256()
    for item in sorted(definition.context_files(), key=lambda f: f.path):
        sha.update(f"{item.path}\0{item.mode:o}\0".encode())
        sha.update(hashlib.sha256(item.source.read_bytes()).digest())
    return f"sha256:{sha.hexdigest()}"
