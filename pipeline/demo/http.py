"""POST a body to the API's stage URL the way a client would (urllib, no SDK, no signing)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    headers: dict[str, str]
    elapsed_seconds: float

    def json(self) -> Any:
        return json.loads(self.body)

    def server_timing_ms(self, metric: str = "submit") -> float | None:
        """A duration from the ``Server-Timing`` header (the parent reports ``submit``)."""
        for entry in self.headers.get("Server-Timing", "").split(","):
            name, _, params = entry.strip().partition(";")
            if name == metric and params.startswith("dur="):
                return float(params.removeprefix("dur="))
        return None


def post(url: str, body: bytes | str, content_type: str | None = "application/json") -> HttpAnswer:
    data = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            status, payload, answer_headers = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        status, payload, answer_headers = error.code, error.read(), dict(error.headers)
    return HttpAnswer(status, payload, answer_headers, time.perf_counter() - started)
