"""Each image answers a direct invocation through the local base's entrypoint contract: the
container started and removed by testcontainers (its reaper disabled: it cannot be pulled)."""

from __future__ import annotations

import pytest

from pipeline.docker import DockerDaemon, FunctionNetwork
from pipeline.images import ImageBuild
from pipeline.images.smoke import SMOKE_CASES, smoke_image


def exists(daemon: DockerDaemon, container_id: str | None) -> bool:
    assert container_id
    return bool(daemon.cli.run(["ps", "--all", "--quiet", "--no-trunc", "--filter", f"id={container_id}"]).strip())


def test_parent_image_answers_an_invalid_request_with_its_own_400(
    image_build: ImageBuild, docker_daemon: DockerDaemon, function_network: FunctionNetwork
) -> None:
    image = image_build.images["parent"]

    result = smoke_image("parent", image.reference, docker_daemon, function_network)

    assert result.status == 200 and result.payload["statusCode"] == 400
    assert result.payload["body"]["message"] == "Invalid request"
    assert any(error.startswith("dimensions") for error in result.payload["body"]["errors"])
    assert "REPORT RequestId: smoke-1\tDuration: " in result.log
    assert not exists(docker_daemon, result.container_id)


def test_child_image_revalidates_its_payload_and_rejects_it_naming_the_fields(
    image_build: ImageBuild, docker_daemon: DockerDaemon, function_network: FunctionNetwork
) -> None:
    image = image_build.images["child"]

    result = smoke_image("child", image.reference, docker_daemon, function_network)

    assert (result.status, result.headers.get("X-Amz-Function-Error")) == (200, None)
    assert result.payload["status"] == "rejected"
    assert "dimensions: required" in result.payload["errors"]
    assert not exists(docker_daemon, result.container_id)


@pytest.mark.parametrize("name", sorted(SMOKE_CASES))
def test_images_are_single_platform_amd64_with_the_lambda_entrypoint_and_handler(
    name: str, image_build: ImageBuild, docker_daemon: DockerDaemon
) -> None:
    record = docker_daemon.cli.inspect_image(image_build.images[name].reference)

    assert record is not None
    assert (record["Os"], record["Architecture"]) == ("linux", "amd64")
    assert record["Config"]["Entrypoint"] == ["/lambda-entrypoint.sh"]
    assert record["Config"]["Cmd"] == ["handler.handler"]
    assert record["Config"]["WorkingDir"] == "/var/task"
    assert record["Created"].startswith(
        image_build.definitions[name].label_map["org.opencontainers.image.created"][:19]
    )
