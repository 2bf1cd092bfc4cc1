"""What the emulator deployer creates, named and sized once (Terraform mirrors these for AWS)."""

from __future__ import annotations

from pipeline.paths import REPO_ROOT
from sim.limits import CHILD_TIMEOUT_SECONDS as CHILD_TIMEOUT_SECONDS
from sim.limits import PARENT_TIMEOUT_SECONDS as PARENT_TIMEOUT_SECONDS

DEFAULT_NAME_PREFIX = "serverless-sweep"
DEFAULT_STAGE = "v1"
RESOURCE_PATH = "sweeps"
REQUEST_MODEL_NAME = "SweepRequest"
REQUEST_VALIDATOR_NAME = "validate-body"
# Every media type is validated against the model: API Gateway skips validation for a content
# type without one, so the model is mapped to JSON and to "$default" (any other type).
REQUEST_MODEL_CONTENT_TYPES = ("application/json", "$default")
# The request schema file itself: API Gateway's model is read from it, never copied.
REQUEST_SCHEMA_FILE = REPO_ROOT / "sim" / "request_schema.json"

# setuptools for numba.pycc on Python 3.12+ (no distutils in the standard library): the
# market kernel's ahead-of-time build, pipeline/kernel/kernel-build.lock.
KERNEL_BUILD_SETUPTOOLS_VERSION = "84.2.1"

HANDLER = "handler.handler"
ARCHITECTURE = "x86_64"
PARENT_MEMORY_MB = 512
CHILD_MEMORY_MB = 1769  # one full vCPU on AWS
# The child's async invoke configuration: how long an event may wait (throttled or between
# retries) before it is dropped. Its retries are sim.limits.MAX_RETRIES, the dispatch
# defaults sim.constants'.
CHILD_MAX_EVENT_AGE_SECONDS = 3600
# Lambda's log format and levels (Terraform's variables default to the same): JSON, as Powertools logs.
LOG_FORMAT = "JSON"
APPLICATION_LOG_LEVEL = "INFO"
SYSTEM_LOG_LEVEL = "INFO"

LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
