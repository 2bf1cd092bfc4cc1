"""The parent Lambda: validate a sweep request, record the run, dispatch one child per shard.

Wiring only: the request contract and the run logic are ``sim``'s, S3 and Lambda are the
``aws_adapters``'. Configuration is read and validated at import (cold start), so a bad
environment fails the function's init with a message naming every bad variable."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aws_adapters import LambdaInvoker, ParentConfig, S3Store, lambda_client, s3_client
from aws_adapters.apigateway import DirectResponse, ProxyResponse, is_proxy_event, proxy_body, respond
from sim.contract import RequestInvalid, parse_request, parse_request_text
from sim.runs import RunConflict, submit_run

CONFIG = ParentConfig.from_env()
# One connection per dispatch thread, plus the manifest writes.
POOL = CONFIG.dispatch_concurrency + 2
STORE = S3Store(CONFIG.results_bucket, s3_client(max_pool_connections=POOL))
INVOKER = LambdaInvoker(CONFIG.child_function_name, lambda_client(max_pool_connections=POOL))
logger = Logger(service="sweep-parent")


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: LambdaContext) -> ProxyResponse | DirectResponse:
    proxy = is_proxy_event(event)
    try:
        request = parse_request_text(proxy_body(event)) if proxy else parse_request(event)
    except RequestInvalid as invalid:
        logger.info("request rejected", extra={"errors": invalid.errors})
        return respond(400, {"message": "Invalid request", "errors": invalid.errors}, proxy=proxy)
    logger.append_keys(run_id=request.run_id)
    started = time.perf_counter()
    try:
        summary = submit_run(
            request,
            STORE,
            INVOKER,
            code_version=CONFIG.code_version,
            results_location=CONFIG.results_location,
            prefix=CONFIG.results_prefix,
            max_workers=CONFIG.dispatch_concurrency,
            max_attempts=CONFIG.dispatch_max_attempts,
            deadline_seconds=context.get_remaining_time_in_millis() / 1000,
        )
    except RunConflict as conflict:
        logger.info("run conflict", extra={"error": str(conflict)})
        return respond(409, {"message": "Conflict", "errors": [str(conflict)]}, proxy=proxy)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    logger.info(
        "run submitted",
        extra={
            "duplicate": summary.duplicate,
            "shards_dispatched": summary.shards_dispatched,
            "shards_total": len(summary.dispatches),
            "submit_ms": elapsed_ms,
        },
    )
    # Server-Timing: how long recording and dispatching took inside the function (for benchmarks).
    timing = {"Server-Timing": f"submit;dur={elapsed_ms}"}
    return respond(summary.http_status, summary.to_json(), proxy=proxy, headers=timing)
