"""Operating a sweep: shard states, status (progress, stragglers, cost) and redrive of failed shards.

The HTML report (plotly) is ``pipeline.ops.report`` and the redrive (the dispatch code, the process
pool and the Lambda invoker) ``pipeline.ops.redrive``, each imported only where it is used, so
``status`` starts without them."""

from pipeline.ops.cost import Prices, RunCost, run_cost
from pipeline.ops.exceptions import PriceTableInvalid, RedriveBackendMissing
from pipeline.ops.shard_state import ATTEMPTS_PER_DISPATCH, FINAL_STATES, ShardState, classify_shard
from pipeline.ops.snapshot import RunSnapshot, read_snapshot
from pipeline.ops.status import RunStatus, ShardStatus, StragglerPolicy, Verdict, run_status

__all__ = [
    "ATTEMPTS_PER_DISPATCH",
    "FINAL_STATES",
    "PriceTableInvalid",
    "Prices",
    "RedriveBackendMissing",
    "RunCost",
    "RunSnapshot",
    "RunStatus",
    "ShardState",
    "ShardStatus",
    "StragglerPolicy",
    "Verdict",
    "classify_shard",
    "read_snapshot",
    "run_cost",
    "run_status",
]
