"""What every build engine offers, and what it hands back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pipeline.images.definitions import ImageDefinition


@dataclass(frozen=True)
class ImageRef:
    """A built image: the reference to run or push it by, and its content identities.

    ``image_id`` is the sha256 of the image config (what a local daemon calls the image ID: it
    covers every layer's content); ``digest`` is the registry manifest digest, known once the
    image is published, and then ``reference`` is ``repository@digest``."""

    name: str
    reference: str
    image_id: str | None = None
    digest: str | None = None
    size_bytes: int | None = None


class Engine(Protocol):
    """Executes build definitions: the host's docker daemon, or a Dagger engine."""

    name: str

    def build(self, definition: ImageDefinition) -> ImageRef:
        """Build the image; the result is usable by ``publish``."""
        ...

    def login(self, registry: str, username: str, password: str) -> None:
        """Credentials for pushes to ``registry`` (ECR's token; the emulator needs none)."""
        ...

    def publish(self, definition: ImageDefinition, image: ImageRef, address: str) -> ImageRef:
        """Push one platform with Docker v2 media types to ``address`` (``registry/repo:tag``);
        the returned reference is ``registry/repo@sha256:...``."""
        ...
