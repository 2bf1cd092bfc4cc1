"""Build definitions as plain data: what goes into each image, with which arguments.

Computed without any engine; the Dagger and host engines both execute exactly these. A
definition names its context files (Dockerfile, the project's code, the wheels), its build
arguments (``BASE_IMAGE``, ``SOURCE_DATE_EPOCH``), the platform, the labels and the media types
the image is published with."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.deploy import pruning
from pipeline.images.archive import iso_time
from pipeline.images.bases import BaseImage
from pipeline.images.constants import (
    BASE_IMAGE_ARG,
    CONTEXT_SOURCE,
    CONTEXT_WHEELS,
    DOCKER_MEDIA_TYPES,
    FALLBACK_SOURCE_DATE_EPOCH,
    IMAGE_NAMES,
    IMAGES_DIR,
    LOCK_FILE,
    PLATFORM,
    REPOSITORY_PREFIX,
    SOURCE_DATE_EPOCH_ARG,
    SOURCE_DATE_EPOCH_ENV,
    SOURCE_PACKAGES,
    SOURCE_SUFFIXES,
    UNUSED_DEPENDENCIES_ARG,
)
from pipeline.images.wheels import WheelSet
from pipeline.kernel import kernel_module_file
from pipeline.paths import REPO_ROOT
from pipeline.version import code_version

LOCK_IN_CONTEXT = f"{CONTEXT_WHEELS}/requirements.lock"
PRUNE_SCRIPT = "prune_deps.py"
FILE_MODE = 0o644


@dataclass(frozen=True)
class ContextFile:
    """One file of a build context: its path there, the host file it is copied from, its mode."""

    path: str
    source: Path
    mode: int = FILE_MODE


@dataclass(frozen=True)
class ImageDefinition:
    """Everything an engine needs to build one image, and nothing engine-specific."""

    name: str
    repository: str
    base: BaseImage
    files: tuple[ContextFile, ...]
    wheels: WheelSet
    source_date_epoch: int
    labels: tuple[tuple[str, str], ...]
    dockerfile: str = "Dockerfile"
    platform: str = PLATFORM
    media_types: str = DOCKER_MEDIA_TYPES

    @property
    def build_args(self) -> dict[str, str]:
        args = {BASE_IMAGE_ARG: self.base.ref, SOURCE_DATE_EPOCH_ARG: str(self.source_date_epoch)}
        if unused := pruning.UNUSED_DEPENDENCIES.get(self.name):
            args[UNUSED_DEPENDENCIES_ARG] = " ".join(sorted(unused))
        return args

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def context_files(self) -> tuple[ContextFile, ...]:
        """The whole context: the fixed files, the market kernel compiled ahead of time (for the
        functions' Python, built on first use: pipeline/kernel/build.py), and the lock and its
        downloaded wheels."""
        kernel_path, kernel_file = kernel_module_file()
        kernel = ContextFile(f"{CONTEXT_SOURCE}/{kernel_path}", kernel_file)
        wheels = tuple(ContextFile(f"{CONTEXT_WHEELS}/{w.name}", w) for w in self.wheels.files())
        return (*self.files, kernel, ContextFile(LOCK_IN_CONTEXT, self.wheels.lock), *wheels)


def source_date_epoch(explicit: int | None = None, root: Path = REPO_ROOT) -> int:
    """``explicit``, else ``SOURCE_DATE_EPOCH``, else the last commit's time, else a fixed instant."""
    if explicit is not None:
        return explicit
    if from_env := os.environ.get(SOURCE_DATE_EPOCH_ENV, "").strip():
        try:
            return int(from_env)
        except ValueError:
            raise ValueError(f"{SOURCE_DATE_EPOCH_ENV}: must be an integer, got {from_env!r}") from None
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=True
        )
        return int(done.stdout.strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return FALLBACK_SOURCE_DATE_EPOCH


def git_revision(root: Path = REPO_ROOT) -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def source_files(name: str, root: Path = REPO_ROOT) -> tuple[ContextFile, ...]:
    """The Dockerfile, the dependency pruner, the shared packages and the image's handler."""
    image_dir = root / IMAGES_DIR.relative_to(REPO_ROOT) / name
    files = [ContextFile("Dockerfile", image_dir / "Dockerfile"), ContextFile(PRUNE_SCRIPT, Path(pruning.__file__))]
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and path.suffix in SOURCE_SUFFIXES and "__pycache__" not in relative.parts:
                files.append(ContextFile(f"{CONTEXT_SOURCE}/{relative.as_posix()}", path))
    files.append(ContextFile(f"{CONTEXT_SOURCE}/handler.py", image_dir / "handler.py"))
    return tuple(files)


def repository_name(repository_prefix: str, image: str) -> str:
    """The ECR repository of ``image``, named as infra/terraform/ecr.tf names it: ``<prefix>-<image>``."""
    return f"{repository_prefix}-{image}"


def image_definition(
    name: str,
    base: BaseImage,
    *,
    epoch: int | None = None,
    root: Path = REPO_ROOT,
    lock: Path = LOCK_FILE,
    repository_prefix: str = REPOSITORY_PREFIX,
    version: str | None = None,
    revision: str | None = None,
) -> ImageDefinition:
    """The definition of image ``name`` on ``base`` (wheels for the base's own Python)."""
    if name not in IMAGE_NAMES:
        raise ValueError(f"image: must be one of {', '.join(IMAGE_NAMES)}, got {name!r}")
    when = source_date_epoch(epoch, root)
    labels: Mapping[str, str] = {
        "org.opencontainers.image.title": f"serverless-sweep {name} Lambda",
        "org.opencontainers.image.created": iso_time(when),
        "org.opencontainers.image.revision": revision if revision is not None else git_revision(root),
        "org.opencontainers.image.version": version if version is not None else code_version(),
        "org.opencontainers.image.base.name": base.ref,
        "serverless-sweep.python": base.python_version,
    }
    return ImageDefinition(
        name=name,
        repository=repository_name(repository_prefix, name),
        base=base,
        files=source_files(name, root),
        wheels=WheelSet(lock, base.python_version, base.wheel_platforms),
        source_date_epoch=when,
        labels=tuple(sorted(labels.items())),
    )


def image_definitions(
    base: BaseImage,
    *,
    epoch: int | None = None,
    root: Path = REPO_ROOT,
    lock: Path = LOCK_FILE,
    repository_prefix: str = REPOSITORY_PREFIX,
    version: str | None = None,
    revision: str | None = None,
) -> dict[str, ImageDefinition]:
    """Both images' definitions, parent first, sharing one epoch, version and revision."""
    when = source_date_epoch(epoch, root)
    version = version if version is not None else code_version()
    revision = revision if revision is not None else git_revision(root)
    return {
        name: image_definition(
            name,
            base,
            epoch=when,
            root=root,
            lock=lock,
            repository_prefix=repository_prefix,
            version=version,
            revision=revision,
        )
        for name in IMAGE_NAMES
    }
