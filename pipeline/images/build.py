"""The image pipeline's entry points: build, check reproducibility, smoke-test, push.

``build_images`` resolves the base (AWS's when the engine can get it, otherwise the local
one), computes the definitions and runs them on the chosen engine; what it returns is what
``push_images`` and ``smoke_images`` take."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pipeline.docker import DockerDaemon, ensure_daemon, ensure_network
from pipeline.images.bases import PRODUCTION_BASE, BaseImage
from pipeline.images.constants import IMAGE_NAMES, REPOSITORY_PREFIX
from pipeline.images.definitions import ImageDefinition, image_definitions
from pipeline.images.engines import DaggerEngine, Engine, EngineName, HostEngine, ImageRef, choose_engine
from pipeline.images.exceptions import ImageBuildFailed
from pipeline.images.local_base import ensure_local_base
from pipeline.images.publish import Registry, push
from pipeline.images.smoke import Invocation, smoke_image

BaseChoice = Literal["auto", "local", "production"]
BASE_CHOICES: tuple[BaseChoice, ...] = ("auto", "local", "production")


class NotReproducible(ImageBuildFailed):
    """Two builds of the same inputs gave different image IDs."""


@dataclass
class ImageBuild:
    """Built images, with the engine and definitions that made them (push and smoke need both)."""

    engine: Engine
    definitions: dict[str, ImageDefinition]
    images: dict[str, ImageRef] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def resolve_base(choice: BaseChoice, engine: Engine) -> BaseImage:
    """``production``: AWS's pinned image; ``local``: the debootstrap base (built or loaded here);
    ``auto``: production when the engine can get it (Dagger pulls; the host daemon must
    already have it), otherwise local."""
    if choice == "production":
        return PRODUCTION_BASE
    if isinstance(engine, HostEngine):
        if choice == "auto" and engine.cli.image_id(PRODUCTION_BASE.ref):
            return PRODUCTION_BASE
        return ensure_local_base(engine.cli)
    if choice == "local":
        raise ImageBuildFailed("the local base lives in the host daemon; build on it with --engine host")
    return PRODUCTION_BASE


def make_engine(
    engine: EngineName | Engine = "auto", *, daemon: DockerDaemon | None = None, no_cache: bool = False
) -> Engine:
    if isinstance(engine, str):
        return choose_engine(engine, daemon=daemon or ensure_daemon(), no_cache=no_cache)
    return engine


def build_images(
    engine: EngineName | Engine = "auto",
    *,
    base: BaseChoice = "auto",
    names: Sequence[str] = IMAGE_NAMES,
    no_cache: bool = False,
    epoch: int | None = None,
    daemon: DockerDaemon | None = None,
    version: str | None = None,
    repository_prefix: str = REPOSITORY_PREFIX,
) -> ImageBuild:
    """Build ``names`` (default both) on ``engine``; ``no_cache`` builds from a clean cache.

    ``version`` (default: the code version) is the image's version label, so a release with a
    new version is a new digest; the repositories are ``<repository_prefix>-<name>``."""
    chosen = make_engine(engine, daemon=daemon, no_cache=no_cache)
    base_image = resolve_base(base, chosen)
    definitions = image_definitions(base_image, epoch=epoch, version=version, repository_prefix=repository_prefix)
    build = ImageBuild(chosen, {name: definitions[name] for name in names})
    for name, definition in build.definitions.items():
        started = time.perf_counter()
        build.images[name] = chosen.build(definition)
        build.seconds[name] = time.perf_counter() - started
    return build


def check_reproducible(
    *,
    base: BaseChoice = "auto",
    names: Sequence[str] = IMAGE_NAMES,
    daemon: DockerDaemon | None = None,
    against: ImageBuild | None = None,
) -> tuple[ImageBuild, ImageBuild]:
    """Build from clean caches (``--no-cache``) on the host engine and compare with ``against``
    (a build already made: a cached build's layers are what the first, clean, build produced),
    else with a second clean build; equal image IDs or ``NotReproducible``. Returns both builds
    (the second one's images stay tagged)."""
    daemon = daemon or ensure_daemon()
    first = against or build_images(HostEngine(daemon, no_cache=True), base=base, names=names)
    second = build_images(HostEngine(daemon, no_cache=True), base=base, names=names)
    differing = {
        name: (first.images[name].image_id, second.images[name].image_id)
        for name in names
        if first.images[name].image_id != second.images[name].image_id
    }
    if differing:
        raise NotReproducible(f"image IDs differ between two builds: {differing}")
    return first, second


def smoke_images(build: ImageBuild, *, daemon: DockerDaemon | None = None) -> dict[str, Invocation]:
    """One direct invocation of each built image through its entrypoint contract."""
    if isinstance(build.engine, DaggerEngine):
        raise ImageBuildFailed("smoke tests run images in the host daemon; build with --engine host")
    daemon = daemon or ensure_daemon()
    network = ensure_network(daemon.cli)
    return {
        name: smoke_image(name, image.image_id or image.reference, daemon, network)
        for name, image in build.images.items()
    }


def push_images(build: ImageBuild, registry: Registry, *, tag: str | None = None) -> dict[str, ImageRef]:
    """Push every built image; each result's ``reference`` is ``registry/repo@sha256:...``."""
    return push(build.images, build.definitions, build.engine, registry, tag=tag)
