"""The Docker daemon, CLI, function network and gateway relay that container work runs on."""

from pipeline.docker.client import DockerCli
from pipeline.docker.constants import DOCKER_HOST_ENV, HOST_ALIAS
from pipeline.docker.daemon import DockerDaemon, ensure_daemon, start_daemon, stop_daemon
from pipeline.docker.exceptions import DockerError, DockerUnavailable, PackageInstallFailed
from pipeline.docker.network import FunctionNetwork, ensure_network
from pipeline.docker.packages import ensure_commands
from pipeline.docker.relay import TcpRelay

__all__ = [
    "DOCKER_HOST_ENV",
    "HOST_ALIAS",
    "DockerCli",
    "DockerDaemon",
    "DockerError",
    "DockerUnavailable",
    "FunctionNetwork",
    "PackageInstallFailed",
    "TcpRelay",
    "ensure_commands",
    "ensure_daemon",
    "ensure_network",
    "start_daemon",
    "stop_daemon",
]
