"""Zip packages carry their own dependencies: the emulator runs functions on an interpreter
that has nothing but the standard library, so a missing dependency fails as it would on AWS."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pipeline.deploy import Deployment, ZipCode, build_zip
from pipeline.deploy.functions import ensure_function
from pipeline.emulator.constants import MINISTACK_VENV
from sim.contract import parse_request
from sim.contract.shard_event import shard_event
from tests.e2e.conftest import fixture_body

pytestmark = pytest.mark.emulator

PROBE_HANDLER = """\
import importlib.util


def handler(event, context):
    return {name: importlib.util.find_spec(name) is not None for name in event["modules"]}
"""
# What the functions import, and what MiniStack's own environment happens to have.
MODULES = ["boto3", "botocore", "jsonschema", "numpy", "pyarrow", "aws_lambda_powertools", "requests"]


def _deploy(deployment: Deployment, name: str, package: Path) -> str:
    lambda_ = deployment.client("lambda")
    ensure_function(
        lambda_,
        deployment.client("s3"),
        name=name,
        code=ZipCode(package),
        role_arn="arn:aws:iam::000000000000:role/packaging-probe",
        environment={"RESULTS_BUCKET": deployment.results_bucket, "CODE_VERSION": "probe"},
        memory_mb=512,
        timeout_seconds=60,
        artifacts_bucket=f"{deployment.results_bucket.removesuffix('-results')}-artifacts",
    )
    return name


def _invoke(deployment: Deployment, name: str, event: dict[str, Any]) -> tuple[bool, Any]:
    answer = deployment.client("lambda").invoke(
        FunctionName=name, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
    )
    return "FunctionError" in answer, json.loads(answer["Payload"].read())


def test_functions_run_on_an_interpreter_without_third_party_packages(deployment: Deployment, tmp_path: Path) -> None:
    package = tmp_path / "probe.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("handler.py", PROBE_HANDLER)
    name = _deploy(deployment, "packaging-probe-stdlib", package)

    failed, found = _invoke(deployment, name, {"modules": MODULES})

    assert not failed, found
    assert found == dict.fromkeys(MODULES, False)
    assert list(MINISTACK_VENV.glob("lib/python*/site-packages/jsonschema")), "MiniStack itself has jsonschema"


def test_a_package_missing_a_dependency_fails_to_import_on_the_emulator(deployment: Deployment) -> None:
    package = build_zip("child", without=["jsonschema"])
    name = _deploy(deployment, "packaging-probe-no-jsonschema", package)
    event = shard_event(parse_request(fixture_body("small.json", run_id="packaging-probe-001")), 0)

    failed, error = _invoke(deployment, name, event)

    assert failed
    assert "No module named 'jsonschema'" in json.dumps(error)
