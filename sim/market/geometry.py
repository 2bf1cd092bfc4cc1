"""Distances and paths on the square city that wraps at its edges."""

from __future__ import annotations

import numpy as np


def torus_distance(
    ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, size: np.ndarray | int
) -> np.ndarray:
    """Manhattan distance on a grid of ``size`` blocks per side that wraps at the edges."""
    dx = np.abs(ax - bx)
    dy = np.abs(ay - by)
    return np.minimum(dx, size - dx) + np.minimum(dy, size - dy)


def _toward(start: np.ndarray, goal: np.ndarray, size: np.ndarray, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ahead = (goal - start) % size
    forward = ahead <= size // 2
    length = np.where(forward, ahead, size - ahead)
    moved = np.minimum(blocks, length)
    return (start + np.where(forward, moved, -moved)) % size, blocks - moved


def along_path(start: np.ndarray, goal: np.ndarray, size: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """Where a driver is after ``blocks`` blocks of a shortest path from ``start`` to
    ``goal`` (both of shape (2, n)): along x first, then along y."""
    x, left = _toward(start[0], goal[0], size, blocks)
    y, _ = _toward(start[1], goal[1], size, left)
    return np.stack([x, y])
