"""The preflight's verdicts that need no STS: no credentials at all, and what STS errors mean.

(Acceptance and refusal by STS itself run against the emulator: tests/e2e/test_release_preflight.py.)"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from pipeline.release import CredentialsExpired, CredentialsInvalid, CredentialsMissing, preflight
from pipeline.release.preflight import classify_client_error


def sts_error(code: str, message: str = "message from STS") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "GetCallerIdentity")


def test_no_credentials_anywhere_stops_before_calling_sts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given an environment with no keys, no profile, empty config files and no metadata service
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    session = boto3.Session(region_name="eu-west-1")
    # when the preflight runs, then it says how to log in (STS is never asked: the client is unusable)
    with pytest.raises(CredentialsMissing, match="aws sso login"):
        preflight(session, sts=None)


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "RequestExpired"])
def test_expired_sessions_are_reported_as_expired(code: str) -> None:
    refused = classify_client_error(sts_error(code, "The security token included in the request is expired"))
    assert isinstance(refused, CredentialsExpired)
    assert code in str(refused) and "aws sso login" in str(refused)


@pytest.mark.parametrize("code", ["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"])
def test_unrecognised_credentials_are_reported_as_invalid(code: str) -> None:
    assert isinstance(classify_client_error(sts_error(code)), CredentialsInvalid)


def test_other_sts_errors_are_not_about_credentials() -> None:
    assert classify_client_error(sts_error("Throttling")) is None
