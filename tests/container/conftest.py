"""Fixtures for tests that need a Docker engine: the pipeline's daemon (started when none
runs), the function network, the two images built on the local base by the host engine, and
the sweep deployed on the emulator with those images as functions.

All start lazily, once per session. Every test here carries the ``container`` marker."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pipeline.docker import DockerDaemon, DockerUnavailable, FunctionNetwork, ensure_daemon, ensure_network
from pipeline.images import ImageBuild, ImageStack, build_images
from tests.conftest import EMULATOR_CLIENT_ENV


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/container/" in item.nodeid:
            item.add_marker(pytest.mark.container)


@pytest.fixture(scope="session")
def docker_daemon() -> DockerDaemon:
    try:
        return ensure_daemon()
    except DockerUnavailable as error:
        pytest.skip(f"no Docker engine can run here: {error}")


@pytest.fixture(scope="session")
def function_network(docker_daemon: DockerDaemon) -> FunctionNetwork:
    return ensure_network(docker_daemon.cli)


@pytest.fixture(scope="session")
def image_build(docker_daemon: DockerDaemon) -> ImageBuild:
    """Both images, host engine, local base (built or loaded from .cache on first use)."""
    return build_images("host", base="local", daemon=docker_daemon)


@pytest.fixture(scope="session")
def image_stack(image_build: ImageBuild, docker_daemon: DockerDaemon) -> Iterator[ImageStack]:
    """The sweep on its own emulator, both functions created from the pushed image digests."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in EMULATOR_CLIENT_ENV.items():
            patch.setitem(os.environ, name, value)
        with ImageStack(image_build, daemon=docker_daemon) as stack:
            yield stack
