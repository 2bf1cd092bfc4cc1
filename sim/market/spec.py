"""One point's parameters as the engine uses them, with derived constants."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.market.constants import MINUTES_PER_HOUR
from sim.market.exceptions import PointInvalid
from sim.params import ParamValue

# Every request of a point is kept (it becomes a trip_data row): bound their number.
MAX_POINT_REQUESTS = 1 << 22


@cache
def mean_trip_blocks(city_size: int) -> float:
    """Expected Manhattan distance between two distinct uniform cells of the wrapping grid."""
    offsets = np.arange(city_size)
    per_axis = float(np.minimum(offsets, city_size - offsets).mean())
    cells = city_size * city_size
    return 2.0 * per_axis * cells / (cells - 1)


@dataclass(frozen=True)
class PointSpec:
    """Typed parameters of one point plus the constants derived from them."""

    city_size: int
    pool: int
    riders: int
    request_rate: float
    commission_rate: float
    base_fare: float
    per_block_fare: float
    patience_min: int
    horizon_min: int
    warmup_min: int
    reservation_wage: float
    equilibrate: bool
    equilibration_interval_min: int
    snapshot_interval_min: int
    batch_dispatch: bool

    @classmethod
    def from_params(cls, params: Mapping[str, ParamValue]) -> PointSpec:
        spec = cls(
            city_size=int(params["city_size"]),
            pool=int(params["num_drivers"]),
            riders=int(params["num_riders"]),
            request_rate=float(params["request_rate"]),
            commission_rate=float(params["commission_rate"]),
            base_fare=float(params["base_fare"]),
            per_block_fare=float(params["per_block_fare"]),
            patience_min=int(params["patience_min"]),
            horizon_min=int(params["horizon_min"]),
            warmup_min=int(params["warmup_min"]),
            reservation_wage=float(params["reservation_wage"]),
            equilibrate=bool(params["equilibrate"]),
            equilibration_interval_min=int(params["equilibration_interval_min"]),
            snapshot_interval_min=int(params["snapshot_interval_min"]),
            batch_dispatch=bool(params["batch_dispatch"]),
        )
        if spec.warmup_min >= spec.horizon_min:
            raise PointInvalid(f"warmup_min ({spec.warmup_min}) must be below horizon_min ({spec.horizon_min})")
        if spec.city_size < 2:
            raise PointInvalid(f"city_size ({spec.city_size}) must be at least 2")
        expected = spec.requests_per_min * spec.horizon_min
        if expected > MAX_POINT_REQUESTS:
            raise PointInvalid(
                f"num_riders x request_rate x horizon_min ({expected:.3g}) must not exceed {MAX_POINT_REQUESTS}"
            )
        return spec

    @property
    def requests_per_min(self) -> float:
        return self.riders * self.request_rate

    @property
    def mean_trip_blocks(self) -> float:
        return mean_trip_blocks(self.city_size)

    @property
    def fare_per_busy_minute(self) -> float:
        """Expected fare per minute carrying a rider (P3): one block per minute plus the base fare spread."""
        return self.per_block_fare + self.base_fare / self.mean_trip_blocks

    @property
    def busy_hour_payout(self) -> float:
        """What a driver earns in an hour spent entirely carrying riders."""
        return MINUTES_PER_HOUR * self.fare_per_busy_minute * (1.0 - self.commission_rate)

    def initial_online(self) -> int:
        """Drivers online at minute 0: the whole pool, or with equilibration the
        steady-state estimate (P3 drivers needed / P3 share that pays the wage)."""
        if not self.equilibrate or self.reservation_wage <= 0.0:
            return self.pool
        if self.busy_hour_payout <= 0.0:
            return 1
        busy_share = self.reservation_wage / self.busy_hour_payout
        needed = math.ceil(self.requests_per_min * self.mean_trip_blocks / busy_share)
        return min(self.pool, max(1, needed))
