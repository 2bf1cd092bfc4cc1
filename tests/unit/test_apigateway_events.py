"""The parent's two event shapes: an API Gateway proxy event and a direct invocation."""

from __future__ import annotations

import base64
import json

import pytest

from aws_adapters.apigateway import is_proxy_event, proxy_body, respond
from sim.contract import RequestInvalid

PROXY = {"httpMethod": "POST", "requestContext": {"stage": "v1"}, "body": '{"run_id": "x"}'}


def test_a_proxy_event_is_told_from_a_request_given_directly() -> None:
    assert is_proxy_event(PROXY)
    assert not is_proxy_event({"run_id": "abc", "dimensions": {}, "shard_count": 1, "seed": 1})


def test_the_body_is_given_as_sent_or_base64_decoded() -> None:
    encoded = {**PROXY, "body": base64.b64encode(b'{"a": 1}').decode(), "isBase64Encoded": True}

    assert proxy_body(PROXY) == '{"run_id": "x"}'
    assert proxy_body(encoded) == b'{"a": 1}'
    assert proxy_body({**PROXY, "body": None}) is None


def test_a_body_flagged_base64_that_is_not_is_an_invalid_request() -> None:
    with pytest.raises(RequestInvalid) as raised:
        proxy_body({**PROXY, "body": "not base64!", "isBase64Encoded": True})

    assert raised.value.errors == ["body: isBase64Encoded is set but the body is not base64"]


def test_responses_have_the_proxy_shape_or_carry_the_body_as_an_object() -> None:
    proxied = respond(202, {"run_id": "x"}, proxy=True, headers={"Server-Timing": "submit;dur=1"})
    direct = respond(202, {"run_id": "x"}, proxy=False)

    assert proxied == {
        "statusCode": 202,
        "headers": {"Content-Type": "application/json", "Server-Timing": "submit;dur=1"},
        "body": json.dumps({"run_id": "x"}),
    }
    assert direct == {"statusCode": 202, "body": {"run_id": "x"}}
