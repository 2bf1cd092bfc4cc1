"""The Dagger pipeline's query chain, read from the SDK's lazy objects: no engine runs here.

A Dagger object records its GraphQL selections (``obj._ctx.selections``) until something awaits
it; these tests build the chain from a definition and check it field by field."""

from __future__ import annotations

from pathlib import Path

import dagger
import pytest

from pipeline.images.bases import PRODUCTION_BASE
from pipeline.images.constants import IMAGE_NAMES
from pipeline.images.definitions import ImageDefinition, image_definition
from pipeline.images.engines import container, publish_options

CONTEXT = Path("/tmp/staged-context")


def definition(name: str = "child", epoch: int = 1_700_000_000) -> ImageDefinition:
    return image_definition(name, PRODUCTION_BASE, epoch=epoch, version="1.2.3", revision="abc123")


def chain(obj: object) -> list[tuple[str, dict[str, object]]]:
    return [(field.name, field.args) for field in obj._ctx.selections]  # type: ignore[attr-defined]


def test_chain_without_engine_is_a_docker_build_of_the_staged_host_directory() -> None:
    steps = chain(container(definition(), CONTEXT))

    assert [name for name, _ in steps[:3]] == ["host", "directory", "dockerBuild"]
    assert steps[1][1] == {"path": str(CONTEXT)}


def test_docker_build_without_engine_gets_the_platform_dockerfile_and_build_args() -> None:
    _, args = chain(container(definition(), CONTEXT))[2]

    assert args["platform"] == "linux/amd64"
    assert args.get("dockerfile", "Dockerfile") == "Dockerfile"  # the SDK omits its default
    assert args["buildArgs"] == [
        {"name": "BASE_IMAGE", "value": PRODUCTION_BASE.ref},
        {"name": "SOURCE_DATE_EPOCH", "value": "1700000000"},
    ]


def test_labels_become_with_label_steps_after_the_build_without_engine() -> None:
    spec = definition()

    steps = chain(container(spec, CONTEXT))[3:]

    assert steps == [("withLabel", {"name": k, "value": v}) for k, v in spec.labels]


def test_publish_options_without_engine_are_docker_v2_media_types_and_gzip_layers() -> None:
    options = publish_options(definition())

    assert options == {
        "media_types": dagger.ImageMediaTypes.DockerMediaTypes,
        "forced_compression": dagger.ImageLayerCompression.Gzip,
    }


def test_equal_definitions_give_equal_chains_without_engine() -> None:
    assert container(definition(), CONTEXT)._ctx == container(definition(), CONTEXT)._ctx


def test_a_new_source_date_epoch_changes_the_chain_without_engine() -> None:
    assert chain(container(definition(epoch=1), CONTEXT)) != chain(container(definition(epoch=2), CONTEXT))


@pytest.mark.parametrize("name", IMAGE_NAMES)
def test_each_image_has_its_own_title_in_the_chain_without_engine(name: str) -> None:
    labels = {
        args["name"]: args["value"] for step, args in chain(container(definition(name), CONTEXT)) if step == "withLabel"
    }

    assert labels["org.opencontainers.image.title"] == f"serverless-sweep {name} Lambda"
