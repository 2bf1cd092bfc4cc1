"""Buckets, roles and the two functions: created when missing, converged when present."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from pipeline.deploy.code import FunctionCode
from pipeline.deploy.constants import (
    APPLICATION_LOG_LEVEL,
    ARCHITECTURE,
    LAMBDA_TRUST_POLICY,
    LOG_FORMAT,
    SYSTEM_LOG_LEVEL,
)
from pipeline.deploy.exceptions import FunctionNotReady

READY_TIMEOUT_SECONDS = 60.0


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def ensure_bucket(s3: Any, name: str) -> None:
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as error:
        if _code(error) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise


def ensure_role(iam: Any, name: str, policy: Mapping[str, Any]) -> str:
    """The role's ARN; the inline policy is stored as Terraform would (the emulator does not enforce it)."""
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST_POLICY))["Role"]["Arn"]
    except ClientError as error:
        if _code(error) != "EntityAlreadyExists":
            raise
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy))
    return str(arn)


def wait_ready(lambda_: Any, name: str) -> dict[str, Any]:
    """Wait until the function is Active and its last update finished; its configuration."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        config = lambda_.get_function_configuration(FunctionName=name)
        state, update = config.get("State", "Active"), config.get("LastUpdateStatus", "Successful")
        if state == "Failed" or update == "Failed":
            reason = config.get("StateReason") or config.get("LastUpdateStatusReason")
            raise FunctionNotReady(f"{name}: {state}/{update}: {reason}")
        if state == "Active" and update == "Successful":
            return dict(config)
        if time.monotonic() > deadline:
            raise FunctionNotReady(f"{name}: still {state}/{update} after {READY_TIMEOUT_SECONDS} s")
        time.sleep(0.2)


def ensure_function(
    lambda_: Any,
    s3: Any,
    *,
    name: str,
    code: FunctionCode,
    role_arn: str,
    environment: Mapping[str, str],
    memory_mb: int,
    timeout_seconds: int,
    artifacts_bucket: str,
) -> str:
    """Create or update the function to this code and configuration; its ARN."""
    location = code.stage(s3, artifacts_bucket, name)
    settings = {
        "Role": role_arn,
        "MemorySize": memory_mb,
        "Timeout": timeout_seconds,
        "Environment": {"Variables": dict(environment)},
        "LoggingConfig": {
            "LogFormat": LOG_FORMAT,
            "ApplicationLogLevel": APPLICATION_LOG_LEVEL,
            "SystemLogLevel": SYSTEM_LOG_LEVEL,
        },
    }
    try:
        current = lambda_.get_function_configuration(FunctionName=name)
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise
        current = None
    if current is not None and current.get("PackageType", "Zip") != code.package_type:
        lambda_.delete_function(FunctionName=name)  # the package type cannot change in place
        current = None
    if current is None:
        lambda_.create_function(
            FunctionName=name,
            Architectures=[ARCHITECTURE],
            Code=location,
            **code.runtime_settings(),
            **settings,
        )
    else:
        lambda_.update_function_code(FunctionName=name, **location)
        wait_ready(lambda_, name)
        lambda_.update_function_configuration(FunctionName=name, **settings)
    return str(wait_ready(lambda_, name)["FunctionArn"])
