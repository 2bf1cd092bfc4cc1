"""RetryingInvoker: bounded retries of the named retryable failures, nothing else retried."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from sim.invoke import InvokeFailed, InvokeServiceError, InvokeThrottled
from sim.retries import RetryingInvoker, RetryPolicy


class ScriptedInvokerStandIn:
    """Raises the scripted failures in order, then accepts."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "req-1"


def test_retryable_failures_are_retried_with_bounded_jittered_pauses() -> None:
    pauses: list[float] = []
    inner = ScriptedInvokerStandIn(InvokeThrottled("slow down"), InvokeServiceError("boom", 503))
    policy = RetryPolicy(max_attempts=3, base_seconds=0.1, cap_seconds=0.3)

    assert RetryingInvoker(inner, policy, sleep=pauses.append).invoke_async({}) == "req-1"
    assert inner.calls == 3
    assert 0.1 <= pauses[0] <= 0.2 and 0.15 <= pauses[1] <= 0.3


def test_the_last_failure_is_raised_with_its_attempt_count() -> None:
    inner = ScriptedInvokerStandIn(*(InvokeThrottled("slow down") for _ in range(5)))

    with pytest.raises(InvokeThrottled) as raised:
        RetryingInvoker(inner, RetryPolicy(max_attempts=4), sleep=lambda _: None).invoke_async({})
    assert (raised.value.attempts, raised.value.status_code, inner.calls) == (4, 429, 4)


def test_a_refusal_and_an_unexpected_error_are_not_retried() -> None:
    for failure in (InvokeFailed("not found", 404), RuntimeError("bug")):
        inner = ScriptedInvokerStandIn(failure)
        with pytest.raises(type(failure)):
            RetryingInvoker(inner, RetryPolicy(max_attempts=5), sleep=lambda _: None).invoke_async({})
        assert inner.calls == 1


def test_a_policy_without_attempts_is_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
