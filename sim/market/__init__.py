"""The ride-hailing market simulation: a compiled (numba) kernel per point.

``simulate_points`` is imported on first use, so that the package's leaves import without the
engine's dependencies: the kernel's ahead-of-time build (``python -m sim.market.precompile``)
runs where only numba and numpy are installed. The kernels themselves load on the first
simulated point (sim/market/compiled.py)."""

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
