"""Deploy the sweep to an emulator with boto3: what Terraform creates in AWS, in the same shape.

Results bucket, artifacts bucket, one role per function (stored, not enforced), the parent and
the child, the child's async invoke configuration with its failure queue, and the REST API.
Left to Terraform (no behaviour to test here): KMS, bucket policies, log retention, alarms."""

from __future__ import annotations

from collections.abc import Mapping

from aws_adapters import client
from aws_adapters.constants import (
    CHILD_FUNCTION_NAME_ENV,
    CODE_VERSION_ENV,
    DISPATCH_CONCURRENCY_ENV,
    RESULTS_BUCKET_ENV,
    RESULTS_PREFIX_ENV,
)
from pipeline.deploy.api import create_rest_api, stage_url
from pipeline.deploy.code import FunctionCode, ZipCode
from pipeline.deploy.constants import (
    CHILD_MAX_EVENT_AGE_SECONDS,
    CHILD_MEMORY_MB,
    CHILD_TIMEOUT_SECONDS,
    PARENT_MEMORY_MB,
    PARENT_TIMEOUT_SECONDS,
)
from pipeline.deploy.functions import ensure_bucket, ensure_function, ensure_role
from pipeline.deploy.package import build_zip
from pipeline.deploy.types import Deployment, DeploymentNames
from pipeline.version import code_version as current_code_version
from sim.constants import DISPATCH_CONCURRENCY
from sim.limits import MAX_RETRIES

DEFAULT_REGION = "us-east-1"


def _policies(names: DeploymentNames, child_arn: str, queue_arn: str) -> dict[str, dict[str, object]]:
    bucket = f"arn:aws:s3:::{names.results_bucket}"
    objects = f"{bucket}/{names.results_prefix}/*"
    logs = {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
    data = [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": objects},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket},
        logs,
    ]
    invoke = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": child_arn}
    failures = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}
    return {
        "parent": {"Version": "2012-10-17", "Statement": [*data, invoke]},
        "child": {"Version": "2012-10-17", "Statement": [*data, failures]},
    }


def deploy(
    endpoint_url: str,
    *,
    names: DeploymentNames | None = None,
    parent_code: FunctionCode | None = None,
    child_code: FunctionCode | None = None,
    code_version: str | None = None,
    function_env: Mapping[str, str] | None = None,
    dispatch_concurrency: int = DISPATCH_CONCURRENCY,
    region: str = DEFAULT_REGION,
) -> Deployment:
    """Deploy (or converge) the stack on the emulator at ``endpoint_url``.

    Code defaults to zip packages of the working tree; ``function_env`` adds variables to
    both functions (e.g. an ``AWS_ENDPOINT_URL`` that containers can reach)."""
    names = names or DeploymentNames()
    version = code_version or current_code_version()
    parent: FunctionCode = parent_code or ZipCode(build_zip("parent"))
    child: FunctionCode = child_code or ZipCode(build_zip("child"))
    s3, iam, lambda_, apigateway, sts, sqs = (
        client(service, endpoint_url=endpoint_url, region_name=region)
        for service in ("s3", "iam", "lambda", "apigateway", "sts", "sqs")
    )
    account = str(sts.get_caller_identity()["Account"])
    ensure_bucket(s3, names.results_bucket)
    ensure_bucket(s3, names.artifacts_bucket)
    child_arn = f"arn:aws:lambda:{region}:{account}:function:{names.child_function}"
    queue_url = sqs.create_queue(QueueName=names.failure_queue)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policies = _policies(names, child_arn, queue_arn)
    common = {
        RESULTS_BUCKET_ENV: names.results_bucket,
        RESULTS_PREFIX_ENV: names.results_prefix,
        CODE_VERSION_ENV: version,
        **(function_env or {}),
    }
    ensure_function(
        lambda_,
        s3,
        name=names.child_function,
        code=child,
        role_arn=ensure_role(iam, names.role("child"), policies["child"]),
        environment=common,
        memory_mb=CHILD_MEMORY_MB,
        timeout_seconds=CHILD_TIMEOUT_SECONDS,
        artifacts_bucket=names.artifacts_bucket,
    )
    lambda_.put_function_event_invoke_config(
        FunctionName=names.child_function,
        MaximumRetryAttempts=MAX_RETRIES,
        MaximumEventAgeInSeconds=CHILD_MAX_EVENT_AGE_SECONDS,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    parent_arn = ensure_function(
        lambda_,
        s3,
        name=names.parent_function,
        code=parent,
        role_arn=ensure_role(iam, names.role("parent"), policies["parent"]),
        environment={
            **common,
            CHILD_FUNCTION_NAME_ENV: names.child_function,
            DISPATCH_CONCURRENCY_ENV: str(dispatch_concurrency),
        },
        memory_mb=PARENT_MEMORY_MB,
        timeout_seconds=PARENT_TIMEOUT_SECONDS,
        artifacts_bucket=names.artifacts_bucket,
    )
    api_id = create_rest_api(
        apigateway,
        lambda_,
        name=names.rest_api,
        stage=names.stage,
        parent_arn=parent_arn,
        region=region,
        account=account,
    )
    return Deployment(
        endpoint_url=endpoint_url,
        api_url=stage_url(endpoint_url, api_id, names.stage),
        results_bucket=names.results_bucket,
        results_prefix=names.results_prefix,
        parent_function=names.parent_function,
        child_function=names.child_function,
        rest_api_id=api_id,
        stage=names.stage,
        region=region,
        failure_queue_url=queue_url,
    )
