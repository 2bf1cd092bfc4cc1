"""The REST API in front of the parent: request model from the schema file, body validator,
``POST /sweeps`` with an AWS_PROXY integration, the 400 for rejected bodies, a stage
(as infra/terraform/api.tf declares them)."""

from __future__ import annotations

import contextlib
from typing import Any

from pipeline.deploy.constants import (
    REQUEST_MODEL_CONTENT_TYPES,
    REQUEST_MODEL_NAME,
    REQUEST_SCHEMA_FILE,
    REQUEST_VALIDATOR_NAME,
    RESOURCE_PATH,
)

JSON = "application/json"
PERMISSION_ID = "AllowApiGatewayPostSweeps"
# As Terraform's gateway response: a rejected body gets the parent's 400 shape. AWS fills in
# the validator's message; MiniStack 1.5.33 leaves the variable unrendered.
BAD_REQUEST_BODY_TEMPLATE = '{"message": "Invalid request", "errors": ["$context.error.validationErrorString"]}'


def _delete_existing(apigateway: Any, name: str) -> None:
    """An API of this name is replaced: its pieces are cheaper to recreate than to diff."""
    for page in apigateway.get_paginator("get_rest_apis").paginate():
        for api in page.get("items", []):
            if api["name"] == name:
                apigateway.delete_rest_api(restApiId=api["id"])


def create_rest_api(
    apigateway: Any, lambda_: Any, *, name: str, stage: str, parent_arn: str, region: str, account: str
) -> str:
    """Create the API and deploy it to ``stage``; its id."""
    _delete_existing(apigateway, name)
    api_id = str(apigateway.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})["id"])
    root_id = next(r["id"] for r in apigateway.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    apigateway.create_model(
        restApiId=api_id, name=REQUEST_MODEL_NAME, contentType=JSON, schema=REQUEST_SCHEMA_FILE.read_text()
    )
    validator_id = apigateway.create_request_validator(
        restApiId=api_id, name=REQUEST_VALIDATOR_NAME, validateRequestBody=True, validateRequestParameters=False
    )["id"]
    resource_id = apigateway.create_resource(restApiId=api_id, parentId=root_id, pathPart=RESOURCE_PATH)["id"]
    apigateway.put_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="POST",
        authorizationType="NONE",
        requestValidatorId=validator_id,
        requestModels=dict.fromkeys(REQUEST_MODEL_CONTENT_TYPES, REQUEST_MODEL_NAME),
    )
    apigateway.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{parent_arn}/invocations",
    )
    apigateway.put_gateway_response(
        restApiId=api_id,
        responseType="BAD_REQUEST_BODY",
        statusCode="400",
        responseTemplates={JSON: BAD_REQUEST_BODY_TEMPLATE},
    )
    apigateway.create_deployment(restApiId=api_id, stageName=stage)
    with contextlib.suppress(lambda_.exceptions.ResourceNotFoundException):  # a replaced API's statement
        lambda_.remove_permission(FunctionName=parent_arn, StatementId=PERMISSION_ID)
    lambda_.add_permission(
        FunctionName=parent_arn,
        StatementId=PERMISSION_ID,
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/POST/{RESOURCE_PATH}",
    )
    return api_id


def stage_url(endpoint_url: str, api_id: str, stage: str) -> str:
    """The POST URL on a LocalStack-compatible emulator (``/restapis/<id>/<stage>/_user_request_/``)."""
    return f"{endpoint_url.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_/{RESOURCE_PATH}"
