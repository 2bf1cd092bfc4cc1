"""The functions' settings: environment names the adapters read, sizes, async retries, failure queue."""

from __future__ import annotations

import pytest

from aws_adapters.constants import (
    BUCKET_PATTERN,
    CHILD_FUNCTION_NAME_ENV,
    CODE_VERSION_ENV,
    CODE_VERSION_PATTERN,
    DISPATCH_CONCURRENCY_ENV,
    DISPATCH_MAX_ATTEMPTS_ENV,
    MAX_DISPATCH_CONCURRENCY,
    MAX_DISPATCH_MAX_ATTEMPTS,
    PREFIX_PATTERN,
    RESULTS_BUCKET_ENV,
    RESULTS_PREFIX_ENV,
)
from pipeline.deploy import constants as emulator
from sim.constants import DISPATCH_CONCURRENCY, DISPATCH_MAX_ATTEMPTS
from sim.contract.workload import SHARD_BUDGET_SECONDS
from sim.datasets import layout
from sim.limits import CHILD_TIMEOUT_SECONDS, MAX_RETRIES
from tests.infra.conftest import TerraformConfig, validation_regex


def test_async_config_retries_twice_then_sends_to_the_failure_queue(tf: TerraformConfig) -> None:
    # given the child's async invoke configuration
    config = tf.resource("aws_lambda_function_event_invoke_config", "child")
    # then Lambda retries a failed shard twice (as the local sweep does) and then parks it in SQS
    assert config["function_name"] == "${aws_lambda_function.child.function_name}"
    assert config["maximum_retry_attempts"] == MAX_RETRIES
    assert config["maximum_event_age_in_seconds"] == "${var.child_maximum_event_age_seconds}"
    [destination] = config["destination_config"][0]["on_failure"]
    assert destination["destination"] == "${aws_sqs_queue.failed_shards.arn}"
    queue = tf.resource("aws_sqs_queue", "failed_shards")
    assert queue["kms_master_key_id"] == "${aws_kms_key.sweep.arn}"


def test_environment_uses_the_adapters_variable_names(tf: TerraformConfig) -> None:
    # given the variables both functions get, and the parent's extra ones
    common = tf.locals["common_environment"]
    child = tf.resource("aws_lambda_function", "child")["environment"][0]["variables"]
    parent = tf.resource("aws_lambda_function", "parent")["environment"][0]["variables"]
    # then they are exactly the names aws_adapters.config reads
    assert set(common) == {RESULTS_BUCKET_ENV, RESULTS_PREFIX_ENV, CODE_VERSION_ENV}
    assert child == "${local.common_environment}"
    for name in (CHILD_FUNCTION_NAME_ENV, DISPATCH_CONCURRENCY_ENV, DISPATCH_MAX_ATTEMPTS_ENV):
        assert f"{name} = " in parent
    assert parent.startswith("${merge(local.common_environment,")
    assert f"{CHILD_FUNCTION_NAME_ENV} = aws_lambda_function.child.function_name" in parent
    assert common[CODE_VERSION_ENV] == "${var.code_version}"
    assert tf.variables["results_prefix"]["default"] == layout.DEFAULT_PREFIX


@pytest.mark.parametrize(
    ("function", "memory", "timeout"),
    [
        ("parent", emulator.PARENT_MEMORY_MB, emulator.PARENT_TIMEOUT_SECONDS),
        ("child", emulator.CHILD_MEMORY_MB, emulator.CHILD_TIMEOUT_SECONDS),
    ],
)
def test_sizes_come_from_variables_with_the_emulators_defaults(
    tf: TerraformConfig, function: str, memory: int, timeout: int
) -> None:
    body = tf.resource("aws_lambda_function", function)
    assert body["memory_size"] == f"${{var.{function}_memory_mb}}"
    assert body["timeout"] == f"${{var.{function}_timeout_seconds}}"
    assert body["reserved_concurrent_executions"] == f"${{var.{function}_reserved_concurrency}}"
    assert tf.variables[f"{function}_memory_mb"]["default"] == memory
    assert tf.variables[f"{function}_timeout_seconds"]["default"] == timeout
    assert tf.variables[f"{function}_reserved_concurrency"]["default"] > 0


