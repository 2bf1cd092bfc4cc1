"""Bounded error answers for the issue's hostile bodies, through the contract, the parent's event
path and the CLI. Sizes and message counts are asserted; times are printed, never asserted
(``pytest -s`` shows them)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from aws_adapters.apigateway import is_proxy_event, proxy_body
from pipeline.cli import main
from sim.contract import RequestInvalid, parse_request, parse_request_text
from sim.contract.messages import MESSAGE_LIMIT
from sim.contract.validation import BODY_BYTE_CAP

ANSWER_BYTE_BOUND = 64 * 1024
DIMENSIONS_OF_TEN = (
    "city_size",
    "num_drivers",
    "num_riders",
    "request_rate",
    "commission_rate",
    "base_fare",
    "per_block_fare",
    "patience_min",
    "horizon_min",
    "warmup_min",
)


def zeros_body(count: int) -> str:
    """The issue's body: ``num_drivers`` holding ``count`` zeros (100 000 make 300 KB, 1 000 000 make 3 MB)."""
    return json.dumps(
        {"run_id": "hostile-001", "dimensions": {"num_drivers": [0] * count}, "shard_count": 1, "seed": 1}
    )


HOSTILE = {
    "300 KB: 100,000 zeros": zeros_body(100_000),
    "3 MB: 1,000,000 zeros": zeros_body(1_000_000),
    "10 full lists of bad values": json.dumps(
        {
            "run_id": "hostile-001",
            "dimensions": {k: [-5] * 1000 for k in DIMENSIONS_OF_TEN},
            "shard_count": 1,
            "seed": 1,
        }
    ),
    "200,000 unknown fields": json.dumps({"run_id": "hostile-001", **{f"k{i}": 0 for i in range(200_000)}}),
    "seed a list of 200,000": json.dumps(
        {"run_id": "hostile-001", "dimensions": {"num_drivers": [1]}, "shard_count": 1, "seed": [0.5] * 200_000}
    ),
}


def answer_of(parse: Callable[[], object]) -> tuple[bytes, list[str], float]:
    started = time.perf_counter()
    with pytest.raises(RequestInvalid) as raised:
        parse()
    elapsed = time.perf_counter() - started
    answer = json.dumps({"message": "Invalid request", "errors": raised.value.errors}, sort_keys=True).encode()
    return answer, raised.value.errors, elapsed


def assert_bounded(name: str, path: str, answer: bytes, errors: list[str], elapsed: float, body: str) -> None:
    print(
        f"{name:30s} {path:14s} body {len(body) / 1e3:8.1f} KB -> answer {len(answer):6d} B, "
        f"{len(errors):3d} messages, {elapsed * 1000:7.1f} ms"
    )
    assert len(answer) < ANSWER_BYTE_BOUND
    assert 1 <= len(errors) <= MESSAGE_LIMIT + 1
    if len(errors) == MESSAGE_LIMIT + 1:
        assert errors[-1].startswith("(more): and ") and errors[-1].endswith(" more problems not listed")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_body_gets_a_bounded_answer_as_text_and_as_an_event(name: str) -> None:
    body = HOSTILE[name]
    proxy_event = {"httpMethod": "POST", "requestContext": {}, "body": body}

    as_text = answer_of(lambda: parse_request_text(body))
    as_proxy = answer_of(lambda: parse_request_text(proxy_body(proxy_event)) if is_proxy_event(proxy_event) else None)
    decoded = json.loads(body)
    as_direct_invoke = answer_of(lambda: parse_request(decoded))

    for path, (answer, errors, elapsed) in {
        "text": as_text,
        "proxy event": as_proxy,
        "direct": as_direct_invoke,
    }.items():
        assert_bounded(name, path, answer, errors, elapsed, body)


def test_list_length_is_checked_before_each_value() -> None:
    _, errors, _ = answer_of(lambda: parse_request(json.loads(zeros_body(100_000))))

    assert errors == ["dimensions.num_drivers: must list at most 1000 values (got 100000)"]


def test_a_body_over_the_byte_cap_is_refused_before_it_is_parsed() -> None:
    body = zeros_body(1_000_000)

    _, errors, _ = answer_of(lambda: parse_request_text(body))

    assert errors == [f"body: must be at most {BODY_BYTE_CAP} bytes (got {len(body)})"]


def test_the_answer_counts_what_it_does_not_list() -> None:
    _, errors, _ = answer_of(lambda: parse_request_text(HOSTILE["10 full lists of bad values"]))

    # 10 lists x 1000 values below their minimum, 999 repeats in each list, and the grid over its cap
    assert errors[-1] == f"(more): and {10 * 1000 + 10 * 999 + 1 - MESSAGE_LIMIT} more problems not listed"
    assert errors[0].startswith("dimensions: the grid has 1000000000000000000000000000000 points")
    assert errors[1] == "dimensions.base_fare[0]: must be a number >= 0 (got number -5)"


@pytest.mark.parametrize("name", ["300 KB: 100,000 zeros", "3 MB: 1,000,000 zeros"])
def test_the_cli_prints_a_bounded_answer_and_writes_nothing(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request_file, out = tmp_path / "hostile.json", tmp_path / "out"
    request_file.write_text(HOSTILE[name])

    started = time.perf_counter()
    code = main(["run", "--local", str(request_file), "--out", str(out)])
    elapsed = time.perf_counter() - started
    stderr = capsys.readouterr().err

    with capsys.disabled():
        print(f"\n{name:30s} {'cli':14s} stderr {len(stderr.encode()):6d} B, {elapsed * 1000:7.1f} ms")
    assert code == 2 and len(stderr.encode()) < ANSWER_BYTE_BOUND
    assert "num_drivers" in stderr or "body: must be at most" in stderr
    assert not out.exists()
