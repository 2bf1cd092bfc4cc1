"""The Dagger engine: ``docker_build`` from the definition, single-platform publish.

The pipeline's lazy part is ``container()``: it turns a definition and its staged context into
a Dagger ``Container`` without touching an engine (tests read its query chain). Only
``build``/``publish`` connect. The engine needs the Dagger CLI and its engine image, neither of
which can be downloaded on a machine without a registry: ``unavailable_reason`` says why
Dagger cannot run, looking only at local facts (it never triggers a download)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pipeline.docker import DockerCli, DockerError, ensure_daemon
from pipeline.images.context import stage_context
from pipeline.images.definitions import ImageDefinition
from pipeline.images.exceptions import EngineUnavailable, ImageBuildFailed, PushFailed
from pipeline.images.wheels import ensure_wheels
from pipeline.paths import user_cache_home

from .types import ImageRef

if TYPE_CHECKING:  # the SDK takes seconds to import: only the Dagger paths load it
    import dagger

DAGGER_VERSION = version("dagger-io")
ENGINE_IMAGE = f"registry.dagger.io/engine:v{DAGGER_VERSION}"
# Dagger's own variables: a session opened by `dagger run`, an explicit CLI, an explicit runner.
SESSION_PORT_ENV = "DAGGER_SESSION_PORT"
CLI_BIN_ENV = "_EXPERIMENTAL_DAGGER_CLI_BIN"
RUNNER_HOST_ENV = "_EXPERIMENTAL_DAGGER_RUNNER_HOST"

T = TypeVar("T")


def cli_binary() -> str | None:
    """A Dagger CLI already on this machine: explicit, on PATH, or in the SDK's cache."""
    if explicit := os.environ.get(CLI_BIN_ENV):
        return explicit if Path(explicit).exists() else None
    if on_path := shutil.which("dagger"):
        return on_path
    cache = user_cache_home() / "dagger" / f"dagger-{DAGGER_VERSION}"
    return str(cache) if cache.exists() else None


def unavailable_reason(docker: DockerCli | None = None) -> str | None:
    """Why a Dagger engine cannot start here, or None when it can."""
    if os.environ.get(SESSION_PORT_ENV):
        return None
    if cli_binary() is None:
        return f"no Dagger CLI {DAGGER_VERSION} on this machine (and it cannot be downloaded here)"
    if os.environ.get(RUNNER_HOST_ENV):
        return None
    try:
        docker = docker or ensure_daemon(start=False).cli
    except DockerError as error:
        return f"no container runtime for the Dagger engine: {error}"
    if docker.image_id(ENGINE_IMAGE) is None:
        return f"the Dagger engine image {ENGINE_IMAGE} is not present (and cannot be pulled here)"
    return None


def container(definition: ImageDefinition, context_dir: Path, client: dagger.Client | None = None) -> dagger.Container:
    """The image as a lazy Dagger container: ``docker_build`` of the staged context, labelled."""
    import dagger

    client = client or dagger.dag
    build_args = [dagger.BuildArg(name=name, value=value) for name, value in sorted(definition.build_args.items())]
    built = (
        client.host()
        .directory(str(context_dir))
        .docker_build(
            dockerfile=definition.dockerfile,
            platform=dagger.Platform(definition.platform),
            build_args=build_args,
        )
    )
    for name, value in definition.labels:
        built = built.with_label(name, value)
    return built


def publish_options(definition: ImageDefinition) -> dict[str, Any]:
    """``Container.publish`` keyword arguments: one platform, Docker v2 media types, gzip layers."""
    import dagger

    return {
        "media_types": getattr(dagger.ImageMediaTypes, definition.media_types),
        "forced_compression": dagger.ImageLayerCompression.Gzip,
    }


class DaggerEngine:
    """Runs the definitions on a Dagger engine (one connection per call: the engine caches)."""

    name = "dagger"

    def __init__(self) -> None:
        if reason := unavailable_reason():
            raise EngineUnavailable(f"Dagger engine cannot start: {reason}")
        if (cli := cli_binary()) is not None:
            os.environ.setdefault(CLI_BIN_ENV, cli)
        self._work = Path(tempfile.mkdtemp(prefix="dagger-contexts-"))
        self._auth: dict[str, tuple[str, str]] = {}

    def _context(self, definition: ImageDefinition) -> Path:
        staged = self._work / definition.name
        if not staged.exists():
            ensure_wheels(definition.wheels)
            stage_context(definition, staged)
        return staged

    def _run(self, step: Callable[[], Awaitable[T]]) -> T:
        import anyio
        import dagger

        async def connected() -> T:
            async with dagger.connection(dagger.Config(log_output=sys.stderr)):
                return await step()

        return anyio.run(connected)

    def build(self, definition: ImageDefinition) -> ImageRef:
        context_dir = self._context(definition)

        async def sync() -> str:
            built = await container(definition, context_dir).sync()
            return str(await built.id())

        from dagger import DaggerError

        try:
            container_id = self._run(sync)
        except DaggerError as error:
            raise ImageBuildFailed(f"{definition.name}: {error}") from error
        return ImageRef(definition.name, f"dagger-container:{container_id[:24]}")

    def login(self, registry: str, username: str, password: str) -> None:
        self._auth[registry] = (username, password)

    def publish(self, definition: ImageDefinition, image: ImageRef, address: str) -> ImageRef:
        context_dir = self._context(definition)
        registry = address.split("/", 1)[0]

        import dagger

        async def push() -> str:
            built = container(definition, context_dir)
            if registry in self._auth:
                username, password = self._auth[registry]
                secret = dagger.dag.set_secret(f"registry-{registry}", password)
                built = built.with_registry_auth(registry, username, secret)
            return await built.publish(address, **publish_options(definition))

        try:
            published = self._run(push)
        except dagger.DaggerError as error:
            raise PushFailed(f"{definition.name}: {error}") from error
        digest = published.rsplit("@", 1)[-1]
        return ImageRef(definition.name, published, image.image_id, digest)

    def close(self) -> None:
        shutil.rmtree(self._work, ignore_errors=True)
