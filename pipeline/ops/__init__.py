"""Operating a sweep: status (progress, stragglers, cost) and redrive of failed shards.

The HTML report (plotly) is ``pipeline.ops.report``, imported only where it is used."""

from pipeline.ops.cost import Prices, RunCost, run_cost
from pipeline.ops.exceptions import PriceTableInvalid, RedriveBackendMissing
from pipeline.ops.redrive import RedriveResult, plan_redrive, redrive
from pipeline.ops.snapshot import RunSnapshot, read_snapshot
from pipeline.ops.status import RunStatus, ShardState, ShardStatus, StragglerPolicy, Verdict, run_status

__all__ = [
    "PriceTableInvalid",
    "Prices",
    "RedriveBackendMissing",
    "RedriveResult",
    "RunCost",
    "RunSnapshot",
    "RunStatus",
    "ShardState",
    "ShardStatus",
    "StragglerPolicy",
    "Verdict",
    "plan_redrive",
    "read_snapshot",
    "redrive",
    "run_cost",
    "run_status",
]
