"""``sim.invoke.Invoker`` on Lambda: one ``InvocationType=Event`` invoke per shard.

The client makes a single attempt per call (``clients.lambda_client``). Each failure is raised
as the ``sim.invoke`` exception that says what it was, with the service's real HTTP status:
throttling (``InvokeThrottled``: a throttling error code, or 429), a service error
(``InvokeServiceError``: 5xx), no answer (``InvokeConnectionFailed``), anything else
(``InvokeRejected``: no retry will change it). ``sim.retries.RetryingInvoker`` retries the
first three."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from aws_adapters.exceptions import InvokeRejected
from sim.invoke import ACCEPTED, THROTTLED, InvokeConnectionFailed, InvokeServiceError, InvokeThrottled

THROTTLING_CODES = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "EC2ThrottledException",
        "SlowDown",
    }
)


class LambdaInvoker:
    """Invokes one function asynchronously; returns the service's request id."""

    def __init__(self, function_name: str, client: Any) -> None:
        self.function_name = function_name
        self.client = client

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        try:
            response = self.client.invoke(
                FunctionName=self.function_name,
                InvocationType="Event",
                Payload=json.dumps(payload, separators=(",", ":")).encode(),
            )
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) or None
            message = f"{code or status}: {error}"
            if code in THROTTLING_CODES or status == THROTTLED:
                raise InvokeThrottled(message, status) from error
            if status is not None and status >= 500:
                raise InvokeServiceError(message, status) from error
            raise InvokeRejected(message, status) from error
        except (ConnectionError, HTTPClientError) as error:
            raise InvokeConnectionFailed(f"{type(error).__name__}: {error}") from error
        # The (empty) payload is a stream: reading it hands the connection back to the pool,
        # otherwise every invoke opens a new one (a third of the dispatch time here).
        response["Payload"].read()
        status = response.get("StatusCode")
        if status != ACCEPTED:
            raise InvokeRejected(f"{self.function_name}: async invoke answered {status}, expected 202", status)
        return str(response["ResponseMetadata"]["RequestId"])
