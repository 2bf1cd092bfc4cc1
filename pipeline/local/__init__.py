"""The local backend: a sweep run in-process, writing the bucket layout to a directory.

``run_local`` and ``LocalRun`` are loaded on first use: the pool's workers import this package
(for ``pipeline.local.invoker``) and need none of the runner's imports (rich, the kernel build)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.local.runner import LocalRun, run_local

__all__ = ["LocalRun", "run_local"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pipeline.local import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
