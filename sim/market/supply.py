"""Supply equilibration: how many drivers join or leave, and which ones."""

from __future__ import annotations

import numpy as np

from sim.market.constants import MAX_STEP_SHARE, SUPPLY_DAMPING


def supply_change(
    online: np.ndarray,
    online_minutes: np.ndarray,
    busy_minutes: np.ndarray,
    busy_hour_payout: np.ndarray,
    wage: np.ndarray,
    pool: np.ndarray,
) -> np.ndarray:
    """Drivers to add (positive) or remove per point, from the last interval.

    Expected hourly earnings = busy-hour payout x P3 share of the interval's online
    driver-minutes. The online count moves by SUPPLY_DAMPING x its relative gap to
    the reservation wage, at most MAX_STEP_SHARE of itself (at least one driver),
    and stays within [1, pool]. A zero wage always attracts drivers."""
    earnings = busy_hour_payout * busy_minutes / np.maximum(online_minutes, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where(wage > 0, earnings / wage - 1.0, np.inf)
    cap = np.maximum(1.0, np.rint(MAX_STEP_SHARE * online))
    step = np.clip(np.rint(SUPPLY_DAMPING * online * np.minimum(gap, 1.0e9)), -cap, cap)
    return np.clip(online + step.astype(np.int64), 1, pool) - online


def ranked_below(
    candidate: np.ndarray, wanted: np.ndarray, offset: np.ndarray, pool: np.ndarray, point: np.ndarray, highest: bool
) -> np.ndarray:
    """Of the flat, point-major drivers, the candidates among the first ``wanted``
    (per driver: its point's count) of their point, by ascending id or, if
    ``highest``, by descending id."""
    through = np.cumsum(candidate)
    if highest:
        rank = through[offset + pool - 1][point] - through
    else:
        rank = through - candidate - (through[offset] - candidate[offset])[point]
    return candidate & (rank < wanted)