def test_the_child_timeout_can_be_raised_but_not_below_what_the_parent_plans_shards_for(tf: TerraformConfig) -> None:
    # given the child's timeout variable, and the budget the parent admits a shard's work against
    condition = tf.variables["child_timeout_seconds"]["validation"][0]["condition"]
    # then a deployment cannot set a timeout under the one the budget is a share of
    assert condition == f"${{var.child_timeout_seconds >= {CHILD_TIMEOUT_SECONDS} && var.child_timeout_seconds <= 900}}"
    assert SHARD_BUDGET_SECONDS <= CHILD_TIMEOUT_SECONDS / 2


def test_async_limits_match_the_emulator_deployer(tf: TerraformConfig) -> None:
    assert tf.variables["child_maximum_event_age_seconds"]["default"] == emulator.CHILD_MAX_EVENT_AGE_SECONDS


@pytest.mark.parametrize(
    ("variable", "default", "maximum"),
    [
        ("dispatch_concurrency", DISPATCH_CONCURRENCY, MAX_DISPATCH_CONCURRENCY),
        ("dispatch_max_attempts", DISPATCH_MAX_ATTEMPTS, MAX_DISPATCH_MAX_ATTEMPTS),
    ],
)
def test_dispatch_variables_default_and_bound_as_the_parents_config(
    tf: TerraformConfig, variable: str, default: int, maximum: int
) -> None:
    # given a dispatch setting Terraform passes to the parent
    spec = tf.variables[variable]
    # then its default is the dispatcher's and its validation the bounds aws_adapters.config enforces
    assert spec["default"] == default
    assert spec["validation"][0]["condition"] == f"${{var.{variable} >= 1 && var.{variable} <= {maximum}}}"


@pytest.mark.parametrize(
    ("variable", "pattern"),
    [
        ("results_bucket_name", BUCKET_PATTERN),
        ("results_prefix", PREFIX_PATTERN),
        ("athena_results_prefix", PREFIX_PATTERN),
        ("code_version", CODE_VERSION_PATTERN),
    ],
)
def test_results_variables_are_validated_with_the_adapters_patterns(
    tf: TerraformConfig, variable: str, pattern: str
) -> None:
    assert validation_regex(tf, variable) == pattern


@pytest.mark.parametrize("function", ["parent", "child"])
def test_functions_are_traced_and_encrypt_their_environment(tf: TerraformConfig, function: str) -> None:
    body = tf.resource("aws_lambda_function", function)
    assert body["tracing_config"][0]["mode"] == "${local.tracing_mode}"
    assert body["kms_key_arn"] == "${aws_kms_key.sweep.arn}"
    assert body["architectures"] == ["x86_64"]


def test_outputs_name_the_functions(tf: TerraformConfig) -> None:
    assert tf.outputs["parent_function_name"]["value"] == "${aws_lambda_function.parent.function_name}"
    assert tf.outputs["child_function_name"]["value"] == "${aws_lambda_function.child.function_name}"


@pytest.mark.parametrize("function", ["parent", "child"])
def test_functions_log_json_at_the_emulator_deployers_levels(tf: TerraformConfig, function: str) -> None:
    logging = tf.resource("aws_lambda_function", function)["logging_config"][0]
    assert logging["log_format"] == emulator.LOG_FORMAT == "JSON"
    assert logging["application_log_level"] == "${var.application_log_level}"
    assert logging["system_log_level"] == "${var.system_log_level}"
    assert tf.variables["application_log_level"]["default"] == emulator.APPLICATION_LOG_LEVEL
    assert tf.variables["system_log_level"]["default"] == emulator.SYSTEM_LOG_LEVEL
