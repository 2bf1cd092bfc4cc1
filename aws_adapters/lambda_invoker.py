"""``sim.runs.Invoker`` on Lambda: one ``InvocationType=Event`` invoke per shard.

The client makes a single attempt per call (``clients.lambda_client``); what may succeed on
a later try — throttling, a 5xx from the service, a dropped connection — is raised as
``InvokeThrottled`` so that ``sim.runs`` retries it with backoff and jitter, and everything
else fails the shard's dispatch at once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from aws_adapters.exceptions import InvokeRejected
from sim.runs import InvokeThrottled

ACCEPTED = 202
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
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            if code in THROTTLING_CODES or status == 429 or status >= 500:
                raise InvokeThrottled(f"{code or status}: {error}") from error
            raise
        except (ConnectionError, HTTPClientError) as error:
            raise InvokeThrottled(f"{type(error).__name__}: {error}") from error
        # The (empty) payload is a stream: reading it hands the connection back to the pool,
        # otherwise every invoke opens a new one (a third of the dispatch time here).
        response["Payload"].read()
        status = response.get("StatusCode")
        if status != ACCEPTED:
            raise InvokeRejected(f"{self.function_name}: async invoke answered {status}, expected 202")
        return str(response["ResponseMetadata"]["RequestId"])
