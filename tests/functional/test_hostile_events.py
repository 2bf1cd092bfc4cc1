"""The hostile-input suite: the real handlers, imported as Lambda imports them, given the events the
adversarial test found (unbounded error answers, unbounded work, direct-invoke crashes, a child
trusting any event). Each case asserts the status, a bounded answer naming the field, and what was
written: nothing at all, or for a child event naming an existing run with a different request, one
failed attempt record and no data. The S3 store and the Lambda invoker are swapped for a real
directory store and a recording invoker (the handlers' own modules, the AWS side stubbed out: the
emulator runs of the same events are in tests/e2e/test_hostile_emulator.py)."""

from __future__ import annotations

import base64
import importlib.util
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pipeline.paths import REPO_ROOT
from sim.contract import parse_request
from sim.contract.shard_event import shard_event
from sim.datasets import layout
from sim.manifest import CLAIM_CLOCK_MARGIN_SECONDS, DISPATCH_CLAIM_GRACE_SECONDS, read_manifest
from sim.runs import submit_run
from sim.store import DirectoryStore

ANSWER_BYTE_BOUND = 64 * 1024
ENVIRONMENT = {
    "RESULTS_BUCKET": "hostile-results",
    "CODE_VERSION": "hostile-test",
    "CHILD_FUNCTION_NAME": "hostile-child",
    # Clients are built at import, never used here: a closed port makes any call fail at once.
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass(frozen=True)
class LambdaContextStandIn:
    """What Lambda passes as the context (the fields the handlers and Powertools read)."""

    function_name: str = "hostile"
    memory_limit_in_mb: int = 1769
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:hostile"
    aws_request_id: str = "hostile-request-0001"
    remaining_millis: int = 60_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


class RecordingInvokerStandIn:
    def __init__(self) -> None:
        self.payloads: list[Mapping[str, Any]] = []

    def invoke_async(self, payload: Mapping[str, Any]) -> str:
        self.payloads.append(payload)
        return f"req-{len(self.payloads)}"


def _load(function: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{function}_handler", REPO_ROOT / "images" / function / "handler.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def handlers() -> Iterator[dict[str, ModuleType]]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENVIRONMENT.items():
            patch.setenv(name, value)
        yield {"parent": _load("parent"), "child": _load("child")}


@dataclass
class Harness:
    parent: ModuleType
    child: ModuleType
    root: Path
    invoker: RecordingInvokerStandIn

    def objects(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())

    def post(self, event: Any, context: LambdaContextStandIn | None = None) -> tuple[int, dict[str, Any]]:
        answer = self.parent.handler(event, context or LambdaContextStandIn())
        body = answer["body"]
        text = body if isinstance(body, str) else json.dumps(body)
        assert len(text.encode()) < ANSWER_BYTE_BOUND
        return answer["statusCode"], json.loads(text)

    def deliver(self, event: Any) -> dict[str, Any]:
        answer = self.child.handler(event, LambdaContextStandIn())
        assert len(json.dumps(answer).encode()) < ANSWER_BYTE_BOUND
        return dict(answer)


@pytest.fixture
def harness(handlers: dict[str, ModuleType], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    store, invoker = DirectoryStore(tmp_path), RecordingInvokerStandIn()
    for module in handlers.values():
        monkeypatch.setattr(module, "STORE", store)
    monkeypatch.setattr(handlers["parent"], "INVOKER", invoker)
    return Harness(handlers["parent"], handlers["child"], tmp_path, invoker)


def proxy(body: Any, **extra: Any) -> dict[str, Any]:
    return {"httpMethod": "POST", "requestContext": {"stage": "v1"}, "headers": {}, "body": body, **extra}


def valid(**changes: Any) -> dict[str, Any]:
    return {"run_id": "hostile-001", "dimensions": {"num_drivers": [50, 100]}, "shard_count": 2, "seed": 7, **changes}


def zeros(count: int) -> str:
    return json.dumps(valid(dimensions={"num_drivers": [0] * count}))


HEAVY = {"num_drivers": list(range(1, 1001)), "commission_rate": [i / 1000 for i in range(100)]}

# (id, parent event, the field the answer must name)
PARENT_CASES = [
    # unbounded error answers (finding 2)
    ("300KB-zeros", proxy(zeros(100_000)), "dimensions.num_drivers: must list at most 1000 values"),
    ("3MB-zeros", proxy(zeros(1_000_000)), "body: must be at most 1048576 bytes"),
    ("3MB-zeros-direct", json.loads(zeros(1_000_000)), "dimensions.num_drivers: must list at most 1000 values"),
    (
        "ten-bad-lists",
        proxy(json.dumps(valid(dimensions={n: [-5] * 1000 for n in ("num_drivers", "num_riders", "city_size")}))),
        "(more): and ",
    ),
    ("200k-unknown-fields", valid(**{f"k{i}": 0 for i in range(200_000)}), "(root): unexpected field"),
    ("text-plain-hostile", proxy(zeros(100_000), headers={"Content-Type": "text/plain"}), "dimensions.num_drivers"),
    (
        "base64-hostile",
        proxy(base64.b64encode(zeros(100_000).encode()).decode(), isBase64Encoded=True),
        "dimensions.num_drivers",
    ),
    # unbounded work per shard (finding 3)
    ("100k-points-one-shard", proxy(json.dumps(valid(dimensions=HEAVY, shard_count=1))), "shard_count: the heaviest"),
    ("100k-points-direct", valid(dimensions=HEAVY, shard_count=1), "use shard_count >= "),
    (
        "no-shard-count-fits",
        valid(
            dimensions={"num_drivers": list(range(19_901, 20_001)), "horizon_min": list(range(99_001, 100_001))},
            shard_count=1000,
        ),
        "no shard_count up to 1000 fits",
    ),
    # direct-invoke crashes (finding 4)
    ("null", None, "body: must be a JSON object (got null)"),
    ("number", 5, "body: must be a JSON object (got number 5)"),
    ("string", "run it", "body: must be a JSON object (got string"),
    ("list", [valid()], "body: must be a JSON object (got a list)"),
    ("boolean", True, "body: must be a JSON object (got boolean true)"),
    ("empty-object", {}, "run_id: required"),
    ("proxy-body-object", proxy(valid()), "body: must be the request body as a JSON string (got an object)"),
    ("proxy-body-number", proxy(5), "body: must be the request body as a JSON string (got number 5)"),
    ("proxy-body-list", proxy([1, 2]), "body: must be the request body as a JSON string (got a list)"),
    ("proxy-base64-flag-string", proxy(json.dumps(valid()), isBase64Encoded="false"), "isBase64Encoded: must be true"),
    ("proxy-base64-flag-number", proxy(json.dumps(valid()), isBase64Encoded=1), "isBase64Encoded: must be true"),
    ("proxy-not-base64", proxy("{not base64", isBase64Encoded=True), "body: isBase64Encoded is set"),
    ("proxy-null-body", proxy(None), "body: required"),
    ("method-without-context", {**valid(), "httpMethod": "POST"}, "unexpected field 'httpMethod'"),
]


@pytest.mark.parametrize(("event", "names"), [c[1:] for c in PARENT_CASES], ids=[c[0] for c in PARENT_CASES])
def test_a_hostile_parent_event_gets_a_bounded_400_naming_the_field_and_writes_nothing(
    harness: Harness, event: Any, names: str
) -> None:
    status, body = harness.post(event)

    assert status == 400
    assert body["message"] == "Invalid request"
    assert any(names in message for message in body["errors"]), body["errors"][:3]
    assert len(body["errors"]) <= 51
    assert harness.objects() == [] and harness.invoker.payloads == []


def _recorded_run(harness: Harness) -> dict[str, Any]:
    """A run recorded by the parent's own code (its dispatch recorded, no child run)."""
    request = parse_request(valid(failure_injection_shards=[1]))
    submit_run(request, DirectoryStore(harness.root), RecordingInvokerStandIn(), code_version="t", results_location="x")
    return shard_event(request, 0)


# (id, child event, the field the answer must name)
CHILD_SHAPE_CASES = [
    ("null", None, "event: must be a JSON object"),
    ("number", 5, "event: must be a JSON object"),
    ("list", [shard_event(parse_request(valid()), 0)], "event: must be a JSON object"),
    ("empty-object", {}, "shard_id: required"),
    ("no-shard-id", valid(), "shard_id: required"),
    ("shard-id-too-big", {**valid(), "shard_id": 2}, "shard_id: must be < shard_count (2)"),
    ("shard-id-boolean", {**valid(), "shard_id": True}, "shard_id: must be an integer >= 0 (got boolean true)"),
    ("shard-id-string", {**valid(), "shard_id": "0"}, "shard_id: must be an integer >= 0"),
    ("bad-request-and-shard", {**valid(seed=-1), "shard_id": -1}, "seed: must be an integer"),
    ("hostile-list", {**json.loads(zeros(100_000)), "shard_id": 0}, "dimensions.num_drivers: must list at most"),
]


@pytest.mark.parametrize(("event", "names"), [c[1:] for c in CHILD_SHAPE_CASES], ids=[c[0] for c in CHILD_SHAPE_CASES])
def test_a_malformed_child_event_is_rejected_naming_the_field_and_writes_nothing(
    harness: Harness, event: Any, names: str
) -> None:
    answer = harness.deliver(event)

    assert answer["status"] == "rejected"
    assert any(names in message for message in answer["errors"]), answer["errors"]
    assert harness.objects() == []


def test_a_child_event_for_a_run_without_a_manifest_writes_nothing(harness: Harness) -> None:
    answer = harness.deliver(shard_event(parse_request(valid()), 0))

    assert answer["status"] == "rejected"
    assert answer["errors"] == ["run_id: no manifest for 'hostile-001'; nothing written"]
    assert harness.objects() == []


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"seed": 8}, "seed: differs from the run's manifest"),
        ({"dimensions": {"num_drivers": [50, 100, 200]}}, "dimensions: differs from the run's manifest"),
        ({"failure_injection_shards": [0, 1]}, "failure_injection_shards: injects shards the run's manifest does not"),
    ],
    ids=["seed", "dimensions", "injection"],
)
def test_a_child_event_whose_request_is_not_the_runs_records_one_failed_attempt_and_no_data(
    harness: Harness, change: dict[str, Any], names: str
) -> None:
    run_event = _recorded_run(harness)
    before = harness.objects()

    answer = harness.deliver({**run_event, **change})

    written = sorted(set(harness.objects()) - set(before))
    assert answer["status"] == "failed" and answer["rows_written"] == 0
    assert names in answer["errors"][0] and answer["errors"][0].endswith("no data written")
    assert written == [layout.outcome_key("hostile-001", 0, 1, LambdaContextStandIn.aws_request_id)]


