"""LambdaInvoker against a stubbed Lambda client (throttles cannot be provoked on the emulator:
its async invokes are always accepted, and throttling happens after the 202)."""

from __future__ import annotations

import io

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from aws_adapters import InvokeRejected, LambdaInvoker, lambda_client
from sim.invoke import InvokeConnectionFailed, InvokeRetryable, InvokeServiceError, InvokeThrottled


def _empty() -> StreamingBody:
    return StreamingBody(io.BytesIO(b""), 0)


def _invoker_with_stubbed_lambda_client() -> tuple[LambdaInvoker, Stubber]:
    client = lambda_client(endpoint_url="http://127.0.0.1:9")
    return LambdaInvoker("sweep-child", client), Stubber(client)


def test_an_accepted_invoke_returns_the_services_request_id_stubbed_lambda_client() -> None:
    invoker, stub = _invoker_with_stubbed_lambda_client()
    stub.add_response(
        "invoke",
        {"StatusCode": 202, "Payload": _empty(), "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": 202}},
        {"FunctionName": "sweep-child", "InvocationType": "Event", "Payload": ANY},
    )

    with stub:
        assert invoker.invoke_async({"run_id": "x", "shard_id": 0}) == "req-1"


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("TooManyRequestsException", 429, InvokeThrottled),
        ("EC2ThrottledException", 502, InvokeThrottled),
        ("ServiceException", 500, InvokeServiceError),
        ("ResourceNotReadyException", 503, InvokeServiceError),
    ],
)
def test_throttling_and_service_errors_are_retryable_with_their_real_status_stubbed_lambda_client(
    code: str, status: int, kind: type[InvokeRetryable]
) -> None:
    invoker, stub = _invoker_with_stubbed_lambda_client()
    stub.add_client_error("invoke", service_error_code=code, http_status_code=status)

    with stub, pytest.raises(kind, match=code) as raised:
        invoker.invoke_async({"shard_id": 0})
    assert raised.value.status_code == status


def test_a_refused_connection_is_a_connection_failure_without_a_status() -> None:
    invoker = LambdaInvoker("sweep-child", lambda_client(endpoint_url="http://127.0.0.1:9"))

    with pytest.raises(InvokeConnectionFailed) as raised:
        invoker.invoke_async({"shard_id": 0})
    assert raised.value.status_code is None


def test_other_errors_fail_the_dispatch_at_once_stubbed_lambda_client() -> None:
    invoker, stub = _invoker_with_stubbed_lambda_client()
    stub.add_client_error("invoke", service_error_code="ResourceNotFoundException", http_status_code=404)
    stub.add_response("invoke", {"StatusCode": 200, "Payload": _empty()})

    with stub:
        with pytest.raises(InvokeRejected, match="ResourceNotFoundException") as raised:
            invoker.invoke_async({"shard_id": 0})
        assert not isinstance(raised.value, InvokeRetryable) and raised.value.status_code == 404
        with pytest.raises(InvokeRejected, match="answered 200, expected 202"):
            invoker.invoke_async({"shard_id": 0})
