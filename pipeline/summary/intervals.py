"""95% confidence intervals (Student t) without scipy: the t quantile, a sample's interval, and the
interval of a difference of two means, paired or not.

The 0.975 quantile of Student's t is tabled for 1-30 degrees of freedom (12 significant digits);
above 30 the Cornish-Fisher expansion around the normal quantile, to the fourth power of 1/df,
is within 2e-8 of it. ``athena/query_point_summary.sql`` computes the same quantile with the same
table and coefficients; tests hold both to scipy.stats."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_975 = 1.959963984540054
T_975_TABLE = (
    12.7062047362, 4.30265272975, 3.18244630528, 2.7764451052, 2.57058183564,
    2.44691185114, 2.36462425159, 2.3060041352, 2.2621571628, 2.22813885199,
    2.20098516009, 2.17881282967, 2.16036865646, 2.14478668792, 2.13144954556,
    2.11990529922, 2.10981557783, 2.10092204024, 2.09302405441, 2.08596344727,
    2.07961384473, 2.0738730679, 2.06865761042, 2.06389856163, 2.05953855275,
    2.05552943864, 2.05183051648, 2.0484071418, 2.04522964213, 2.0422724563,
)  # fmt: skip
"""t(0.975) for 1, 2, ... 30 degrees of freedom."""


def _expansion_coefficients(z: float) -> tuple[float, float, float, float]:
    z2 = z * z
    return (
        (z2 + 1) * z / 4,
        ((5 * z2 + 16) * z2 + 3) * z / 96,
        (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384,
        ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160,
    )


_G = _expansion_coefficients(Z_975)


def t_quantile_975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` >= 1 degrees of freedom."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1 (got {df})")
    if df <= len(T_975_TABLE):
        return T_975_TABLE[df - 1]
    return Z_975 + sum(g / df ** (k + 1) for k, g in enumerate(_G))


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% interval ``mean +- half_width``; no half-width from fewer than two values."""

    n: int
    mean: float | None
    sd: float | None
    half_width: float | None

    @property
    def low(self) -> float | None:
        return None if self.mean is None or self.half_width is None else self.mean - self.half_width

    @property
    def high(self) -> float | None:
        return None if self.mean is None or self.half_width is None else self.mean + self.half_width

    @property
    def excludes_zero(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def estimate(values: Sequence[float]) -> Estimate:
    """Mean, sample standard deviation and the 95% half-width (t with n - 1 df) of the values."""
    n = len(values)
    if n == 0:
        return Estimate(0, None, None, None)
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(1, mean, None, None)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    return Estimate(n, mean, sd, t_quantile_975(n - 1) * sd / math.sqrt(n))


def paired_difference(before: Sequence[float], after: Sequence[float]) -> Estimate:
    """The mean of ``after - before`` over pairs (same replicate): a one-sample interval of the differences."""
    if len(before) != len(after):
        raise ValueError(f"paired samples differ in length ({len(before)} and {len(after)})")
    return estimate([b - a for a, b in zip(before, after, strict=True)])


def independent_difference(before: Sequence[float], after: Sequence[float]) -> Estimate:
    """``mean(after) - mean(before)`` with the pooled two-sample t interval (n1 + n2 - 2 df).

    Pooled rather than Welch: replicates come in equal numbers, where both standard errors are equal
    and the pooled degrees of freedom are an integer. ``sd`` is the pooled standard deviation."""
    first, second = estimate(before), estimate(after)
    if first.mean is None or second.mean is None:
        return Estimate(0, None, None, None)
    n1, n2 = first.n, second.n
    mean = second.mean - first.mean
    df = n1 + n2 - 2
    if df < 1:
        return Estimate(n1 + n2, mean, None, None)
    squares = (n1 - 1) * (first.sd or 0.0) ** 2 + (n2 - 1) * (second.sd or 0.0) ** 2
    pooled = math.sqrt(squares / df)
    return Estimate(n1 + n2, mean, pooled, t_quantile_975(df) * pooled * math.sqrt(1 / n1 + 1 / n2))
