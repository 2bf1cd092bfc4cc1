"""Errors of the image builds."""

from __future__ import annotations

from sim.exceptions import SweepError


class ImageError(SweepError):
    """Base of the image pipeline's errors."""


class WheelDownloadFailed(ImageError):
    """pip could not download a lock file's wheels for the image's Python."""


class BaseImageUnavailable(ImageError):
    """The base image is neither present nor buildable here."""


class ImageBuildFailed(ImageError):
    """An engine could not build an image."""


class EngineUnavailable(ImageError):
    """The requested build engine cannot run on this machine."""


class PushFailed(ImageError):
    """An image could not be pushed, or the registry's digest disagrees with the push."""


class SmokeTestFailed(ImageError):
    """An image did not answer a direct invocation as expected."""
