"""The run report: one self-contained HTML page of plotly figures."""

from pipeline.ops.report.page import Report, build_report

__all__ = ["Report", "build_report"]
