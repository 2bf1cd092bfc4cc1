"""POST /sweeps: body validated against the schema file, IAM auth by default, throttled and logged."""

from __future__ import annotations

import re

from pipeline.deploy.constants import (
    DEFAULT_NAME_PREFIX,
    DEFAULT_STAGE,
    REQUEST_MODEL_CONTENT_TYPES,
    REQUEST_MODEL_NAME,
    REQUEST_VALIDATOR_NAME,
    RESOURCE_PATH,
)
from pipeline.infra import TERRAFORM_DIR
from sim.params import SCHEMA_FILE
from tests.infra.conftest import TerraformConfig


def test_request_model_is_read_from_the_schema_file(tf: TerraformConfig) -> None:
    # given the API's request model
    model = tf.resource("aws_api_gateway_model", "sweep_request")
    # then its schema is file() of sim/request_schema.json, the file the parent validates with
    match = re.fullmatch(r'\$\{file\("\$\{path\.module\}/(.+)"\)\}', model["schema"])
    assert match, model["schema"]
    assert (TERRAFORM_DIR / match.group(1)).resolve() == SCHEMA_FILE.resolve()
    assert model["content_type"] == "${local.json}" and tf.locals["json"] == "application/json"
    assert model["name"] == REQUEST_MODEL_NAME


def test_the_schema_is_not_copied_into_infra(tf: TerraformConfig) -> None:
    infra = TERRAFORM_DIR.parent
    assert not list(infra.rglob("*.json"))
    texts = [p.read_text() for p in infra.rglob("*") if p.is_file()]
    assert not any("$schema" in text or "additionalProperties" in text for text in texts)


def test_post_method_validates_the_body_with_the_model(tf: TerraformConfig) -> None:
    method = tf.resource("aws_api_gateway_method", "post_sweeps")
    assert method["http_method"] == "POST"
    assert method["request_validator_id"] == "${aws_api_gateway_request_validator.body.id}"
    model = "${aws_api_gateway_model.sweep_request.name}"
    assert method["request_models"] == {"${(local.json)}": model, "${(local.any_media_type)}": model}
    # Every content type is validated: API Gateway skips a body whose type has no model.
    assert (tf.locals["json"], tf.locals["any_media_type"]) == REQUEST_MODEL_CONTENT_TYPES
    validator = tf.resource("aws_api_gateway_request_validator", "body")
    assert validator["validate_request_body"] is True
    assert validator["name"] == REQUEST_VALIDATOR_NAME
    assert tf.resource("aws_api_gateway_resource", "sweeps")["path_part"] == RESOURCE_PATH


def test_iam_authorization_is_the_configurable_default(tf: TerraformConfig) -> None:
    method = tf.resource("aws_api_gateway_method", "post_sweeps")
    assert method["authorization"] == "${var.api_authorization}"
    variable = tf.variables["api_authorization"]
    assert variable["default"] == "AWS_IAM"
    assert 'contains(["AWS_IAM", "NONE"], var.api_authorization)' in variable["validation"][0]["condition"]


def test_integration_proxies_to_the_parent(tf: TerraformConfig) -> None:
    integration = tf.resource("aws_api_gateway_integration", "post_sweeps")
    assert integration["type"] == "AWS_PROXY"
    assert integration["integration_http_method"] == "POST"
    assert integration["uri"] == "${aws_lambda_function.parent.invoke_arn}"
    # API Gateway may invoke the parent for this stage's POST /sweeps only
    permission = tf.resource("aws_lambda_permission", "api_invokes_parent")
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["function_name"] == "${aws_lambda_function.parent.function_name}"
    assert permission["source_arn"].endswith("/${var.api_stage_name}/POST/${aws_api_gateway_resource.sweeps.path_part}")


def test_invalid_bodies_get_a_400_that_names_the_problem(tf: TerraformConfig) -> None:
    response = tf.resource("aws_api_gateway_gateway_response", "bad_request_body")
    assert (response["response_type"], response["status_code"]) == ("BAD_REQUEST_BODY", "400")
    assert "$context.error.validationErrorString" in response["response_templates"]["${(local.json)}"]


def test_stage_is_throttled_and_access_logged(tf: TerraformConfig) -> None:
    # given the stage and its method settings
    stage = tf.resource("aws_api_gateway_stage", "sweeps")
    settings = tf.resource("aws_api_gateway_method_settings", "all")["settings"][0]
    # then every method is throttled, logs errors and publishes metrics, without caching
    assert tf.resource("aws_api_gateway_method_settings", "all")["method_path"] == "*/*"
    assert settings["throttling_rate_limit"] == "${var.api_throttling_rate_limit}"
    assert settings["throttling_burst_limit"] == "${var.api_throttling_burst_limit}"
    assert tf.variables["api_throttling_rate_limit"]["default"] > 0
    assert tf.variables["api_throttling_burst_limit"]["default"] > 0
    assert settings["metrics_enabled"] is True and settings["logging_level"] == "ERROR"
    assert settings["caching_enabled"] is False
    # and access logs go to the stack's access log group, which has a retention and the key
    access = stage["access_log_settings"][0]
    assert access["destination_arn"] == '${aws_cloudwatch_log_group.stack["api_access"].arn}'
    assert "$context.requestId" in access["format"] and "$context.identity.userArn" in access["format"]
    group = tf.resource("aws_cloudwatch_log_group", "stack")
    assert group["retention_in_days"] == "${var.log_retention_days}"
    assert group["kms_key_id"] == "${aws_kms_key.sweep.arn}"
    assert set(tf.locals["log_group_names"]) == {"parent", "child", "api_access", "api_execution"}


def test_logging_has_the_account_cloudwatch_role(tf: TerraformConfig) -> None:
    account = tf.resource("aws_api_gateway_account", "this")
    assert account["count"] == "${var.manage_api_gateway_account ? 1 : 0}"
    assert tf.variables["manage_api_gateway_account"]["default"] is True
    assert "aws_api_gateway_account.this" in tf.resource("aws_api_gateway_stage", "sweeps")["depends_on"][0]


def test_deployment_follows_every_change_of_what_the_stage_serves(tf: TerraformConfig) -> None:
    triggers = tf.resource("aws_api_gateway_deployment", "sweeps")["triggers"]["redeployment"]
    for part in (
        "aws_api_gateway_model.sweep_request.schema",
        "aws_api_gateway_method.post_sweeps",
        "aws_api_gateway_integration.post_sweeps",
        "aws_api_gateway_request_validator.body",
    ):
        assert part in triggers


def test_names_match_the_emulator_deployer(tf: TerraformConfig) -> None:
    # the emulator deployer (pipeline/deploy) builds the same stack: same prefix, stage and path
    assert tf.variables["name_prefix"]["default"] == DEFAULT_NAME_PREFIX
    assert tf.variables["api_stage_name"]["default"] == DEFAULT_STAGE
    assert tf.locals["parent_function_name"] == "${var.name_prefix}-parent"
    assert tf.locals["child_function_name"] == "${var.name_prefix}-child"
    assert tf.outputs["api_url"]["value"] == (
        "${aws_api_gateway_stage.sweeps.invoke_url}/${aws_api_gateway_resource.sweeps.path_part}"
    )
