"""boto3 clients that reach AWS, LocalStack or MiniStack with the same code.

The endpoint comes from, in order: the explicit argument, ``AWS_ENDPOINT_URL``, LocalStack's
``LOCALSTACK_HOST`` (host[:port], port 4566 by default); none of them means AWS itself. Against
an emulator, missing credentials and region get the dummy values every emulator accepts, and S3
uses path-style addressing.

Sessions are made once per set of settings (endpoint kind, region, the credential variables)
and kept: a session caches the JSON models botocore parses (endpoints, partitions, each
service's model and rules), which a new session parsed again for every client — most of the
CPU a test or a command spent on AWS calls. Each call still gets a client of its own.

boto3 is imported when the first client is made, so a command that never calls AWS (``status``
of a local directory) does not spend 0.3 s loading it."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aws_adapters.constants import (
    AWS_ACCESS_KEY_ID_ENV,
    AWS_DEFAULT_REGION_ENV,
    AWS_ENDPOINT_URL_ENV,
    AWS_PROFILE_ENV,
    AWS_REGION_ENV,
    AWS_SECRET_ACCESS_KEY_ENV,
    AWS_SESSION_TOKEN_ENV,
    EMULATOR_ACCESS_KEY,
    EMULATOR_REGION,
    LOCALSTACK_EDGE_PORT,
    LOCALSTACK_HOST_ENV,
    USE_SSL_ENV,
)

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config

DEFAULT_POOL = 10
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 60
# A boto3 session is not safe to make clients from in two threads at once.
_CLIENT_CREATION = threading.Lock()
AWS_ENV_PREFIX = "AWS_"


def resolve_endpoint_url(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint to use, or None for AWS's own endpoints."""
    if explicit:
        return explicit
    env = os.environ if environ is None else environ
    if url := env.get(AWS_ENDPOINT_URL_ENV, "").strip():
        return url
    scheme = "https" if env.get(USE_SSL_ENV, "").lower() in ("1", "true") else "http"
    if host := env.get(LOCALSTACK_HOST_ENV, "").strip():
        name, _, port = host.partition(":")
        return f"{scheme}://{name or 'localhost'}:{port or LOCALSTACK_EDGE_PORT}"
    return None


def client_config(
    *, max_pool_connections: int = DEFAULT_POOL, max_attempts: int | None = None, path_style: bool = False
) -> Config:
    """Connection pool sized for the caller's threads; ``max_attempts=1`` leaves retrying to the caller."""
    from botocore.config import Config

    retries: dict[str, Any] = {"mode": "standard"}
    if max_attempts is not None:
        retries["total_max_attempts"] = max_attempts
    return Config(
        max_pool_connections=max_pool_connections,
        retries=retries,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        s3={"addressing_style": "path"} if path_style else None,
    )


def session_for(
    endpoint_url: str | None, session: boto3.Session | None = None, region_name: str | None = None
) -> boto3.Session:
    """The given session, else the kept one for these settings and this environment; for an
    emulator without configured keys, with dummy ones.

    Against an emulator the credential chain is not searched: its last links query the EC2
    and container metadata addresses, which must not be contacted from here."""
    if session is not None:
        return session
    aws_environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(AWS_ENV_PREFIX)))
    return _kept_session(endpoint_url is not None, region_name, aws_environment)


@functools.cache
def _kept_session(
    emulator: bool, region_name: str | None, aws_environment: tuple[tuple[str, str], ...]
) -> boto3.Session:
    """One session per settings: ``aws_environment`` is every ``AWS_*`` variable, which is what a
    session reads, so a changed credential, profile or region is a new session."""
    import boto3

    if not emulator:
        return boto3.Session(region_name=region_name)
    env = dict(aws_environment)
    region = region_name or env.get(AWS_REGION_ENV) or env.get(AWS_DEFAULT_REGION_ENV) or EMULATOR_REGION
    if env.get(AWS_PROFILE_ENV):
        return boto3.Session(region_name=region)
    return boto3.Session(
        aws_access_key_id=env.get(AWS_ACCESS_KEY_ID_ENV) or EMULATOR_ACCESS_KEY,
        aws_secret_access_key=env.get(AWS_SECRET_ACCESS_KEY_ENV) or EMULATOR_ACCESS_KEY,
        aws_session_token=env.get(AWS_SESSION_TOKEN_ENV) or None,
        region_name=region,
    )


def client(
    service: str,
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    session: boto3.Session | None = None,
    max_pool_connections: int = DEFAULT_POOL,
    max_attempts: int | None = None,
) -> Any:
    """A client for any service, at the resolved endpoint."""
    url = resolve_endpoint_url(endpoint_url)
    config = client_config(
        max_pool_connections=max_pool_connections,
        max_attempts=max_attempts,
        path_style=service == "s3" and url is not None,
    )
    chosen = session_for(url, session, region_name)
    with _CLIENT_CREATION:
        return chosen.client(service, endpoint_url=url, config=config)


def s3_client(
    *, endpoint_url: str | None = None, session: boto3.Session | None = None, max_pool_connections: int = DEFAULT_POOL
) -> Any:
    return client("s3", endpoint_url=endpoint_url, session=session, max_pool_connections=max_pool_connections)


def lambda_client(
    *, endpoint_url: str | None = None, session: boto3.Session | None = None, max_pool_connections: int = DEFAULT_POOL
) -> Any:
    """Single attempt per call: ``sim.retries.RetryingInvoker`` retries what may succeed later, with jitter."""
    return client(
        "lambda",
        endpoint_url=endpoint_url,
        session=session,
        max_pool_connections=max_pool_connections,
        max_attempts=1,
    )
