"""The ride-hailing market simulation: a compiled (numba) kernel per point.

``simulate_points`` is loaded on first use: importing the engine loads the kernels (numba's
JIT in development, about 0.4 s; the module compiled ahead of time in the functions, see
sim/market/compiled.py), which code that only needs the market's types or bounds (the
parent's request validation, the dataset tables) does not pay."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.market.types import PointResult

if TYPE_CHECKING:
    from sim.market.engine import simulate_points

__all__ = ["PointResult", "simulate_points"]


def __getattr__(name: str) -> Any:
    if name == "simulate_points":
        from sim.market.engine import simulate_points

        return simulate_points
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
