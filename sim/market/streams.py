"""Each point's random streams, derived from its own SeedSequence only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_INIT, _MOVES, _REQUESTS = range(3)


def _child(seed: np.random.SeedSequence, key: int) -> np.random.Generator:
    # Like seed.spawn(), but without mutating the caller's SeedSequence, so the
    # same object passed twice gives the same streams.
    child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, key), pool_size=seed.pool_size)
    return np.random.Generator(np.random.PCG64(child))


@dataclass
class PointStreams:
    """Independent generators for initial placement, idle cruising and requests."""

    init: np.random.Generator
    moves: np.random.Generator
    requests: np.random.Generator

    @classmethod
    def from_seed(cls, seed: np.random.SeedSequence) -> PointStreams:
        return cls(init=_child(seed, _INIT), moves=_child(seed, _MOVES), requests=_child(seed, _REQUESTS))
