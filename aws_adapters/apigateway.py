"""API Gateway REST proxy events in, proxy responses out; direct invocations alike.

The parent accepts its request either as an ``AWS_PROXY`` event (the body a JSON string,
maybe base64) or, for operators, as the invocation event itself. The answer has the proxy
shape in both cases; a direct caller gets the body as an object rather than as a string."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

from sim.contract import RequestInvalid

JSON_HEADERS = {"Content-Type": "application/json"}


class ProxyEvent(TypedDict):
    """The fields of a REST API ``AWS_PROXY`` event that the parent reads."""

    httpMethod: str
    requestContext: dict[str, Any]
    body: str | None
    isBase64Encoded: NotRequired[bool]


class ProxyResponse(TypedDict):
    statusCode: int
    headers: dict[str, str]
    body: str


class DirectResponse(TypedDict):
    statusCode: int
    body: dict[str, Any]


def is_proxy_event(event: Mapping[str, Any]) -> bool:
    """An API Gateway event (a request body can never look like one: the schema forbids extra keys)."""
    return "httpMethod" in event and "requestContext" in event


def proxy_body(event: Mapping[str, Any]) -> bytes | str | None:
    """The raw request body, base64 decoded when API Gateway encoded it."""
    body = event.get("body")
    if body is None or not event.get("isBase64Encoded"):
        return body
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as error:
        raise RequestInvalid(["body: isBase64Encoded is set but the body is not base64"]) from error


def respond(
    status: int, body: Mapping[str, Any], *, proxy: bool, headers: Mapping[str, str] | None = None
) -> ProxyResponse | DirectResponse:
    if not proxy:
        return DirectResponse(statusCode=status, body=dict(body))
    return ProxyResponse(
        statusCode=status, headers={**JSON_HEADERS, **(headers or {})}, body=json.dumps(body, sort_keys=True)
    )
