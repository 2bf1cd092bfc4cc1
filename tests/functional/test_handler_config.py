"""The handlers read and check their configuration when imported (a Lambda cold start)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipeline.paths import REPO_ROOT

CONFIG_NAMES = ("RESULTS_BUCKET", "RESULTS_PREFIX", "CHILD_FUNCTION_NAME", "CODE_VERSION", "DISPATCH_CONCURRENCY")


def _import(function: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in CONFIG_NAMES}
    # No network at import: clients are built, not used; a closed port makes any call fail fast.
    base.update(AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_EC2_METADATA_DISABLED="true", **env)
    code = f"import runpy; runpy.run_path({str(REPO_ROOT / 'images' / function / 'handler.py')!r})"
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    ("function", "env", "message"),
    [
        (
            "parent",
            {},
            "invalid configuration: RESULTS_BUCKET: required, not set; CODE_VERSION: required, not set; "
            "CHILD_FUNCTION_NAME: required, not set",
        ),
        (
            "parent",
            {"RESULTS_BUCKET": "b-1", "CODE_VERSION": "v1", "CHILD_FUNCTION_NAME": "c", "DISPATCH_CONCURRENCY": "x"},
            "invalid configuration: DISPATCH_CONCURRENCY: must be an integer in 1..256, got 'x'",
        ),
        ("child", {"CODE_VERSION": "v1"}, "invalid configuration: RESULTS_BUCKET: required, not set"),
    ],
)
def test_a_bad_environment_fails_the_import_naming_each_variable(
    function: str, env: dict[str, str], message: str
) -> None:
    result = _import(function, **env)

    assert result.returncode != 0
    assert f"ConfigInvalid: {message}" in result.stderr


@pytest.mark.parametrize("function", ["parent", "child"])
def test_a_complete_environment_imports_cleanly(function: str) -> None:
    result = _import(function, RESULTS_BUCKET="sweep-results", CODE_VERSION="v1", CHILD_FUNCTION_NAME="sweep-child")

    assert result.returncode == 0, result.stderr
