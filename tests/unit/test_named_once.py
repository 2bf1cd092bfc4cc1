"""Facts named once: no module but their home assigns these names."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from pipeline.paths import REPO_ROOT

PACKAGES = ("sim", "aws_adapters", "pipeline", "images", "tests")
HOMES = {
    "REPO_ROOT": "pipeline/paths.py",
    "CACHE_DIR": "pipeline/paths.py",
    "MAX_RETRIES": "sim/limits.py",
    "DISPATCH_CONCURRENCY": "sim/constants.py",
    "DISPATCH_MAX_ATTEMPTS": "sim/constants.py",
    "BUCKET_PATTERN": "aws_adapters/constants.py",
    "PREFIX_PATTERN": "aws_adapters/constants.py",
    "CODE_VERSION_PATTERN": "aws_adapters/constants.py",
}


@functools.cache
def _assigned(path: Path) -> frozenset[str]:
    """The names a module assigns at its top level (each module parsed once for every fact)."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return frozenset(names)


@pytest.mark.parametrize(("name", "home"), HOMES.items())
def test_each_fact_is_assigned_in_its_home_only(name: str, home: str) -> None:
    modules = [p for package in PACKAGES for p in (REPO_ROOT / package).rglob("*.py")]

    assigning = sorted(str(p.relative_to(REPO_ROOT)) for p in modules if name in _assigned(p))

    assert assigning == [home]
