"""The local backend: a sweep run in-process, writing the bucket layout to a directory."""

from pipeline.local.runner import LocalRun, run_local

__all__ = ["LocalRun", "run_local"]
