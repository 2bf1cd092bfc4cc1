"""Benchmarks (scripts, never timed tests): ``python -m pipeline bench sim``."""
