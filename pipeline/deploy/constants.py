"""What the emulator deployer creates, named and sized once (Terraform mirrors these for AWS)."""

from __future__ import annotations

from pipeline.version import REPO_ROOT

DEFAULT_NAME_PREFIX = "serverless-sweep"
DEFAULT_STAGE = "v1"
RESOURCE_PATH = "sweeps"
REQUEST_MODEL_NAME = "SweepRequest"
REQUEST_VALIDATOR_NAME = "validate-body"
# The request schema file itself: API Gateway's model is read from it, never copied.
REQUEST_SCHEMA_FILE = REPO_ROOT / "sim" / "request_schema.json"

HANDLER = "handler.handler"
ARCHITECTURE = "x86_64"
PARENT_MEMORY_MB = 512
PARENT_TIMEOUT_SECONDS = 60
CHILD_MEMORY_MB = 1769  # one full vCPU on AWS
CHILD_TIMEOUT_SECONDS = 600
# The child's async invoke configuration: Lambda's maximum retries, and how long an event
# may wait (throttled or between retries) before it is dropped.
CHILD_MAX_RETRY_ATTEMPTS = 2
CHILD_MAX_EVENT_AGE_SECONDS = 3600
PARENT_DISPATCH_CONCURRENCY = 32
# Lambda's log format and levels (Terraform's variables default to the same): JSON, as Powertools logs.
LOG_FORMAT = "JSON"
APPLICATION_LOG_LEVEL = "INFO"
SYSTEM_LOG_LEVEL = "INFO"

LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
