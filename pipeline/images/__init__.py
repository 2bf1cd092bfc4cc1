"""The Lambda container images: definitions as data, the local base, engines, push and smoke.

Entry points for ``python -m pipeline ci``: ``build_images`` (then ``push_images``,
``smoke_images``), ``check_reproducible``, and ``ImageStack`` (the sweep on the emulator with
image functions pinned by digest)."""

from pipeline.images.bases import LOCAL_BASE_RECIPE, PRODUCTION_BASE, BaseImage, LocalBaseRecipe
from pipeline.images.build import (
    BASE_CHOICES,
    ImageBuild,
    NotReproducible,
    build_images,
    check_reproducible,
    push_images,
    resolve_base,
    smoke_images,
)
from pipeline.images.definitions import ContextFile, ImageDefinition, image_definition, image_definitions
from pipeline.images.emulated import ImageStack
from pipeline.images.engines import DaggerEngine, Engine, HostEngine, ImageRef, choose_engine
from pipeline.images.exceptions import (
    BaseImageUnavailable,
    EngineUnavailable,
    ImageBuildFailed,
    ImageError,
    PushFailed,
    SmokeTestFailed,
    WheelDownloadFailed,
)
from pipeline.images.local_base import ensure_local_base
from pipeline.images.publish import Registry
from pipeline.images.wheels import WheelSet, ensure_wheels

__all__ = [
    "BASE_CHOICES",
    "LOCAL_BASE_RECIPE",
    "PRODUCTION_BASE",
    "BaseImage",
    "BaseImageUnavailable",
    "ContextFile",
    "DaggerEngine",
    "Engine",
    "EngineUnavailable",
    "HostEngine",
    "ImageBuild",
    "ImageBuildFailed",
    "ImageDefinition",
    "ImageError",
    "ImageRef",
    "ImageStack",
    "LocalBaseRecipe",
    "NotReproducible",
    "PushFailed",
    "Registry",
    "SmokeTestFailed",
    "WheelDownloadFailed",
    "WheelSet",
    "build_images",
    "check_reproducible",
    "choose_engine",
    "ensure_local_base",
    "ensure_wheels",
    "image_definition",
    "image_definitions",
    "push_images",
    "resolve_base",
    "smoke_images",
]
