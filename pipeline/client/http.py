"""POST a request body to the API, SigV4-signed or not, and read the answer.

The API answers JSON: the dispatch summary (202, 502), or ``{"message", "errors"}``
(400 from the parent, 409); API Gateway itself answers ``{"message"}`` (its body
validator's 400, 403 for a missing or bad signature)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pipeline.client.constants import EXECUTE_API_SERVICE, MAX_ERROR_BODY_CHARS, REQUEST_TIMEOUT_SECONDS
from pipeline.client.exceptions import ApiUnreachable

JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class SigV4Signer:
    """Signs for API Gateway (``execute-api``) in one region with one session's credentials."""

    credentials: Credentials
    region: str

    def headers(self, url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
        """The headers with ``X-Amz-Date``, ``Authorization`` and (for a session) ``X-Amz-Security-Token``."""
        request = AWSRequest(method="POST", url=url, data=body, headers=headers)
        SigV4Auth(self.credentials, EXECUTE_API_SERVICE, self.region).add_auth(request)
        return dict(request.headers.items())


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: bytes

    def json(self) -> Any:
        """The answer's JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def messages(self) -> list[str]:
        """What the API said was wrong: its ``errors``, else its ``message``, else the body's start."""
        answer = self.json()
        if isinstance(answer, dict):
            errors = answer.get("errors")
            if isinstance(errors, list) and errors:
                return [str(e) for e in errors]
            if answer.get("message"):
                return [str(answer["message"])]
        text = self.body.decode("utf-8", "replace").strip()
        return [text[:MAX_ERROR_BODY_CHARS] or f"HTTP {self.status} with an empty body"]


def post(
    url: str, body: bytes, *, signer: SigV4Signer | None = None, timeout: float = REQUEST_TIMEOUT_SECONDS
) -> ApiAnswer:
    """POST ``body`` as JSON; every HTTP status is an answer, only an unreachable URL raises."""
    headers = {"Content-Type": JSON_CONTENT_TYPE}
    if signer is not None:
        headers = signer.headers(url, body, headers)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return ApiAnswer(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        return ApiAnswer(error.code, error.read())
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ApiUnreachable(f"--api-url: cannot reach {url}: {reason}") from error
