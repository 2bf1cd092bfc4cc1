"""The child Lambda: one attempt at one shard (simulate, write datasets, record the outcome).

Wiring only: ``sim.worker`` does the work against the S3 adapter. A failed attempt (an
injected failure included) is recorded by ``execute_shard`` and then re-raised, so that
Lambda's async retries run; each retry is a new attempt with its own outcome object.
An event that is not a valid shard event, or names a run without a manifest, is refused
(logged, answered with ``status: rejected`` and the problems, nothing written); one whose
request is not the run's is recorded as a failed attempt and answered ``status: failed``.
Neither raises: a retry would be refused the same way."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aws_adapters import ChildConfig, S3Store, s3_client
from sim.contract import RequestInvalid
from sim.contract.shard_event import parse_shard_event
from sim.worker import AttemptContext, InjectedFailure, RunUnknown, execute_shard, next_attempt

CONFIG = ChildConfig.from_env()
STORE = S3Store(CONFIG.results_bucket, s3_client())
logger = Logger(service="sweep-child")


class ChildResponse(TypedDict):
    run_id: str
    shard_id: int
    attempt: int
    status: str
    rows_written: int
    errors: NotRequired[list[str]]


class ChildRejection(TypedDict):
    status: str
    errors: list[str]


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: LambdaContext) -> ChildResponse | ChildRejection:
    try:
        request, shard_id = parse_shard_event(event)
    except RequestInvalid as invalid:
        logger.error("event rejected, nothing written", extra={"errors": invalid.errors})
        return ChildRejection(status="rejected", errors=invalid.errors)
    attempt = next_attempt(STORE, request.run_id, shard_id, CONFIG.results_prefix)
    logger.append_keys(run_id=request.run_id, shard_id=shard_id, attempt=attempt)
    who = AttemptContext(
        request_id=context.aws_request_id,
        code_version=CONFIG.code_version,
        memory_mb=int(context.memory_limit_in_mb),
    )
    try:
        row = execute_shard(request, shard_id, STORE, who, prefix=CONFIG.results_prefix, attempt=attempt)
    except RunUnknown as unknown:
        logger.error("event refused, nothing written", extra={"error": str(unknown)})
        return ChildRejection(status="rejected", errors=[str(unknown)])
    except InjectedFailure:
        logger.warning("injected failure recorded; raising so that Lambda retries")
        raise
    except Exception:
        logger.exception("shard attempt failed; outcome recorded, raising so that Lambda retries")
        raise
    response = ChildResponse(
        run_id=request.run_id,
        shard_id=shard_id,
        attempt=row["attempt"],
        status=row["status"],
        rows_written=row["rows_written"],
    )
    if row["status"] != "succeeded":
        logger.error("request differs from the run's manifest: failed attempt recorded, no data written")
        response["errors"] = [row["error_message"]]
        return response
    logger.info("shard attempt succeeded", extra={"rows_written": row["rows_written"]})
    return response
