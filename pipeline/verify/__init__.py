"""DuckDB checks of a run's Parquet outputs."""

from pipeline.verify.checks import CheckResult, VerifyReport, verify_run

__all__ = ["CheckResult", "VerifyReport", "verify_run"]
