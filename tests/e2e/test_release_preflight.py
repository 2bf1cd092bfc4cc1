"""The credential preflight against the emulator's STS: what a release accepts and refuses.

The credentials are exported as an operator's shell would have them; the release builds its
session from the environment (``Connection.open``) and asks STS who it is."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.config import Config

from pipeline.cli import main
from pipeline.emulator import Emulator
from pipeline.release import Connection, CredentialsExpired, LongLivedKeysRefused

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
LONG_LIVED_KEY = "AKIAIOSFODNN7EXAMPLE"
SESSION_KEY = "ASIAIOSFODNN7EXAMPLE"
OPERATOR_ROLE = "arn:aws:iam::000000000000:role/release-operator"


def export(monkeypatch: pytest.MonkeyPatch, key: str, secret: str = "secret", token: str | None = None) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    if token is None:
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    else:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)


def assumed_role(emulator: Emulator, seconds: int = 3600) -> dict[str, str]:
    """Temporary credentials from the emulator's STS (parameter validation off: AWS's minimum is 900 s)."""
    sts = boto3.client(
        "sts",
        endpoint_url=emulator.endpoint_url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(parameter_validation=False),
    )
    return sts.assume_role(RoleArn=OPERATOR_ROLE, RoleSessionName="preflight", DurationSeconds=seconds)["Credentials"]


def test_session_credentials_are_accepted(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # given an exported session (key id ASIA…, with its token)
    export(monkeypatch, SESSION_KEY, token="session-token")
    # when the release's preflight runs against the emulator's STS
    identity = Connection.open(REGION, emulator.endpoint_url).check(allow_long_lived_keys=False)
    # then it passes and names the caller
    assert identity.temporary and identity.access_key_id == SESSION_KEY
    assert identity.arn.startswith("arn:aws:") and identity.account == "000000000000"


def test_an_assumed_roles_credentials_are_accepted_and_name_the_role(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = assumed_role(emulator)
    export(monkeypatch, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])

    identity = Connection.open(REGION, emulator.endpoint_url).check(allow_long_lived_keys=False)

    assert identity.temporary
    assert identity.arn == "arn:aws:sts::000000000000:assumed-role/release-operator/preflight"


def test_a_long_lived_access_key_is_refused_unless_forced(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # given an access key id of a user's long-lived key, no session token
    export(monkeypatch, LONG_LIVED_KEY)
    connection = Connection.open(REGION, emulator.endpoint_url)
    # when the preflight runs, then it refuses, saying what to do instead
    with pytest.raises(LongLivedKeysRefused, match=r"long-lived access key \(AKIA…MPLE, no session token\)"):
        connection.check(allow_long_lived_keys=False)
    # and with --allow-long-lived-keys it passes
    identity = connection.check(allow_long_lived_keys=True)
    assert not identity.temporary and identity.kind == "long-lived access key"


def test_a_session_key_without_its_token_is_refused(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    export(monkeypatch, SESSION_KEY)

    with pytest.raises(LongLivedKeysRefused, match="no session token"):
        Connection.open(REGION, emulator.endpoint_url).check(allow_long_lived_keys=False)


def test_an_expired_session_stops_the_release_with_a_clear_message(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a session that expired (the emulator's STS enforces the expiration of its sessions)
    credentials = assumed_role(emulator, seconds=1)
    export(monkeypatch, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    time.sleep(1.5)
    # when the preflight runs, then it reports the expiry and how to refresh
    with pytest.raises(CredentialsExpired, match=r"credentials expired \(ExpiredToken"):
        Connection.open(REGION, emulator.endpoint_url).check(allow_long_lived_keys=False)
    # and `python -m pipeline release` exits non-zero with that message, before building anything
    assert main(["release", "--endpoint-url", emulator.endpoint_url]) == 1
    assert "aws sso login" in capsys.readouterr().err
    # and so does a rollback
    assert main(["rollback", "--endpoint-url", emulator.endpoint_url]) == 1
    assert "credentials expired" in capsys.readouterr().err
