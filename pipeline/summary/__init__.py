"""Replicates summarized: per point means with 95% intervals, effects between adjacent levels."""

from pipeline.summary.intervals import Estimate, estimate, independent_difference, paired_difference, t_quantile_975
from pipeline.summary.points import KEY_METRICS, Effect, PointSummary, SweepSummary, read_summary, summarize

__all__ = [
    "KEY_METRICS",
    "Effect",
    "Estimate",
    "PointSummary",
    "SweepSummary",
    "estimate",
    "independent_difference",
    "paired_difference",
    "read_summary",
    "summarize",
    "t_quantile_975",
]
