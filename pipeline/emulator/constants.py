"""Names and pins of the emulator, each given once."""

from __future__ import annotations

from pathlib import Path

from pipeline.paths import CACHE_DIR

MINISTACK_VERSION = "1.5.33"
# The whole closure of ministack[full], pinned; the venv is rebuilt when this file changes.
MINISTACK_LOCK = Path(__file__).with_name("ministack.lock")
MINISTACK_VENV = CACHE_DIR / "ministack-venv"
# An interpreter with nothing but the standard library: MiniStack runs zip functions with its
# own sys.executable, so MiniStack is started on this one (its packages added to sys.path in
# process only) and functions find no package they did not bring, as on AWS.
LAMBDA_PYTHON_VENV = CACHE_DIR / "lambda-python-venv"

STATE_DIR = CACHE_DIR / "emulator"
DEFAULT_BIND_HOST = "127.0.0.1"
HEALTH_PATH = "/_ministack/health"
RESET_PATH = "/_ministack/reset"
READY_TIMEOUT_SECONDS = 30.0

# MiniStack's own environment variables (read by MiniStack, set by us).
ENV_BIND_HOST = "BIND_HOST"
ENV_GATEWAY_PORT = "GATEWAY_PORT"
ENV_ASYNC_RETRY_BASE = "LAMBDA_ASYNC_RETRY_BASE_SECONDS"
ENV_ASYNC_RETRY_MAX = "LAMBDA_ASYNC_RETRY_MAX_SECONDS"
ENV_DOCKER_FLAGS = "LAMBDA_DOCKER_FLAGS"
ENV_LOG_LEVEL = "LOG_LEVEL"
ENV_TMPDIR = "TMPDIR"
# Listeners on fixed all-interface ports that this project never uses (and that would clash
# between two emulators): off.
QUIET_LISTENERS = {"IOT_MTLS_ENABLED": "0", "SFTP_ENABLED": "0"}
# Inherited variables that would leak the operator's Python or AWS setup into functions:
# MiniStack copies its own environment into every function process.
SCRUBBED_ENV_PREFIXES = ("AWS_", "PYTHON", "VIRTUAL_ENV", "LOCALSTACK_")
# What a local client process (boto3, pyarrow's S3) needs to talk to the emulator: its dummy
# credentials, and never a search of the EC2/container metadata addresses for real ones.
EMULATOR_CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
