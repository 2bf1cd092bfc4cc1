"""Pushing built images to an ECR registry (AWS's, or the emulator's) and pinning their digests.

The digest a push reports is cross-checked with ECR's own record (``describe_images``) and the
manifest's media type with ``batch_get_image``: Lambda takes a single-platform Docker v2
manifest, not an OCI index. What comes back, ``registry/repo@sha256:...``, is what functions
are created with; nothing downstream re-derives it."""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pipeline.images.constants import MANIFEST_MEDIA_TYPE
from pipeline.images.definitions import ImageDefinition
from pipeline.images.engines import Engine, ImageRef
from pipeline.images.exceptions import PushFailed


@dataclass(frozen=True)
class Registry:
    """A registry host (``host[:port]``) and an ECR client of the same account."""

    host: str
    ecr: Any

    @classmethod
    def of_endpoint(cls, endpoint_url: str, ecr: Any) -> Registry:
        """The emulator's registry: its Docker registry API is served on the gateway port."""
        return cls(urlsplit(endpoint_url).netloc, ecr)

    @classmethod
    def of_aws(cls, ecr: Any) -> Registry:
        """The account's private ECR registry in the client's region."""
        registry_id = ecr.describe_registry()["registryId"]
        return cls(f"{registry_id}.dkr.ecr.{ecr.meta.region_name}.amazonaws.com", ecr)

    @property
    def needs_login(self) -> bool:
        """Loopback registries (the emulator's) take no credentials; ECR does."""
        name = self.host.rsplit(":", 1)[0]
        try:
            return not ipaddress.ip_address(name).is_loopback
        except ValueError:
            return name != "localhost"


def image_tag(image: ImageRef) -> str:
    """A tag unique to the image's content (ECR repositories may have immutable tags)."""
    if image.image_id is None:
        raise PushFailed(f"{image.name}: no image ID to derive a tag from; pass a tag")
    return f"sha-{image.image_id.removeprefix('sha256:')[:16]}"


def ensure_repository(ecr: Any, name: str) -> None:
    try:
        ecr.describe_repositories(repositoryNames=[name])
    except ecr.exceptions.RepositoryNotFoundException:
        ecr.create_repository(repositoryName=name)


def ecr_login(engine: Engine, registry: Registry) -> None:
    token = registry.ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    username, password = base64.b64decode(token).decode().split(":", 1)
    engine.login(registry.host, username, password)


def registry_digest(ecr: Any, repository: str, tag: str) -> str:
    """The digest ECR holds for ``repository:tag``, after checking the manifest is Docker v2."""
    images = ecr.batch_get_image(
        repositoryName=repository, imageIds=[{"imageTag": tag}], acceptedMediaTypes=[MANIFEST_MEDIA_TYPE]
    )["images"]
    if not images:
        raise PushFailed(f"{repository}:{tag} is not in the registry after the push")
    media_type = images[0].get("imageManifestMediaType")
    if media_type not in (None, MANIFEST_MEDIA_TYPE):
        raise PushFailed(f"{repository}:{tag} has manifest media type {media_type}, not {MANIFEST_MEDIA_TYPE}")
    details = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])["imageDetails"]
    return str(details[0]["imageDigest"])


def push(
    images: Mapping[str, ImageRef],
    definitions: Mapping[str, ImageDefinition],
    engine: Engine,
    registry: Registry,
    *,
    tag: str | None = None,
    create_repositories: bool = True,
) -> dict[str, ImageRef]:
    """Push each image; ``reference`` of each result is ``registry/repo@sha256:...``."""
    if registry.needs_login:
        ecr_login(engine, registry)
    pushed: dict[str, ImageRef] = {}
    for name, image in images.items():
        definition = definitions[name]
        if create_repositories:
            ensure_repository(registry.ecr, definition.repository)
        image_tag_ = tag or image_tag(image)
        result = engine.publish(definition, image, f"{registry.host}/{definition.repository}:{image_tag_}")
        recorded = registry_digest(registry.ecr, definition.repository, image_tag_)
        if recorded != result.digest:
            raise PushFailed(f"{name}: the push reported {result.digest} but ECR records {recorded}")
        pushed[name] = result
    return pushed
