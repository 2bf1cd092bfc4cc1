"""Each point's random streams, derived from its own SeedSequence only.

Four independent PCG64 generators, children 0..3 of the point's SeedSequence. What
each draws depends only on parameters that no policy changes:

- ``placement``: the pool's initial cells and headings (num_drivers, city_size);
- ``requests``: request counts, origins and destinations, all up front
  (num_riders, request_rate, city_size, horizon_min);
- ``moves``: a cruising turn per pool driver per minute, in chunks of TURN_CHUNK
  turns (num_drivers, horizon_min), whether or not the driver is idle;
- ``dispatch``: two raw words, the keys of ridehail's random order and tie-breaks,
  drawn once; each minute's draws are hashes of (key, minute, request id)
  (kernel.counter_word), so nothing is consumed as the market evolves.

So two points given equal SeedSequences that differ only in policy (commission,
fares, reservation wage, patience, dispatch rule, equilibration) see the same
requests, the same initial placement and the same turn draws; and under ridehail's
rule, the same rank and tie-break draw for a request open in the same minute in both,
however their markets have drifted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_PLACEMENT, _MOVES, _REQUESTS, _DISPATCH = range(4)


def _child(seed: np.random.SeedSequence, key: int) -> np.random.Generator:
    # Like seed.spawn(), but without mutating the caller's SeedSequence, so the
    # same object passed twice gives the same streams.
    child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, key), pool_size=seed.pool_size)
    return np.random.Generator(np.random.PCG64(child))


@dataclass
class PointStreams:
    """Independent generators for initial placement, idle cruising, requests and dispatch."""

    placement: np.random.Generator
    moves: np.random.Generator
    requests: np.random.Generator
    dispatch: np.random.Generator

    @classmethod
    def from_seed(cls, seed: np.random.SeedSequence) -> PointStreams:
        return cls(
            placement=_child(seed, _PLACEMENT),
            moves=_child(seed, _MOVES),
            requests=_child(seed, _REQUESTS),
            dispatch=_child(seed, _DISPATCH),
        )
