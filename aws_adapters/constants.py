"""Every environment variable the Lambdas and their clients read, named once."""

from __future__ import annotations

# The dispatch defaults are the parent logic's own (sim.runs); the environment may override them.
from sim.runs import DEFAULT_DISPATCH_CONCURRENCY as DEFAULT_DISPATCH_CONCURRENCY
from sim.runs import DEFAULT_DISPATCH_MAX_ATTEMPTS as DEFAULT_DISPATCH_MAX_ATTEMPTS

# The functions' configuration (set by Terraform or the emulator deployer).
RESULTS_BUCKET_ENV = "RESULTS_BUCKET"
RESULTS_PREFIX_ENV = "RESULTS_PREFIX"
CHILD_FUNCTION_NAME_ENV = "CHILD_FUNCTION_NAME"
CODE_VERSION_ENV = "CODE_VERSION"
DISPATCH_CONCURRENCY_ENV = "DISPATCH_CONCURRENCY"
DISPATCH_MAX_ATTEMPTS_ENV = "DISPATCH_MAX_ATTEMPTS"

# Where AWS clients point: the SDK's own variable first, then LocalStack's conventions
# (LOCALSTACK_HOSTNAME + EDGE_PORT inside its functions, LOCALSTACK_HOST for localstack-client).
AWS_ENDPOINT_URL_ENV = "AWS_ENDPOINT_URL"
LOCALSTACK_HOSTNAME_ENV = "LOCALSTACK_HOSTNAME"
EDGE_PORT_ENV = "EDGE_PORT"
LOCALSTACK_HOST_ENV = "LOCALSTACK_HOST"
USE_SSL_ENV = "USE_SSL"
AWS_REGION_ENV = "AWS_REGION"
AWS_DEFAULT_REGION_ENV = "AWS_DEFAULT_REGION"
AWS_PROFILE_ENV = "AWS_PROFILE"
AWS_ACCESS_KEY_ID_ENV = "AWS_ACCESS_KEY_ID"
AWS_SECRET_ACCESS_KEY_ENV = "AWS_SECRET_ACCESS_KEY"
AWS_SESSION_TOKEN_ENV = "AWS_SESSION_TOKEN"

MAX_DISPATCH_CONCURRENCY = 256
MAX_DISPATCH_MAX_ATTEMPTS = 20
LOCALSTACK_EDGE_PORT = 4566
# A local emulator accepts any credentials and region; these are used when none are configured.
EMULATOR_REGION = "us-east-1"
EMULATOR_ACCESS_KEY = "test"
