"""Every environment variable the Lambdas and their clients read, named once."""

from __future__ import annotations

# The functions' configuration (set by Terraform or the emulator deployer).
RESULTS_BUCKET_ENV = "RESULTS_BUCKET"
RESULTS_PREFIX_ENV = "RESULTS_PREFIX"
CHILD_FUNCTION_NAME_ENV = "CHILD_FUNCTION_NAME"
CODE_VERSION_ENV = "CODE_VERSION"
DISPATCH_CONCURRENCY_ENV = "DISPATCH_CONCURRENCY"
DISPATCH_MAX_ATTEMPTS_ENV = "DISPATCH_MAX_ATTEMPTS"

# Where AWS clients point: the SDK's own variable first (LocalStack sets it inside its functions
# too), then LocalStack's LOCALSTACK_HOST (host[:port]). Its older LOCALSTACK_HOSTNAME and
# EDGE_PORT are deprecated by LocalStack itself and not read.
AWS_ENDPOINT_URL_ENV = "AWS_ENDPOINT_URL"
LOCALSTACK_HOST_ENV = "LOCALSTACK_HOST"
USE_SSL_ENV = "USE_SSL"
AWS_REGION_ENV = "AWS_REGION"
AWS_DEFAULT_REGION_ENV = "AWS_DEFAULT_REGION"
AWS_PROFILE_ENV = "AWS_PROFILE"
AWS_ACCESS_KEY_ID_ENV = "AWS_ACCESS_KEY_ID"
AWS_SECRET_ACCESS_KEY_ENV = "AWS_SECRET_ACCESS_KEY"
AWS_SESSION_TOKEN_ENV = "AWS_SESSION_TOKEN"

# What the results settings must look like, in a syntax Python's re and Terraform's RE2 read
# alike: the functions' configuration, the Athena settings and Terraform's validations
# (tested against these) use them.
BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
PREFIX_PATTERN = r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"
"""Key prefix: path segments of letters, digits, '.', '_' and '-', no leading or trailing '/'."""
CODE_VERSION_PATTERN = r"^[!-~]{1,128}$"
"""1 to 128 printable ASCII characters, no spaces."""

# Bounds of the dispatch settings (their defaults are sim.constants'); Terraform's validations are tested against them.
MAX_DISPATCH_CONCURRENCY = 256
MAX_DISPATCH_MAX_ATTEMPTS = 20
LOCALSTACK_EDGE_PORT = 4566
# A local emulator accepts any credentials and region; these are used when none are configured.
EMULATOR_REGION = "us-east-1"
EMULATOR_ACCESS_KEY = "test"
