"""The Lambdas' configuration: read once, every bad variable named in one error."""

from __future__ import annotations

import pytest

from aws_adapters import ChildConfig, ConfigInvalid, ParentConfig
from sim.constants import DISPATCH_CONCURRENCY, DISPATCH_MAX_ATTEMPTS

PARENT_ENV = {
    "RESULTS_BUCKET": "sweep-results",
    "CHILD_FUNCTION_NAME": "sweep-child",
    "CODE_VERSION": "0.1.0+gabc123",
}


def test_a_complete_parent_environment_gives_its_config_with_defaults() -> None:
    config = ParentConfig.from_env(PARENT_ENV)

    assert config == ParentConfig(
        results_bucket="sweep-results",
        results_prefix="serverless-sweeps",
        code_version="0.1.0+gabc123",
        child_function_name="sweep-child",
        dispatch_concurrency=DISPATCH_CONCURRENCY,
        dispatch_max_attempts=DISPATCH_MAX_ATTEMPTS,
    )
    assert config.results_location == "s3://sweep-results/serverless-sweeps/outcomes"


def test_explicit_settings_override_the_defaults() -> None:
    env = {
        **PARENT_ENV,
        "RESULTS_PREFIX": "team/sweeps",
        "DISPATCH_CONCURRENCY": "64",
        "DISPATCH_MAX_ATTEMPTS": "3",
        "CHILD_FUNCTION_NAME": "arn:aws:lambda:eu-west-1:123456789012:function:sweep-child:live",
    }

    config = ParentConfig.from_env(env)

    assert (config.results_prefix, config.dispatch_concurrency, config.dispatch_max_attempts) == ("team/sweeps", 64, 3)
    assert config.child_function_name.endswith(":sweep-child:live")


def test_every_missing_variable_is_named_in_one_error() -> None:
    with pytest.raises(ConfigInvalid) as raised:
        ParentConfig.from_env({})

    assert raised.value.errors == [
        "RESULTS_BUCKET: required, not set",
        "CODE_VERSION: required, not set",
        "CHILD_FUNCTION_NAME: required, not set",
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RESULTS_BUCKET", "Not_A_Bucket", "RESULTS_BUCKET: must be an S3 bucket name, got 'Not_A_Bucket'"),
        ("RESULTS_PREFIX", "/leading", "RESULTS_PREFIX: must be a key prefix without leading or trailing '/'"),
        ("CHILD_FUNCTION_NAME", "has spaces", "CHILD_FUNCTION_NAME: must be a Lambda function name or ARN"),
        ("DISPATCH_CONCURRENCY", "many", "DISPATCH_CONCURRENCY: must be an integer in 1..256, got 'many'"),
        ("DISPATCH_CONCURRENCY", "0", "DISPATCH_CONCURRENCY: must be an integer in 1..256, got '0'"),
        ("DISPATCH_MAX_ATTEMPTS", "99", "DISPATCH_MAX_ATTEMPTS: must be an integer in 1..20, got '99'"),
        ("CODE_VERSION", "has space", "CODE_VERSION: must be 1 to 128 printable characters without spaces"),
    ],
)
def test_a_malformed_variable_is_named_with_its_rule(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigInvalid) as raised:
        ParentConfig.from_env({**PARENT_ENV, name: value})

    assert len(raised.value.errors) == 1 and raised.value.errors[0].startswith(message)
    assert str(raised.value).startswith("invalid configuration: ")


def test_the_child_needs_no_function_name_or_dispatch_settings() -> None:
    config = ChildConfig.from_env({"RESULTS_BUCKET": "sweep-results", "CODE_VERSION": "v1"})

    assert config == ChildConfig("sweep-results", "serverless-sweeps", "v1")
