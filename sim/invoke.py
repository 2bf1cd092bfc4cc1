"""Starting a child: the ``Invoker`` protocol and the failures an invoker reports.

Each failure carries the service's real HTTP status (None when no answer came back), so a
dispatch record says what happened: throttled (429), a service error (5xx), a connection
that failed, or a refusal that no retry will change. ``InvokeRetryable`` marks the first
three; ``sim.retries.RetryingInvoker`` retries exactly those."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sim.exceptions import SweepError

ACCEPTED = 202
THROTTLED = 429


class Invoker(Protocol):
    """Starts one child asynchronously."""

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        """Hand the payload to a child; return its request id once accepted (HTTP 202).

        Raises an ``InvokeFailed`` naming what went wrong."""
        ...


class InvokeFailed(SweepError):
    """The child was not started; ``status_code`` is the service's answer (None: no answer)."""

    kind = "rejected"

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.attempts = 1


class InvokeRetryable(InvokeFailed):
    """A failure that a later try may not have."""


class InvokeThrottled(InvokeRetryable):
    """The service asked to slow down (429)."""

    kind = "throttled"

    def __init__(self, message: str, status_code: int | None = THROTTLED) -> None:
        super().__init__(message, status_code)


class InvokeServiceError(InvokeRetryable):
    """The service failed (5xx)."""

    kind = "service error"


class InvokeConnectionFailed(InvokeRetryable):
    """No answer: the connection failed or timed out."""

    kind = "connection failed"

    def __init__(self, message: str) -> None:
        super().__init__(message, None)
