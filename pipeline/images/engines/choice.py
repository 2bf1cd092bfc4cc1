"""Which engine runs the builds: Dagger where its engine can start, otherwise the host's daemon."""

from __future__ import annotations

from typing import Literal

from pipeline.docker import DockerDaemon
from pipeline.images.exceptions import EngineUnavailable

from .dagger_engine import DaggerEngine, unavailable_reason
from .host import HostEngine
from .types import Engine

EngineName = Literal["auto", "dagger", "host"]
ENGINE_NAMES: tuple[EngineName, ...] = ("auto", "dagger", "host")


def choose_engine(name: EngineName = "auto", *, daemon: DockerDaemon | None = None, no_cache: bool = False) -> Engine:
    """``dagger`` or ``host`` as asked; ``auto`` takes Dagger when it can start, else the host."""
    if name not in ENGINE_NAMES:
        raise EngineUnavailable(f"engine: must be one of {', '.join(ENGINE_NAMES)}, got {name!r}")
    if name == "dagger" or (name == "auto" and unavailable_reason(daemon.cli if daemon else None) is None):
        return DaggerEngine()
    return HostEngine(daemon, no_cache=no_cache)
