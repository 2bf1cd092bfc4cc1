"""simulate_points: each point run on its own by the compiled kernel, results in input order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.market.compiled import kernels
from sim.market.constants import COUNTERS, DISPATCH_KEYS, ONLINE, TURN_CHUNK
from sim.market.requests import draw_requests
from sim.market.results import point_result
from sim.market.spec import PointSpec
from sim.market.streams import PointStreams
from sim.market.types import PointResult
from sim.params import ParamValue


def simulate_points(
    points: Sequence[tuple[Mapping[str, ParamValue], np.random.SeedSequence]],
) -> list[PointResult]:
    """Simulate each (full parameter set, seed sequence) pair; results in input order.

    Every point is validated before any is simulated. A point's result depends only
    on its own parameters and seed sequence: it is simulated alone, drawing from its
    own streams."""
    specs = [PointSpec.from_params(params) for params, _ in points]
    return [simulate_point(spec, PointStreams.from_seed(seed)) for spec, (_, seed) in zip(specs, points, strict=True)]


def simulate_point(spec: PointSpec, streams: PointStreams) -> PointResult:
    """One point, minute 0 to the horizon, in chunks of drawn cruising turns."""
    pool, size, horizon = spec.pool, spec.city_size, spec.horizon_min
    requests = draw_requests(spec, streams)
    total = requests.shape[1]
    outcome = np.full((5, total), -1, dtype=np.int32)  # driver, matched, pickup, dropoff, abandoned
    placed = streams.placement.integers(0, size, size=(2, pool)).astype(np.int32)
    heading = streams.placement.integers(0, 4, size=pool).astype(np.int8)
    online = np.arange(pool) < spec.initial_online()
    counters = np.zeros(COUNTERS, dtype=np.int64)
    counters[ONLINE] = int(online.sum())
    state = (
        np.empty(total, dtype=np.int64),  # open request ids, oldest first
        placed[0].copy(),  # x
        placed[1].copy(),  # y
        heading,
        np.full(pool, -1, dtype=np.int32),  # pickup_at: P2 before, P3 from
        np.full(pool, -1, dtype=np.int32),  # free_at: idle (P1) from
        online,
        online.copy(),  # moving: idle and online at the end of the last minute
        np.zeros((4, horizon), dtype=np.int32),  # online, P1, P2, P3 per minute
        counters,
    )
    # The keys of ridehail's random order and tie-breaks (unused by the oldest-first rule).
    keys = streams.dispatch.bit_generator.random_raw(DISPATCH_KEYS)
    chunk = max(1, TURN_CHUNK // pool)
    for start in range(0, horizon, chunk):
        stop = min(start + chunk, horizon)
        turns = streams.moves.bit_generator.random_raw(-(-(stop - start) * pool // 16)).view(np.uint8)
        kernels().advance(
            start, stop, size, spec.patience_min, horizon, spec.equilibrate,
            spec.equilibration_interval_min, spec.busy_hour_payout, spec.reservation_wage,
            spec.batch_dispatch, turns, keys, requests, outcome, *state,
        )  # fmt: skip
    return point_result(spec, requests, outcome, state[-2])
