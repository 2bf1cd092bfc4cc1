"""Build engines that execute image definitions: the host's Docker daemon and Dagger."""

from .choice import ENGINE_NAMES, EngineName, choose_engine
from .dagger_engine import DaggerEngine, container, publish_options, unavailable_reason
from .host import HostEngine, normalize_image
from .types import Engine, ImageRef

__all__ = [
    "ENGINE_NAMES",
    "DaggerEngine",
    "Engine",
    "EngineName",
    "HostEngine",
    "ImageRef",
    "choose_engine",
    "container",
    "normalize_image",
    "publish_options",
    "unavailable_reason",
]