def test_a_redrive_event_without_the_injected_shards_is_the_runs_own(harness: Harness) -> None:
    run_event = _recorded_run(harness)
    without_injection = {k: v for k, v in run_event.items() if k != "failure_injection_shards"}

    answer = harness.deliver({**without_injection, "shard_id": 1})

    assert answer["status"] == "succeeded" and answer["rows_written"] > 0


def test_the_parents_claims_hold_for_its_remaining_time_plus_the_clock_margin(harness: Harness) -> None:
    # given a parent deployed with a 5-minute timeout (past the claims' default grace period)
    context = LambdaContextStandIn(remaining_millis=300_000)

    # when it records and dispatches a run
    status, _ = harness.post(proxy(json.dumps(valid())), context)

    # then each shard's claim expires when that parent is certainly gone, not after the default
    manifest = read_manifest(DirectoryStore(harness.root), "hostile-001")
    assert status == 202 and manifest is not None
    held = {d.claim_expires_at - d.claimed_at for d in manifest.dispatches if d.claimed_at and d.claim_expires_at}
    assert held == {timedelta(seconds=300 + CLAIM_CLOCK_MARGIN_SECONDS)} and len(manifest.dispatches) == 2
    assert 300 + CLAIM_CLOCK_MARGIN_SECONDS > DISPATCH_CLAIM_GRACE_SECONDS
