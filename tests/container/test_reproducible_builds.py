"""Building each image twice from clean caches (``--no-cache``) gives identical image IDs, and
so identical manifest digests when pushed. Slow: four uncached builds."""

from __future__ import annotations

import pytest

from pipeline.docker import DockerDaemon
from pipeline.images import check_reproducible
from pipeline.images.constants import IMAGE_NAMES


@pytest.mark.slow
def test_each_image_built_twice_from_clean_caches_has_the_same_image_id(docker_daemon: DockerDaemon) -> None:
    first, second = check_reproducible(base="local", daemon=docker_daemon)

    for name in IMAGE_NAMES:
        assert first.images[name].image_id == second.images[name].image_id
        assert first.images[name].image_id is not None and first.images[name].image_id.startswith("sha256:")
    assert first.images["parent"].image_id != first.images["child"].image_id
