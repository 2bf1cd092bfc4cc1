"""Operating a sweep: status (progress, stragglers, cost), redrive of failed shards, the HTML report."""

from pipeline.ops.cost import Prices, RunCost, run_cost
from pipeline.ops.exceptions import PriceTableInvalid, RedriveBackendMissing
from pipeline.ops.redrive import RedriveResult, plan_redrive, redrive
from pipeline.ops.report import Report, build_report
from pipeline.ops.snapshot import RunSnapshot, read_snapshot
from pipeline.ops.status import RunStatus, ShardState, ShardStatus, StragglerPolicy, Verdict, run_status

__all__ = [
    "PriceTableInvalid",
    "Prices",
    "RedriveBackendMissing",
    "RedriveResult",
    "Report",
    "RunCost",
    "RunSnapshot",
    "RunStatus",
    "ShardState",
    "ShardStatus",
    "StragglerPolicy",
    "Verdict",
    "build_report",
    "plan_redrive",
    "read_snapshot",
    "redrive",
    "run_cost",
    "run_status",
]
