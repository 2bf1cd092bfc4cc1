"""A clean build (``--no-cache``) of each image has the image ID of the session's build, so its
manifest digest when pushed is the same. On a fresh clone the session's build is itself the
daemon's first, clean, build (or reuses the layers such a build made). Slow: two uncached builds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipeline.docker import DockerDaemon
from pipeline.images import ImageBuild, check_reproducible
from pipeline.images.constants import IMAGE_NAMES


@pytest.mark.slow
def test_a_clean_build_of_each_image_has_the_session_builds_image_id(
    image_build: ImageBuild, docker_daemon: DockerDaemon, record_property: Callable[[str, object], None]
) -> None:
    first, second = check_reproducible(base="local", daemon=docker_daemon, against=image_build)

    for name in IMAGE_NAMES:
        assert first.images[name].image_id == second.images[name].image_id
        assert first.images[name].image_id is not None and first.images[name].image_id.startswith("sha256:")
        record_property(
            f"{name} image ID, two builds", f"{first.images[name].image_id} == {second.images[name].image_id}"
        )
    assert first.images["parent"].image_id != first.images["child"].image_id
