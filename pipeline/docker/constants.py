"""The project's Docker daemon, its network and their environment, each named once."""

from __future__ import annotations

from pathlib import Path

from pipeline.paths import CACHE_DIR

# Every docker client (CLI, docker-py, testcontainers, the emulator) reads this.
DOCKER_HOST_ENV = "DOCKER_HOST"
# The daemon the pipeline starts when none answers: its state under .cache (kept between
# runs, so built images and the local base survive), its sockets and pid under /tmp (short
# paths: a unix socket path is limited to 107 bytes).
DATA_ROOT = CACHE_DIR / "docker" / "data"
RUN_DIR = Path("/tmp/serverless-sweep-docker")
SOCKET = RUN_DIR / "docker.sock"
EXEC_ROOT = RUN_DIR / "exec"
PID_FILE = RUN_DIR / "dockerd.pid"
START_LOCK = RUN_DIR / ".start.lock"
NETWORK_LOCK = RUN_DIR / ".network.lock"
LOG_FILE = CACHE_DIR / "docker" / "dockerd.log"
SYSTEM_SOCKET = Path("/var/run/docker.sock")
READY_TIMEOUT_SECONDS = 30.0

# No iptables and no default bridge: nothing of the host's network setup is touched. Function
# containers use the user-defined network below instead (the default bridge gets no address).
DOCKERD_FLAGS = ("--storage-driver", "overlay2", "--iptables=false", "--bridge=none")

# The user-defined network for function containers; its gateway is the host's address on it.
NETWORK_NAME = "serverless-sweep"
NETWORK_SUBNET = "172.30.0.0/24"
NETWORK_GATEWAY = "172.30.0.1"
# Containers reach the host (the emulator) under this name, as on Docker Desktop.
HOST_ALIAS = "host.docker.internal"

# Debian packages providing the commands the pipeline runs.
DEBIAN_PACKAGES = {"dockerd": "docker.io", "debootstrap": "debootstrap"}
