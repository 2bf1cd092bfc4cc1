#!/bin/sh
# The entrypoint contract of AWS's Lambda base images, kept by the local base image:
# under Lambda (AWS_LAMBDA_RUNTIME_API set) the runtime client talks to Lambda's Runtime API
# directly; anywhere else the Runtime Interface Emulator serves invocations on port 8080 and
# the Runtime API to the runtime client.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" >&2
  exit 142
fi
export _HANDLER="$1"

RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  exec /usr/local/bin/aws-lambda-rie "$RUNTIME_ENTRYPOINT"
fi
exec "$RUNTIME_ENTRYPOINT"
