"""The parent's dispatch defaults, named once: the Lambda configuration, the emulator
deployer, Terraform's variable defaults (tested against these) and ``run --local`` use them."""

from __future__ import annotations

__all__ = ["DISPATCH_CONCURRENCY", "DISPATCH_MAX_ATTEMPTS"]

DISPATCH_CONCURRENCY = 32
"""Async invokes one parent has in flight at once."""
DISPATCH_MAX_ATTEMPTS = 6
"""Attempts at one shard's invoke while it is throttled, before its dispatch is recorded as failed."""
