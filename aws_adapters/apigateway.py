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
from sim.contract.messages import describe

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


def is_proxy_event(event: Any) -> bool:
    """An API Gateway event (a request body can never look like one: the schema forbids extra keys).

    Any JSON value can arrive by direct invocation; whatever is not an API Gateway event is
    validated as a request body itself."""
    return isinstance(event, Mapping) and "httpMethod" in event and "requestContext" in event


def proxy_body(event: Mapping[str, Any]) -> bytes | str | None:
    """The raw request body, base64 decoded when API Gateway encoded it.

    API Gateway sends the body as a string (or null) and ``isBase64Encoded`` as a boolean;
    anything else (a direct invocation imitating it) is refused, naming the field."""
    body, encoded = event.get("body"), event.get("isBase64Encoded", False)
    problems = []
    if body is not None and not isinstance(body, str):
        problems.append(f"body: must be the request body as a JSON string (got {describe(body)})")
    if not isinstance(encoded, bool):
        problems.append(f"isBase64Encoded: must be true or false (got {describe(encoded)})")
    if problems:
        raise RequestInvalid(problems)
    if body is None or not encoded:
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
