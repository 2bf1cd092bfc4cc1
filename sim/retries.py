"""Retry by wrapping: one bounded, jittered exponential backoff (``retrying``) for every call that
may succeed on a later try, and ``RetryingInvoker``, an ``Invoker`` that retries another one's
retryable failures and keeps its API."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sim.invoke import InvokeFailed, Invoker, InvokeRetryable

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``max_attempts`` tries, pauses doubling from ``base_seconds`` up to
    ``cap_seconds``, each drawn in [50%, 100%] of that (jitter spreads retrying callers apart),
    on the exceptions named in ``retry_on`` only."""

    max_attempts: int = 6
    base_seconds: float = 0.05
    cap_seconds: float = 2.0
    retry_on: tuple[type[Exception], ...] = (InvokeRetryable,)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts: must be at least 1, got {self.max_attempts}")

    def pause(self, attempt: int) -> float:
        return min(self.cap_seconds, self.base_seconds * 2**attempt) * random.uniform(0.5, 1.0)


def retrying(call: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> T:
    """``call()``, tried again after each ``policy.retry_on`` failure; the last failure is raised."""
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return call()
        except policy.retry_on as error:
            if attempt == policy.max_attempts:
                if isinstance(error, InvokeFailed):
                    error.attempts = attempt
                raise
            sleep(policy.pause(attempt))
    raise AssertionError("unreachable: max_attempts >= 1")


class RetryingInvoker:
    """Retries the wrapped invoker's ``retry_on`` failures; the last one is raised with ``attempts`` set."""

    def __init__(
        self, invoker: Invoker, policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.invoker = invoker
        self.policy = policy or RetryPolicy()
        self._sleep = sleep

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        return retrying(lambda: self.invoker.invoke_async(payload), self.policy, self._sleep)
