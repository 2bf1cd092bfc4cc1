"""The release's images: built with its code version, pushed to ECR, pinned by the pushed digests.

The image pipeline (``pipeline.images``) does the work; a release adds two things. The code
version goes into the definitions (the image's ``org.opencontainers.image.version`` label, so a
new release is a new digest even where only the version changed), and the repositories are
Terraform's, ``<name_prefix>-parent`` and ``<name_prefix>-child``. The URIs that come back are
``registry/repository@sha256:…`` as ECR recorded them; nothing downstream re-derives them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pipeline.docker import DockerDaemon
from pipeline.images import ImageBuild, Registry
from pipeline.images.build import BaseChoice, build_images
from pipeline.images.constants import IMAGE_NAMES
from pipeline.images.engines import EngineName
from pipeline.images.publish import push
from pipeline.infra import ImageUris
from pipeline.release.exceptions import ImagesUnavailable


@dataclass(frozen=True)
class PushedImages:
    """What a release pushed: the digest-pinned pair, and how long building and pushing took."""

    uris: ImageUris
    build_seconds: dict[str, float]
    push_seconds: float


def build_release_images(
    code_version: str,
    *,
    name_prefix: str,
    engine: EngineName = "auto",
    base: BaseChoice = "auto",
    daemon: DockerDaemon | None = None,
) -> ImageBuild:
    """Both images, labelled with ``code_version`` and named for the stack's repositories."""
    return build_images(engine, base=base, daemon=daemon, version=code_version, repository_prefix=name_prefix)


def require_repositories(ecr: Any, repositories: list[str]) -> None:
    """In AWS the repositories are Terraform's (bootstrap apply); a release never creates them."""
    missing = []
    for repository in repositories:
        try:
            ecr.describe_repositories(repositoryNames=[repository])
        except ecr.exceptions.RepositoryNotFoundException:
            missing.append(repository)
    if missing:
        raise ImagesUnavailable(
            f"ECR repositories {', '.join(missing)} do not exist: run the bootstrap apply first "
            "(docs/RUNBOOK.md, 'Deploy')"
        )


def push_release_images(build: ImageBuild, registry: Registry, *, create_repositories: bool) -> PushedImages:
    """Push both images; the pair pinned by the digests ECR recorded for them."""
    if not create_repositories:
        require_repositories(registry.ecr, [d.repository for d in build.definitions.values()])
    started = time.perf_counter()
    pushed = push(build.images, build.definitions, build.engine, registry, create_repositories=create_repositories)
    uris = ImageUris(parent=pushed["parent"].reference, child=pushed["child"].reference)
    return PushedImages(uris, dict(build.seconds), time.perf_counter() - started)


def require_images(ecr: Any, uris: ImageUris) -> None:
    """Both images of a pair are still in ECR (a rollback reaches back only as far as ECR keeps)."""
    for name, uri in zip(IMAGE_NAMES, (uris.parent, uris.child), strict=True):
        repository, digest = uri.split("/", 1)[1].split("@", 1)
        try:
            ecr.describe_images(repositoryName=repository, imageIds=[{"imageDigest": digest}])
        except (ecr.exceptions.ImageNotFoundException, ecr.exceptions.RepositoryNotFoundException) as error:
            raise ImagesUnavailable(
                f"{name} image {uri} is no longer in ECR ({error.response['Error']['Code']}): "
                "expired by the lifecycle policy, or pushed to an emulator that has since restarted"
            ) from error
