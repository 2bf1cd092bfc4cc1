"""The ride-hailing market simulation (numpy, vectorised over drivers and requests)."""

from sim.market.engine import simulate_points
from sim.market.types import PointResult

__all__ = ["PointResult", "simulate_points"]
