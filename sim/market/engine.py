"""TODO(market helper): the simulation engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.market.types import PointResult
from sim.params import ParamValue


def simulate_points(
    points: Sequence[tuple[Mapping[str, ParamValue], np.random.SeedSequence]],
) -> list[PointResult]:
    """Simulate each (full parameter set, seed sequence) pair; results in input order.

    Each point's result depends only on its own parameters and seed sequence,
    never on which other points are in the batch."""
    raise NotImplementedError
