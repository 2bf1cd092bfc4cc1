"""The emulator's lifecycle: a port of our choosing, health, reset, and a stop that frees it."""

from __future__ import annotations

import socket

import pytest

from aws_adapters import client
from pipeline.emulator import Emulator, free_port

pytestmark = pytest.mark.emulator


def test_an_emulator_starts_on_the_given_port_resets_and_stops_leaving_nothing() -> None:
    port = free_port()

    with Emulator(port, extra_env={"MINISTACK_REGION": "us-east-1"}) as emulator:
        health = emulator.health()
        s3 = client("s3", endpoint_url=emulator.endpoint_url)
        s3.create_bucket(Bucket="lifecycle-probe")
        emulator.reset()
        buckets = s3.list_buckets()["Buckets"]
        pid, tmp_dir = emulator.pid, emulator.tmp_dir

    assert emulator.endpoint_url == f"http://127.0.0.1:{port}"
    assert health["services"]["lambda"] == "available" and health["version"] == "1.5.33"
    assert buckets == []
    assert pid is not None and not emulator.is_running()
    assert tmp_dir is not None and not tmp_dir.exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
