"""numba's on-disk cache for the engine's kernels, usable from a read-only directory.

numba's own locators put a function's cache under a directory named after the
absolute path of its source file and give up on a directory they cannot write to;
on Lambda the code lives in read-only /var/task, and a cache built elsewhere must
still be found there. ``SourceContentLocator`` keys the cache on the source file's
content only (its path plays no part) and accepts a read-only directory;
``KernelCache`` loads from it and skips saving when it cannot write. Compiled code
targets the portable CPU ``CPU_NAME``, so a cache built on one x86-64 machine loads
on any other (the target is part of numba's index key).

Where the cache lives: ``$NUMBA_CACHE_DIR`` (numba's own variable) if set, else the
``__pycache__`` directory next to the source. ``python -m sim.market.precompile``
fills it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Set before numba is imported (numba re-reads it before every compilation too):
# the code numba generates, and the cache key, are for a portable x86-64 CPU.
CPU_NAME_ENV = "NUMBA_CPU_NAME"
CPU_NAME = "generic"
os.environ[CPU_NAME_ENV] = CPU_NAME

from numba import config, njit  # noqa: E402
from numba.core.caching import CompileResultCacheImpl, FunctionCache, _CacheLocator  # noqa: E402

config.reload_config()  # in case numba was imported before the variable was set

CACHE_DIR_ENV = "NUMBA_CACHE_DIR"
# Subdirectory of the cache directory holding this package's kernels.
CACHE_SUBDIR = "sim-market"

logger = logging.getLogger(__name__)

_COMPILED: dict[str, Any] = {}
# Position of the type annotation in CompileResult._reduce()'s tuple (numba 0.68).
_TYPE_ANNOTATION = 6


class SourceContentLocator(_CacheLocator):
    """Cache entries of a function, named by its module and first line, stamped with
    the sha256 of its source file: valid wherever the file is, stale when it changes."""

    def __init__(self, py_func: Callable[..., Any], py_file: str) -> None:
        self._py_file = Path(py_file)
        self._lineno = py_func.__code__.co_firstlineno
        base = Path(config.CACHE_DIR) if config.CACHE_DIR else self._py_file.parent / "__pycache__"
        self._cache_path = str(base / CACHE_SUBDIR)

    def ensure_cache_path(self) -> None:
        """Create the directory if it can be; a read-only one is fine for loading."""
        with contextlib.suppress(OSError):
            os.makedirs(self._cache_path, exist_ok=True)

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self) -> str:
        return hashlib.sha256(self._py_file.read_bytes()).hexdigest()

    def get_disambiguator(self) -> str:
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func: Callable[..., Any], py_file: str) -> SourceContentLocator | None:
        if not os.path.isfile(py_file):
            return None
        return cls(py_func, py_file)


class _KernelCacheImpl(CompileResultCacheImpl):
    _locator_classes = [SourceContentLocator]  # noqa: RUF012 (numba's class attribute)

    def reduce(self, cres: Any) -> tuple[Any, ...]:
        """numba's pickled compile result, less its type annotation: a text for
        ``inspect_types`` only, which names objects by memory address (so two builds
        would differ)."""
        reduced = tuple(super().reduce(cres))
        return (*reduced[:_TYPE_ANNOTATION], "", *reduced[_TYPE_ANNOTATION + 1 :])


class KernelCache(FunctionCache):
    """numba's function cache with the locator above. A directory that cannot be read
    or written is skipped with a log line: the function is compiled, and used, anyway."""

    _impl_class = _KernelCacheImpl

    def load_overload(self, sig: Any, target_context: Any) -> Any:
        try:
            return super().load_overload(sig, target_context)
        except OSError as error:
            logger.warning("numba cache not read (%s): %s", self.cache_path, error)
            return None

    def save_overload(self, sig: Any, data: Any) -> None:
        try:
            super().save_overload(sig, data)
        except OSError as error:
            logger.warning("numba cache not saved (%s): %s", self.cache_path, error)


def cached_njit(function: Callable[..., Any]) -> Any:
    """``numba.njit(cache=True)`` with KernelCache instead of numba's default cache."""
    dispatcher = njit(function)
    dispatcher._cache = KernelCache(function)  # what Dispatcher.enable_caching does, with our class
    _COMPILED[f"{function.__module__}.{function.__qualname__}"] = dispatcher
    return dispatcher


def use_cache_dir(path: Path) -> None:
    """Point every kernel (and later compilations) at ``path`` as its cache directory."""
    os.environ[CACHE_DIR_ENV] = str(path)
    config.reload_config()
    for dispatcher in _COMPILED.values():
        dispatcher._cache = KernelCache(dispatcher.py_func)


def compiled_functions() -> dict[str, Any]:
    """Every function defined with cached_njit so far (numba dispatchers), by qualified name."""
    return dict(_COMPILED)
