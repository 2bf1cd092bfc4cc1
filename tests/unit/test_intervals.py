"""The Student t quantile and intervals computed without scipy, held to scipy.stats."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from pipeline.summary.intervals import Estimate, estimate, independent_difference, paired_difference, t_quantile_975


def samples(min_size: int = 2, max_size: int = 40) -> st.SearchStrategy[list[float]]:
    """Lists of values with some spread (a sample of equal values has no interval to compare)."""
    value = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)
    values = st.lists(value, min_size=min_size, max_size=max_size)
    return values.filter(lambda v: max(v) - min(v) > 1e-3 * (1 + max(map(abs, v))))


SAMPLES = samples()


def test_the_t_quantile_matches_scipy_for_every_replication_count() -> None:
    for df in range(1, 2000):
        assert t_quantile_975(df) == pytest.approx(stats.t.ppf(0.975, df), rel=2e-8), df


def test_the_t_quantile_needs_a_degree_of_freedom() -> None:
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile_975(0)


@settings(max_examples=60, deadline=None)
@given(values=SAMPLES)
@example(values=[0.0] * 31 + [-1217.0])  # 2.5e-8 of the width apart: failed the old rel=1e-8 bound
def test_a_sample_interval_matches_scipy(values: list[float]) -> None:
    result = estimate(values)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=stats.tmean(values), scale=stats.sem(values))
    assert result.n == len(values)
    assert_same_interval(result, low, high)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), first=SAMPLES)
def test_differences_match_scipy_paired_and_pooled(data: st.DataObject, first: list[float]) -> None:
    second = data.draw(samples(len(first), len(first)))
    if len({b - a for a, b in zip(first, second, strict=True)}) < 2:
        return
    paired = stats.ttest_rel(second, first).confidence_interval(0.95)
    pooled = stats.ttest_ind(second, first).confidence_interval(0.95)
    assert_same_interval(paired_difference(first, second), paired.low, paired.high)
    assert_same_interval(independent_difference(first, second), pooled.low, pooled.high)


def assert_same_interval(ours: Estimate, low: float, high: float) -> None:
    """Equal endpoints up to 1e-7 of the interval's own scale (its width, its distance from zero):
    our t quantile is an expansion good to 2e-8, so an absolute bound fails on wide intervals."""
    assert ours.low is not None and ours.high is not None
    scale = max(high - low, abs(low), abs(high), 1e-9)
    assert abs(ours.low - low) <= 1e-7 * scale, (ours, low, high)
    assert abs(ours.high - high) <= 1e-7 * scale, (ours, low, high)


def test_one_value_gives_a_mean_and_no_interval() -> None:
    single = estimate([3.5])
    assert (single.n, single.mean, single.sd, single.half_width, single.excludes_zero) == (1, 3.5, None, None, False)
    assert estimate([]).mean is None


def test_an_interval_excludes_zero_only_when_both_ends_are_on_one_side() -> None:
    assert estimate([1.0, 1.1, 0.9, 1.05]).excludes_zero
    assert not estimate([1.0, -1.0, 0.5, -0.5]).excludes_zero
    assert paired_difference([1.0, 2.0], [1.5, 2.5]).sd == 0.0
