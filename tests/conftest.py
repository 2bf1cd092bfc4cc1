"""Fixtures shared by every layer: one emulator per test session, one zip deployment on it.

Both start lazily, only when a test asks for them. ``emulator`` is a running MiniStack
(``pipeline.emulator.Emulator``); ``deployment`` is the stack deployed on it from zip packages
(``pipeline.deploy.Deployment``), redeployed if a test reset the emulator. Tests share them:
use a run_id of your own rather than resetting, and reset (then expect a redeploy) only
when a test needs an empty emulator.

``--backend local|emulator|aws`` chooses where ``tests/backends`` runs (default local): the
functional CI stage runs that suite locally, the e2e stage on the emulator (its session
fixtures shared with tests/e2e, so no extra cold start)."""

from __future__ import annotations

import os
from collections.abc import Iterator

# Every test process shares one on-disk cache of the market's compiled kernels (set
# before anything imports numba), so a kernel compiles once, not once per process.
from pipeline.paths import NUMBA_CACHE
from sim.market.precompile import NUMBA_CACHE_DIR_ENV  # imports no numba

os.environ.setdefault(NUMBA_CACHE_DIR_ENV, str(NUMBA_CACHE))

import pytest

from pipeline.deploy import Deployment, deploy
from pipeline.emulator import Emulator
from pipeline.emulator.constants import EMULATOR_CLIENT_ENV

BACKENDS = ("local", "emulator", "aws")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", choices=BACKENDS, default="local", help="where tests/backends runs (default: local)")


# Async retries of a failing child come this many seconds apart (doubling): the injected
# shard's three attempts finish in about a second.
ASYNC_RETRY_BASE_SECONDS = 0.2


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in EMULATOR_CLIENT_ENV.items():
            patch.setitem(os.environ, name, value)
        with Emulator(async_retry_base_seconds=ASYNC_RETRY_BASE_SECONDS) as running:
            yield running


@pytest.fixture(scope="session")
def _deployments(emulator: Emulator) -> list[Deployment]:
    """The session's current zip deployment (a list, so that a redeploy can replace it)."""
    return [deploy(emulator.endpoint_url)]


@pytest.fixture
def deployment(emulator: Emulator, _deployments: list[Deployment]) -> Deployment:
    current = _deployments[0]
    names = {f["FunctionName"] for f in current.client("lambda").list_functions().get("Functions", [])}
    if not {current.parent_function, current.child_function} <= names:
        _deployments[0] = deploy(emulator.endpoint_url)
    return _deployments[0]
