"""The one-command demo, and the run monitor it (and the end-to-end tests) watch shards with."""

from pipeline.demo.http import HttpAnswer, post
from pipeline.demo.monitor import RunMonitor, RunTimedOut, ShardProgress
from pipeline.demo.runner import DemoFailed, DemoResult, run_demo

__all__ = [
    "DemoFailed",
    "DemoResult",
    "HttpAnswer",
    "RunMonitor",
    "RunTimedOut",
    "ShardProgress",
    "post",
    "run_demo",
]
