"""Client endpoints follow AWS_ENDPOINT_URL, then LocalStack's LOCALSTACK_HOST, else AWS itself."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aws_adapters.clients import client, lambda_client, resolve_endpoint_url, session_for


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:4599"}, "http://127.0.0.1:4599"),
        ({"AWS_ENDPOINT_URL": "http://a:1", "LOCALSTACK_HOST": "b:2"}, "http://a:1"),
        # LocalStack's deprecated variables are not read.
        ({"LOCALSTACK_HOSTNAME": "localstack", "EDGE_PORT": "4510"}, None),
        ({"LOCALSTACK_HOST": "127.0.0.1:4567"}, "http://127.0.0.1:4567"),
        ({"LOCALSTACK_HOST": "example.test", "USE_SSL": "1"}, "https://example.test:4566"),
    ],
)
def test_the_endpoint_is_resolved_in_the_documented_order(environ: dict[str, str], expected: str | None) -> None:
    assert resolve_endpoint_url(environ=environ) == expected


def test_an_explicit_endpoint_beats_the_environment() -> None:
    assert resolve_endpoint_url("http://127.0.0.1:1", {"AWS_ENDPOINT_URL": "http://a:2"}) == "http://127.0.0.1:1"


def test_an_emulator_session_without_keys_gets_dummy_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)

    session = session_for("http://127.0.0.1:4566")

    credentials = session.get_credentials()
    assert credentials is not None and credentials.access_key == "test"
    assert session.region_name == "us-east-1"


def test_s3_against_an_emulator_uses_path_style_and_lambda_makes_one_attempt() -> None:
    s3 = client("s3", endpoint_url="http://127.0.0.1:4566")
    lambda_ = lambda_client(endpoint_url="http://127.0.0.1:4566", max_pool_connections=40)

    assert s3.meta.config.s3["addressing_style"] == "path"
    assert s3.meta.endpoint_url == "http://127.0.0.1:4566"
    assert lambda_.meta.config.retries["total_max_attempts"] == 1
    assert lambda_.meta.config.max_pool_connections == 40


def test_a_session_is_kept_for_the_same_environment_and_made_anew_when_a_credential_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "first")
    kept = session_for("http://127.0.0.1:4566")
    assert session_for("http://127.0.0.1:4566") is kept

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "second")
    changed = session_for("http://127.0.0.1:4566")

    assert changed is not kept
    credentials = changed.get_credentials()
    assert credentials is not None and credentials.access_key == "second"
    assert session_for("http://127.0.0.1:4566", region_name="eu-west-1").region_name == "eu-west-1"


def test_boto3_is_loaded_by_the_first_client_not_by_importing_the_adapters() -> None:
    # given a fresh interpreter that imports the adapters and the status command's module
    probe = (
        "import sys, aws_adapters, pipeline.ops.cli; before = 'boto3' in sys.modules; "
        "aws_adapters.s3_client(endpoint_url='http://127.0.0.1:1'); print(before, 'boto3' in sys.modules)"
    )

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)

    # then boto3 is absent until a client is made (0.3 s a command on a local directory never pays)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
