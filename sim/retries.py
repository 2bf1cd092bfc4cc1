"""Retry by wrapping: ``RetryingInvoker`` is an ``Invoker`` that retries another one's
retryable failures with bounded, jittered exponential backoff, and keeps its API."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.invoke import InvokeFailed, Invoker, InvokeRetryable


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``max_attempts`` tries, pauses doubling from ``base_seconds`` up to
    ``cap_seconds``, each drawn in [50%, 100%] of that (jitter spreads retrying dispatchers apart)."""

    max_attempts: int = 6
    base_seconds: float = 0.05
    cap_seconds: float = 2.0
    retry_on: tuple[type[InvokeFailed], ...] = (InvokeRetryable,)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts: must be at least 1, got {self.max_attempts}")

    def pause(self, attempt: int) -> float:
        return min(self.cap_seconds, self.base_seconds * 2**attempt) * random.uniform(0.5, 1.0)


class RetryingInvoker:
    """Retries the wrapped invoker's ``retry_on`` failures; the last one is raised with ``attempts`` set."""

    def __init__(
        self, invoker: Invoker, policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.invoker = invoker
        self.policy = policy or RetryPolicy()
        self._sleep = sleep

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                return self.invoker.invoke_async(payload)
            except self.policy.retry_on as error:
                if attempt == self.policy.max_attempts:
                    error.attempts = attempt
                    raise
                self._sleep(self.policy.pause(attempt))
        raise AssertionError("unreachable: max_attempts >= 1")
