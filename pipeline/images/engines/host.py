"""The host engine: the docker CLI against the pipeline's (or the system's) Docker daemon.

Debian's docker.io 20.10 has no usable BuildKit here (the CLI's buildx plugin is missing and
its embedded BuildKit predates ``SOURCE_DATE_EPOCH``), so builds use the classic builder and are
then made reproducible: the built image is saved, every layer the Dockerfile added is rewritten
with every mtime set to ``SOURCE_DATE_EPOCH``, the config loses its build-container identities and
timestamps, and the result is loaded back under the definition's repository. Same inputs, same
image ID; pushes of it get the same manifest digest."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from pipeline.docker import DockerCli, DockerDaemon, DockerError, ensure_daemon
from pipeline.images.archive import SavedImage, normalize_config, normalize_layer, write_archive
from pipeline.images.constants import BASE_CACHE
from pipeline.images.context import stage_context
from pipeline.images.definitions import ImageDefinition
from pipeline.images.exceptions import BaseImageUnavailable, ImageBuildFailed, PushFailed
from pipeline.images.wheels import ensure_wheels

from .types import ImageRef

LOCAL_TAG = "latest"
# Raw image ID + epoch -> the normalized image's ID, for builds that were full cache hits.
NORMALIZED_CACHE = BASE_CACHE.parent / "normalized"
_PUSHED_DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")
# The classic builder; BuildKit needs the buildx plugin, which Debian's docker.io lacks.
_CLASSIC_BUILDER = {"DOCKER_BUILDKIT": "0"}


class HostEngine:
    """Builds with ``docker build`` and makes the result reproducible (see the module doc)."""

    name = "host"

    def __init__(self, daemon: DockerDaemon | None = None, *, no_cache: bool = False) -> None:
        self.daemon = daemon or ensure_daemon()
        self.no_cache = no_cache

    @property
    def cli(self) -> DockerCli:
        return self.daemon.cli

    def build(self, definition: ImageDefinition) -> ImageRef:
        base = self.cli.inspect_image(definition.base.ref)
        if base is None:
            raise BaseImageUnavailable(
                f"base image {definition.base.ref} is not in the daemon at {self.daemon.host} "
                "(this machine cannot pull; build on the local base)"
            )
        ensure_wheels(definition.wheels)
        # The image the tag named before is left in the daemon, untagged: it shares every layer but
        # the code's with the new one, and another build or push on this daemon may still use it
        # by ID (removing it here broke concurrent test processes mid-push).
        tag = f"{definition.repository}:{LOCAL_TAG}"
        with tempfile.TemporaryDirectory(prefix="image-build-") as work:
            context = stage_context(definition, Path(work) / "context")
            raw_id = self._docker_build(definition, context, Path(work) / "iid")
            image_id = normalize_image(
                self.cli, raw_id, base["RootFS"]["Layers"], definition.source_date_epoch, tag, Path(work)
            )
        record = self.cli.inspect_image(image_id)
        return ImageRef(definition.name, tag, image_id, size_bytes=record["Size"] if record else None)

    def _docker_build(self, definition: ImageDefinition, context: Path, iidfile: Path) -> str:
        argv = ["build", "--network=none", "--force-rm", "--iidfile", str(iidfile)]
        argv += ["--platform", definition.platform, "--file", str(context / definition.dockerfile)]
        if self.no_cache:
            argv.append("--no-cache")
        for name, value in definition.build_args.items():
            argv += ["--build-arg", f"{name}={value}"]
        for name, value in definition.labels:
            argv += ["--label", f"{name}={value}"]
        try:
            self.cli.run([*argv, str(context)], env=_CLASSIC_BUILDER)
        except DockerError as error:
            raise ImageBuildFailed(f"{definition.name}: {error}") from error
        return iidfile.read_text().strip()

    def login(self, registry: str, username: str, password: str) -> None:
        self.cli.run(["login", "--username", username, "--password-stdin", registry], input=password.encode())

    def publish(self, definition: ImageDefinition, image: ImageRef, address: str) -> ImageRef:
        source = image.image_id or image.reference
        try:
            self.cli.run(["tag", source, address])
            output = self.cli.run(["push", address])
        except DockerError as error:
            raise PushFailed(f"{definition.name}: {error}") from error
        found = _PUSHED_DIGEST.findall(output)
        if not found:
            raise PushFailed(f"{definition.name}: `docker push {address}` reported no digest:\n{output[-500:]}")
        repository = address.rsplit(":", 1)[0] if ":" in address.rsplit("/", 1)[-1] else address
        return ImageRef(definition.name, f"{repository}@{found[-1]}", image.image_id, found[-1], image.size_bytes)


def normalize_image(cli: DockerCli, image_id: str, base_layers: list[str], epoch: int, tag: str, work: Path) -> str:
    """Rewrite the layers above the base with mtimes set to the epoch, clean the config, load the result
    as ``tag``; returns the new image ID. A build that was a full cache hit gives the same raw
    image, whose normalized twin is remembered and just tagged again."""
    memo = NORMALIZED_CACHE / f"{image_id.removeprefix('sha256:')}-{epoch}"
    if memo.exists() and cli.image_id(known := memo.read_text().strip()):
        cli.run(["tag", known, tag])
        return known
    saved_path = work / "saved.tar"
    cli.run(["save", "--output", str(saved_path), image_id])
    saved = SavedImage.read(saved_path)
    diff_ids = list(saved.config["rootfs"]["diff_ids"])
    keep = len(base_layers) if diff_ids[: len(base_layers)] == base_layers else 0
    layers: list[tuple[str, Path | None]] = [(diff_id, None) for diff_id in diff_ids[:keep]]
    for index in range(keep, len(diff_ids)):
        rewritten = work / f"layer-{index}.tar"
        with saved.layer(index) as source, open(rewritten, "wb") as out:
            layers.append((normalize_layer(source, out, epoch), rewritten))
    saved_path.unlink()
    archive = work / "normalized.tar"
    config = normalize_config(saved.config, epoch, [diff_id for diff_id, _ in layers])
    new_id = write_archive(archive, config, layers, [tag])
    cli.run(["load", "--input", str(archive)])
    memo.parent.mkdir(parents=True, exist_ok=True)
    memo.write_text(new_id + "\n")
    return new_id
