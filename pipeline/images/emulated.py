"""The sweep deployed on the emulator with image functions, pinned by the pushed digests.

An emulator that runs functions as containers on the project's network (its
``LAMBDA_DOCKER_FLAGS``), reachable from them through a relay on the network's gateway (the
emulator itself listens on loopback only); the images pushed to its ECR; both functions
created with ``ImageUri=registry/repo@sha256:...``; the API in front, as with zip packages."""

from __future__ import annotations

import contextlib
import socket
from types import TracebackType

from aws_adapters import client
from pipeline.deploy import Deployment, DeploymentNames, ImageCode, deploy
from pipeline.deploy.deployer import DEFAULT_REGION
from pipeline.docker import DockerDaemon, DockerError, FunctionNetwork, TcpRelay, ensure_daemon, ensure_network
from pipeline.emulator import Emulator
from pipeline.images.build import ImageBuild, push_images
from pipeline.images.engines import ImageRef
from pipeline.images.publish import Registry

IMAGE_STACK_PREFIX = "serverless-sweep-img"
# MiniStack labels every container it starts with its gateway address.
MINISTACK_INSTANCE_LABEL = "ministack.instance"


class ImageStack:
    """Emulator, relay, pushed images and deployment; everything stopped and removed on exit."""

    def __init__(
        self,
        build: ImageBuild,
        *,
        daemon: DockerDaemon | None = None,
        names: DeploymentNames | None = None,
        async_retry_base_seconds: float = 0.2,
    ) -> None:
        self.build = build
        self.daemon = daemon or ensure_daemon()
        self.names = names or DeploymentNames(prefix=IMAGE_STACK_PREFIX)
        self.network: FunctionNetwork = ensure_network(self.daemon.cli)
        self.emulator = Emulator(
            async_retry_base_seconds=async_retry_base_seconds,
            docker_flags=self.network.docker_flags(),
            extra_env=self.daemon.env,
        )
        self.relay: TcpRelay | None = None
        self.pushed: dict[str, ImageRef] = {}
        self.deployment: Deployment | None = None

    def start(self) -> ImageStack:
        self.emulator.start()
        try:
            port = self.emulator.port
            assert port is not None
            self.relay = TcpRelay((self.network.gateway, port), ("127.0.0.1", port)).start()
            ecr = client("ecr", endpoint_url=self.emulator.endpoint_url, region_name=DEFAULT_REGION)
            self.pushed = push_images(self.build, Registry.of_endpoint(self.emulator.endpoint_url, ecr))
            self.deployment = deploy(
                self.emulator.endpoint_url,
                names=self.names,
                parent_code=ImageCode(self.pushed["parent"].reference),
                child_code=ImageCode(self.pushed["child"].reference),
            )
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        port = self.emulator.port
        self.emulator.stop()
        if self.relay is not None:
            self.relay.stop()
            self.relay = None
        if port is not None:
            self._remove_function_containers(f"{socket.gethostname()}:{port}")

    def _remove_function_containers(self, instance: str) -> None:
        """The function containers this emulator started (MiniStack may leave them behind)."""
        cli = self.daemon.cli
        with contextlib.suppress(DockerError):
            ids = cli.run(["ps", "--all", "--quiet", "--filter", f"label={MINISTACK_INSTANCE_LABEL}={instance}"])
            if ids.split():
                cli.run(["rm", "--force", *ids.split()])

    def __enter__(self) -> ImageStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
