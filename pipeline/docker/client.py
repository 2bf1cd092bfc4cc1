"""The docker CLI bound to one daemon: ``DOCKER_HOST`` is passed to every call explicitly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.docker.constants import DOCKER_HOST_ENV
from pipeline.docker.exceptions import DockerError, DockerUnavailable

PING_TIMEOUT_SECONDS = 5.0


class DockerCli:
    """Runs ``docker`` against ``host`` (a ``unix://`` or ``tcp://`` address)."""

    def __init__(self, host: str, executable: str | None = None) -> None:
        found = executable or shutil.which("docker")
        if found is None:
            raise DockerUnavailable("no docker CLI on PATH")
        self.host = host
        self.executable = found

    @property
    def env(self) -> dict[str, str]:
        """The environment for any docker client of this daemon."""
        return {**os.environ, DOCKER_HOST_ENV: self.host}

    def run(
        self,
        args: Sequence[str],
        *,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> str:
        """Run ``docker ARGS``; its stdout, or ``DockerError`` with its stderr."""
        argv = [self.executable, *args]
        try:
            done = subprocess.run(
                argv,
                input=input,
                capture_output=True,
                env={**self.env, **(env or {})},
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as expired:
            raise DockerError(f"`docker {' '.join(args[:2])}` timed out after {timeout} s") from expired
        if done.returncode != 0:
            stderr = done.stderr.decode(errors="replace").strip()
            raise DockerError(f"`docker {' '.join(args)}` exited {done.returncode}: {stderr[-2000:]}")
        return done.stdout.decode(errors="replace")

    def ping(self) -> bool:
        try:
            self.run(["version", "--format", "{{.Server.Version}}"], timeout=PING_TIMEOUT_SECONDS)
        except DockerError:
            return False
        return True

    def inspect_image(self, ref: str) -> dict[str, Any] | None:
        """The image's ``docker image inspect`` record, or None when there is no such image."""
        try:
            return json.loads(self.run(["image", "inspect", ref]))[0]
        except DockerError:
            return None

    def image_id(self, ref: str) -> str | None:
        record = self.inspect_image(ref)
        return None if record is None else str(record["Id"])
