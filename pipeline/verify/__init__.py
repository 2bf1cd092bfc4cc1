"""DuckDB checks of a run's Parquet outputs."""

from pipeline.verify.checks import CheckResult, RunNotFound, VerifyReport, verify_run

__all__ = ["CheckResult", "RunNotFound", "VerifyReport", "verify_run"]
