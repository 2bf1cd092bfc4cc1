"""Who signs a submit: the session's credentials from the usual chain, checked like a release's.

The region comes from the explicit argument, else the API's host name
(``<id>.execute-api.<region>.amazonaws.com``), else the session. The credentials must be
short-lived (SSO, an assumed role, an exported session): the same preflight as ``release``
(``pipeline.release.preflight``) asks STS who they are and refuses long-lived keys unless
``allow_long_lived_keys``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import boto3

from aws_adapters.clients import client, session_for
from pipeline.client.exceptions import SigningUnavailable
from pipeline.client.http import SigV4Signer

EXECUTE_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")


def api_region(api_url: str) -> str | None:
    """The region in an API Gateway host name, or None for any other host."""
    match = EXECUTE_API_HOST.match(urlsplit(api_url).hostname or "")
    return match.group(1) if match else None


def signer_for(
    api_url: str,
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    session: boto3.Session | None = None,
    allow_long_lived_keys: bool = False,
) -> SigV4Signer:
    """A signer with the session's credentials, after the release preflight accepted them."""
    from pipeline.release.preflight import preflight  # botocore's STS only when signing

    session = session_for(endpoint_url, session)
    region = region or api_region(api_url) or session.region_name
    if not region:
        raise SigningUnavailable(
            "--region: no region to sign with (not in the API's host name, nor in the session: set AWS_REGION)"
        )
    sts = client("sts", endpoint_url=endpoint_url, region_name=region, session=session)
    preflight(session, sts, allow_long_lived_keys=allow_long_lived_keys)
    credentials = session.get_credentials()
    if credentials is None:  # preflight refused this already; kept for the type checker
        raise SigningUnavailable("no AWS credentials to sign with")
    return SigV4Signer(credentials, region)
