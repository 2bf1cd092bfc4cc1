"""The credential preflight: who is about to release, and with what kind of credentials.

Runs ``sts get-caller-identity`` with the session the release will use (against the emulator's
STS with ``--endpoint-url``), before anything is built. Missing, expired or unrecognised
credentials stop the release with a message saying how to get fresh ones. Long-lived access keys
(an ``AKIA…`` key id, or no session token) are refused unless the operator forces them: a
release should run on a short-lived session (``aws sso login``, or an assumed role)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    ClientError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    SSOError,
    TokenRetrievalError,
)

from pipeline.release.exceptions import (
    CredentialsExpired,
    CredentialsInvalid,
    CredentialsMissing,
    CredentialsRefused,
    LongLivedKeysRefused,
)

LONG_LIVED_KEY_PREFIX = "AKIA"
# STS error codes, as AWS (and MiniStack) answer them.
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
INVALID_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "AuthFailure",
    }
)
REFRESH_HINT = "refresh the session (`aws sso login --profile …`, or assume the role again) and rerun"


@dataclass(frozen=True)
class CallerIdentity:
    """STS's answer, and what kind of credentials got it."""

    arn: str
    account: str
    user_id: str
    access_key_id: str
    temporary: bool

    @property
    def kind(self) -> str:
        return "temporary session credentials" if self.temporary else "long-lived access key"


def _masked(key_id: str) -> str:
    return f"{key_id[:4]}…{key_id[-4:]}" if len(key_id) > 8 else "…"


def classify_client_error(error: ClientError) -> CredentialsRefused | None:
    """The preflight error an STS ``ClientError`` means, or None if it is not about credentials."""
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = str(error.response.get("Error", {}).get("Message", ""))
    if code in EXPIRED_CODES:
        return CredentialsExpired(f"credentials expired ({code}: {message}); {REFRESH_HINT}")
    if code in INVALID_CODES:
        return CredentialsInvalid(f"credentials not recognised ({code}: {message}); {REFRESH_HINT}")
    return None


def preflight(session: Any, sts: Any, *, allow_long_lived_keys: bool = False) -> CallerIdentity:
    """Check ``session``'s credentials with ``sts`` (a client made from that session)."""
    try:
        credentials = session.get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
    except (CredentialRetrievalError, TokenRetrievalError, SSOError) as error:
        raise CredentialsExpired(f"credentials could not be refreshed ({error}); {REFRESH_HINT}") from error
    except PartialCredentialsError as error:
        raise CredentialsMissing(f"incomplete credentials: {error}") from error
    if frozen is None or not frozen.access_key:
        raise CredentialsMissing(
            "no AWS credentials found: log in (`aws sso login --profile …` and set AWS_PROFILE) "
            "or export a session's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN"
        )
    try:
        answer = sts.get_caller_identity()
    except NoCredentialsError as error:
        raise CredentialsMissing(f"no AWS credentials found: {error}") from error
    except ClientError as error:
        refused = classify_client_error(error)
        if refused is None:
            raise
        raise refused from error
    except EndpointConnectionError as error:
        raise CredentialsRefused(f"sts get-caller-identity: cannot reach STS ({error})") from error
    identity = CallerIdentity(
        arn=str(answer["Arn"]),
        account=str(answer["Account"]),
        user_id=str(answer["UserId"]),
        access_key_id=frozen.access_key,
        temporary=bool(frozen.token) and not frozen.access_key.startswith(LONG_LIVED_KEY_PREFIX),
    )
    if not identity.temporary and not allow_long_lived_keys:
        raise LongLivedKeysRefused(
            f"{identity.arn} authenticates with a long-lived access key ({_masked(frozen.access_key)}"
            f"{', no session token' if not frozen.token else ''}): use short-lived credentials "
            "(`aws sso login`, or assume a role), or pass --allow-long-lived-keys to force it"
        )
    return identity
