"""The sweep request contract: the JSON Schema plus the semantic checks, and the
messages a client gets back (each naming the field path and the rule)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from sim.contract import GRID_POINT_CAP, RequestInvalid, SweepRequest, parse_request, parse_request_text
from sim.params import parameters, request_schema

FIXTURES = Path(__file__).parents[1] / "fixtures" / "requests"

RUNBOOK: dict[str, Any] = {
    "run_id": "demo-run-001",
    "dimensions": {"commission_rate": [0.1, 0.2], "num_drivers": [100, 200], "num_riders": [500, 700]},
    "shard_count": 4,
    "seed": 42,
    "failure_injection_shards": [1],
}


def runbook(**fields: Any) -> dict[str, Any]:
    """The runbook request with some top-level fields replaced (``None``-free: use ``drop``)."""
    body = copy.deepcopy(RUNBOOK)
    body.update(fields)
    return body


def with_dimensions(**dimensions: Any) -> dict[str, Any]:
    """The runbook request with some dimensions replaced or added."""
    body = runbook()
    body["dimensions"].update(dimensions)
    return body


def without(field: str) -> dict[str, Any]:
    body = runbook()
    del body[field]
    return body


def errors_of(body: Any) -> list[str]:
    with pytest.raises(RequestInvalid) as caught:
        parse_request(body)
    return caught.value.errors


def errors_of_text(text: str | bytes | None) -> list[str]:
    with pytest.raises(RequestInvalid) as caught:
        parse_request_text(text)
    return caught.value.errors


# --- valid requests ---------------------------------------------------------------------------------


def test_runbook_request_is_valid_and_typed() -> None:
    # given the runbook's request
    # when it is parsed
    request = parse_request(runbook())
    # then every field comes back typed, values in the order given
    assert request == SweepRequest(
        run_id="demo-run-001",
        dimensions={"commission_rate": (0.1, 0.2), "num_drivers": (100, 200), "num_riders": (500, 700)},
        shard_count=4,
        seed=42,
        failure_injection_shards=frozenset({1}),
    )
    assert all(type(v) is int for v in request.dimensions["num_drivers"])


def test_runbook_fixture_is_exactly_the_runbook_request() -> None:
    # given the shared fixture file
    body = json.loads((FIXTURES / "runbook.json").read_text())
    # then it is the runbook request, unchanged
    assert body == RUNBOOK


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_every_request_fixture_is_valid(name: str) -> None:
    # given a fixture body as an HTTP client sends it
    raw = (FIXTURES / name).read_bytes()
    # when it is parsed from its raw text, then it is valid and equals the decoded-dict parse
    assert parse_request_text(raw) == parse_request(json.loads(raw))


def test_run_id_alone_is_invalid_and_names_every_missing_field() -> None:
    # given a body that has only a run_id
    # when it is parsed, then each missing required field is named, in path order
    assert errors_of({"run_id": "bad"}) == ["dimensions: required", "seed: required", "shard_count: required"]


def test_canonical_json_round_trips() -> None:
    # given a parsed request (what the parent hands a child, plus shard_id)
    request = parse_request(runbook())
    # when its canonical body is parsed again, then nothing changes
    assert parse_request(request.to_json()) == request
    assert parse_request_text(json.dumps(request.to_json())) == request


def test_number_parameters_become_floats_and_zero_is_canonical() -> None:
    # given integers and a negative zero for number parameters and booleans for a boolean one
    body = with_dimensions(commission_rate=[-0.0, 1e-1], base_fare=[0, 3], equilibrate=[True, False])
    # when parsed
    request = parse_request(body)
    # then the values have their parameter's Python type, and -0.0 is 0.0 (one canonical request)
    assert request.dimensions["commission_rate"] == (0.0, 0.1)
    assert str(request.dimensions["commission_rate"][0]) == "0.0"
    assert [type(v) for v in request.dimensions["base_fare"]] == [float, float]
    assert request.dimensions["equilibrate"] == (True, False)
    same = with_dimensions(commission_rate=[0, 0.1], base_fare=[0.0, 3.0], equilibrate=[True, False])
    assert parse_request(same).fingerprint() == request.fingerprint()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(runbook(run_id="abc"), id="run-id-3-chars"),
        pytest.param(runbook(run_id="a" * 63), id="run-id-63-chars"),
        pytest.param(runbook(run_id="0-leading-digit--double-dash-"), id="run-id-digits-and-dashes"),
        pytest.param(runbook(seed=0), id="seed-0"),
        pytest.param(runbook(seed=2**32 - 1), id="seed-2^32-1"),
        pytest.param(runbook(shard_count=8, failure_injection_shards=[0, 7]), id="shard-count-equals-points"),
        pytest.param(runbook(failure_injection_shards=[]), id="no-injection"),
        pytest.param(without("failure_injection_shards"), id="injection-omitted"),
        pytest.param(with_dimensions(warmup_min=[0, 99], horizon_min=[100, 200]), id="warmup-below-horizon"),
        pytest.param(with_dimensions(horizon_min=[61]), id="horizon-above-default-warmup"),
        pytest.param(with_dimensions(request_rate=[1e-9, 1]), id="request-rate-bounds"),
        pytest.param(
            runbook(
                dimensions={"num_drivers": list(range(1, 1001)), "num_riders": list(range(1, 101))},
                shard_count=1000,
                failure_injection_shards=[999],
            ),
            id="grid-exactly-at-cap",
        ),
    ],
)
def test_boundary_requests_are_valid(body: dict[str, Any]) -> None:
    # given a request at the edge of a rule, when parsed, then it is accepted
    assert isinstance(parse_request(body), SweepRequest)


# --- malformed requests -----------------------------------------------------------------------------

DRIVERS_1000 = list(range(1, 1001))

MALFORMED = [
    # run_id
    pytest.param(runbook(run_id=123), "run_id", "must be a string", id="run-id-number"),
    pytest.param(runbook(run_id="Demo-run"), "run_id", "must match", id="run-id-upper-case"),
    pytest.param(runbook(run_id="demo run"), "run_id", "must match", id="run-id-space"),
    pytest.param(runbook(run_id="demo/run"), "run_id", "must match", id="run-id-slash"),
    pytest.param(runbook(run_id="demo'run"), "run_id", "must match", id="run-id-single-quote"),
    pytest.param(runbook(run_id='demo"run'), "run_id", "must match", id="run-id-double-quote"),
    pytest.param(runbook(run_id="demo_run"), "run_id", "must match", id="run-id-underscore"),
    pytest.param(runbook(run_id="ab"), "run_id", "3-63 characters", id="run-id-too-short"),
    pytest.param(runbook(run_id="a" * 64), "run_id", "3-63 characters", id="run-id-too-long"),
    pytest.param(runbook(run_id="-demo"), "run_id", "must match", id="run-id-leading-dash"),
    pytest.param(runbook(run_id=""), "run_id", "must match", id="run-id-empty"),
    pytest.param(runbook(run_id="demo-run\n"), "run_id", "must match", id="run-id-trailing-newline"),
    pytest.param(runbook(run_id="démo-run"), "run_id", "must match", id="run-id-non-ascii"),
    pytest.param(without("run_id"), "run_id", "required", id="run-id-missing"),
    # dimensions as a whole
    pytest.param(runbook(dimensions=[1, 2]), "dimensions", "must be a JSON object", id="dimensions-list"),
    pytest.param(runbook(dimensions={}), "dimensions", "at least 1 parameter", id="dimensions-empty"),
    pytest.param(with_dimensions(num_cars=[1]), "dimensions", "unknown parameter 'num_cars'", id="unknown-dim"),
    pytest.param(with_dimensions(Num_Drivers=[1]), "dimensions", "'Num_Drivers'", id="unknown-dim-case"),
    pytest.param(
        runbook(dimensions={"num_drivers": DRIVERS_1000, "num_riders": list(range(1, 102))}),
        "dimensions",
        "101000 points",
        id="grid-over-cap",
    ),
    # one dimension's list
    pytest.param(with_dimensions(num_drivers=100), "dimensions.num_drivers", "must be a list", id="dim-scalar"),
    pytest.param(with_dimensions(num_drivers=[]), "dimensions.num_drivers", "at least 1 value", id="dim-empty"),
    pytest.param(
        with_dimensions(num_drivers=[*DRIVERS_1000, 1001]), "dimensions.num_drivers", "at most 1000", id="dim-long"
    ),
    pytest.param(
        with_dimensions(num_drivers=[100, 200, 100]),
        "dimensions.num_drivers[2]",
        "duplicate value 100 (already at [0])",
        id="dim-duplicate",
    ),
    pytest.param(
        with_dimensions(commission_rate=[0.1, 0.2, 0.1]), "dimensions.commission_rate[2]", "duplicate", id="dup-float"
    ),
    pytest.param(
        with_dimensions(commission_rate=[0, 0.0]), "dimensions.commission_rate[1]", "duplicate", id="dup-int-float"
    ),
    pytest.param(
        with_dimensions(equilibrate=[True, False, True]), "dimensions.equilibrate", "at most 2", id="bool-three"
    ),
    pytest.param(with_dimensions(equilibrate=[False, False]), "dimensions.equilibrate[1]", "duplicate", id="dup-bool"),
    # one dimension's value: type
    pytest.param(with_dimensions(num_drivers=["100"]), "dimensions.num_drivers[0]", "integer", id="int-as-string"),
    pytest.param(with_dimensions(num_drivers=[100.5]), "dimensions.num_drivers[0]", "integer", id="int-as-fraction"),
    pytest.param(with_dimensions(num_drivers=[100.0]), "dimensions.num_drivers[0]", "integer", id="int-as-100.0"),
    pytest.param(with_dimensions(num_drivers=[True]), "dimensions.num_drivers[0]", "boolean true", id="int-as-bool"),
    pytest.param(
        with_dimensions(commission_rate=[False]), "dimensions.commission_rate[0]", "a number", id="number-as-bool"
    ),
    pytest.param(with_dimensions(equilibrate=[1]), "dimensions.equilibrate[0]", "true or false", id="bool-as-int"),
    pytest.param(with_dimensions(equilibrate=["true"]), "dimensions.equilibrate[0]", "true or false", id="bool-str"),
    pytest.param(with_dimensions(num_riders=[None]), "dimensions.num_riders[0]", "got null", id="value-null"),
    pytest.param(with_dimensions(num_riders=[[500]]), "dimensions.num_riders[0]", "got a list", id="value-nested"),
    # one dimension's value: bounds
    pytest.param(with_dimensions(num_drivers=[0]), "dimensions.num_drivers[0]", "integer >= 1", id="below-minimum"),
    pytest.param(with_dimensions(num_drivers=[20001]), "dimensions.num_drivers[0]", "<= 20000", id="above-maximum"),
    pytest.param(with_dimensions(city_size=[3]), "dimensions.city_size[0]", ">= 4", id="city-too-small"),
    pytest.param(with_dimensions(commission_rate=[0.96]), "dimensions.commission_rate[0]", "<= 0.95", id="rate-high"),
    pytest.param(with_dimensions(commission_rate=[-0.1]), "dimensions.commission_rate[0]", ">= 0", id="rate-negative"),
    pytest.param(with_dimensions(request_rate=[0]), "dimensions.request_rate[0]", "number > 0", id="exclusive-minimum"),
    pytest.param(
        with_dimensions(commission_rate=[float("nan")]), "dimensions.commission_rate[0]", "finite", id="nan-value"
    ),
    pytest.param(
        with_dimensions(base_fare=[float("inf")]), "dimensions.base_fare[0]", "got Infinity", id="infinity-value"
    ),
    # warm-up against horizon
    pytest.param(
        with_dimensions(warmup_min=[50, 100], horizon_min=[100, 200]),
        "dimensions.warmup_min[1]",
        "must be < horizon_min",
        id="warmup-equals-shortest-horizon",
    ),
    pytest.param(with_dimensions(warmup_min=[600]), "dimensions.warmup_min[0]", "its default", id="warmup-vs-default"),
    pytest.param(
        with_dimensions(horizon_min=[60]), "dimensions.horizon_min[0]", "> warmup_min", id="horizon-vs-default"
    ),
    # shard_count
    pytest.param(runbook(shard_count=9), "shard_count", "number of grid points (8)", id="shards-over-points"),
    pytest.param(runbook(shard_count=0), "shard_count", ">= 1", id="shards-zero"),
    pytest.param(runbook(shard_count=1001), "shard_count", "<= 1000", id="shards-1001"),
    pytest.param(runbook(shard_count="4"), "shard_count", "integer", id="shards-string"),
    pytest.param(runbook(shard_count=4.0), "shard_count", "got number 4.0", id="shards-float"),
    pytest.param(runbook(shard_count=True), "shard_count", "got boolean true", id="shards-bool"),
    pytest.param(without("shard_count"), "shard_count", "required", id="shards-missing"),
    # seed
    pytest.param(runbook(seed=-1), "seed", ">= 0", id="seed-negative"),
    pytest.param(runbook(seed=2**32), "seed", "<= 4294967295", id="seed-2^32"),
    pytest.param(runbook(seed=None), "seed", "got null", id="seed-null"),
    pytest.param(runbook(seed=42.5), "seed", "integer", id="seed-fraction"),
    pytest.param(runbook(seed=False), "seed", "boolean false", id="seed-bool"),
    pytest.param(runbook(seed=float("nan")), "seed", "finite", id="seed-nan"),
    # failure_injection_shards
    pytest.param(runbook(failure_injection_shards=[4]), "failure_injection_shards[0]", "< shard_count (4)", id="inj-4"),
    pytest.param(runbook(failure_injection_shards=[1, 1]), "failure_injection_shards[1]", "duplicate", id="inj-dup"),
    pytest.param(runbook(failure_injection_shards=[-1]), "failure_injection_shards[0]", ">= 0", id="inj-negative"),
    pytest.param(runbook(failure_injection_shards=1), "failure_injection_shards", "must be a list", id="inj-scalar"),
    pytest.param(runbook(failure_injection_shards=[True]), "failure_injection_shards[0]", "boolean", id="inj-bool"),
    # top level
    pytest.param(runbook(foo=1), "(root)", "unexpected field 'foo'", id="extra-field"),
    pytest.param(runbook(Seed=1), "(root)", "unexpected field 'Seed'", id="extra-field-case"),
]


@pytest.mark.parametrize(("body", "path", "rule"), MALFORMED)
def test_malformed_request_is_rejected_naming_the_field(body: dict[str, Any], path: str, rule: str) -> None:
    # given a request that breaks one rule
    # when it is parsed
    messages = errors_of(body)
    # then one message starts with the field's path and states the rule
    named = [m for m in messages if m.startswith(f"{path}: ")]
    assert named, messages
    assert any(rule in m for m in named), messages


def test_malformed_cases_are_many_and_distinct() -> None:
    # the issue asks for at least 30 distinct malformed requests
    ids = [case.id for case in MALFORMED]
    assert len(set(ids)) == len(ids) >= 30


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        pytest.param([RUNBOOK], "must be a JSON object (got a list)", id="list"),
        pytest.param(None, "must be a JSON object (got null)", id="null"),
        pytest.param("demo-run-001", 'must be a JSON object (got string "demo-run-001")', id="string"),
        pytest.param(42, "must be a JSON object (got number 42)", id="number"),
    ],
)
def test_non_object_body_is_rejected(body: Any, rule: str) -> None:
    # given a decoded body that is not an object, when parsed, then the one message names the body
    assert errors_of(body) == [f"body: {rule}"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        pytest.param(None, "body: required", id="none"),
        pytest.param("", "body: required", id="empty"),
        pytest.param(b" \n\t", "body: required", id="whitespace-bytes"),
        pytest.param("{run_id: 1}", "body: must be JSON (Expecting property name", id="not-json"),
        pytest.param('{"seed": 42,}', "line 1 column 13", id="trailing-comma"),
        pytest.param('{"seed": 42}\n{"seed": 43}', "Extra data at line 2 column 1", id="two-documents"),
        pytest.param(b"\xff\xfe{}", "body: must be UTF-8 text", id="not-utf8"),
        pytest.param('{"seed": 1, "seed": 2}', "body: repeats the key 'seed'", id="duplicate-key"),
        pytest.param("[" * 100_000, "body: JSON is nested too deeply", id="deep-nesting"),
        pytest.param("1" * 5000, "body: must be JSON with numbers of at most 4300 digits", id="huge-number"),
        pytest.param("[]", "body: must be a JSON object (got a list)", id="json-list"),
        pytest.param("null", "body: must be a JSON object (got null)", id="json-null"),
        pytest.param(
            json.dumps(runbook(seed=1)).replace('"seed": 1', '"seed": NaN'), "seed: must be a finite", id="nan-text"
        ),
        pytest.param(
            json.dumps(with_dimensions(base_fare=[1])).replace("[1]", "[Infinity]"),
            "dimensions.base_fare[0]: must be a finite number (got Infinity",
            id="infinity-text",
        ),
        pytest.param(
            json.dumps(with_dimensions(base_fare=[1])).replace("[1]", "[1e400]"),
            "dimensions.base_fare[0]: must be a finite number",
            id="overflowing-number-text",
        ),
        pytest.param(
            json.dumps(runbook(shard_count=1)).replace('"shard_count": 1', '"shard_count": 1e0'),
            "shard_count: must be an integer",
            id="integer-in-exponent-form",
        ),
    ],
)
def test_raw_body_problems_are_rejected_naming_the_body_or_field(text: str | bytes | None, rule: str) -> None:
    # given a raw HTTP body, when parsed from text, then the first message states the problem
    messages = errors_of_text(text)
    assert rule in messages[0], messages


def test_all_problems_are_collected_in_path_order() -> None:
    # given a request with problems everywhere, including two list positions ([2] and [10])
    drivers = [*range(1, 12)]
    drivers[2], drivers[10] = 0, "x"
    body = {
        "run_id": "Bad",
        "dimensions": {"num_drivers": drivers, "nope": [1]},
        "shard_count": 0,
        "seed": -1,
        "failure_injection_shards": [1, 1],
        "zzz": True,
    }
    # when it is parsed
    messages = errors_of(body)
    # then every problem is reported, sorted by field path (list positions numerically)
    paths = [m.split(": ", 1)[0] for m in messages]
    assert paths == [
        "(root)",
        "dimensions",
        "dimensions.num_drivers[2]",
        "dimensions.num_drivers[10]",
        "failure_injection_shards[1]",
        "run_id",
        "seed",
        "shard_count",
    ]


def test_semantic_problems_are_collected_together() -> None:
    # given a request breaking three semantic rules at once
    body = runbook(shard_count=9, failure_injection_shards=[9])
    body["dimensions"]["warmup_min"] = [700]
    # when it is parsed, then all three are reported
    assert errors_of(body) == [
        "dimensions.warmup_min[0]: must be < horizon_min for every point (smallest 600, its default)",
        "failure_injection_shards[0]: must be < shard_count (9): shard ids are 0-8",
        "shard_count: must be <= the number of grid points (8)",
    ]


def test_message_formats_match_the_contract() -> None:
    # given typical mistakes, then the messages read exactly as documented
    assert errors_of(with_dimensions(num_drivers=[100, 200, 0])) == [
        "dimensions.num_drivers[2]: must be an integer >= 1 (got number 0)"
    ]
    assert errors_of(runbook(run_id="Demo")) == [
        "run_id: must match ^[a-z0-9][a-z0-9-]{2,62}$ (lower-case letters, digits and '-', 3-63 characters, "
        'starting with a letter or digit) (got string "Demo")'
    ]
    valid = ", ".join(sorted(parameters()))
    assert errors_of(with_dimensions(num_cars=[1])) == [
        f"dimensions: unknown parameter 'num_cars'; valid parameters: {valid}"
    ]
    assert errors_of(runbook(foo=1)) == [
        "(root): unexpected field 'foo'; "
        "allowed fields: common_random_numbers, dimensions, failure_injection_shards, replications, run_id, seed, "
        "shard_count"
    ]


def test_huge_values_are_not_echoed_in_full() -> None:
    # given a megabyte-long run_id, when rejected, then the message stays short
    (message,) = errors_of(runbook(run_id="A" * 1_000_000))
    assert message.startswith("run_id: must match") and len(message) < 300


def test_schema_is_valid_draft_04_and_cap_is_documented() -> None:
    # the schema file is itself a valid draft-04 schema, and the grid cap is the documented 100 000
    Draft4Validator.check_schema(request_schema())
    assert request_schema()["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert GRID_POINT_CAP == 100_000


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(["run_id", "dimensions", "shard_count", "seed", "failure_injection_shards", "x"])
DIMENSION_NAMES = st.sampled_from([*parameters(), "bogus"])


@settings(max_examples=150, deadline=None)
@given(field=FIELDS, value=JSON_VALUES, name=DIMENSION_NAMES, dim_value=JSON_VALUES)
def test_any_mutation_is_accepted_or_rejected_with_messages_only(
    field: str, value: Any, name: str, dim_value: Any
) -> None:
    # given the runbook request with one field and one dimension set to arbitrary JSON-like values
    body = runbook(**{field: value})
    if isinstance(body.get("dimensions"), dict):
        body["dimensions"][name] = dim_value
    # when parsed, then it is either a request or RequestInvalid with non-empty, sorted-by-path messages
    try:
        parse_request(body)
    except RequestInvalid as invalid:
        assert invalid.errors
        assert all(": " in m for m in invalid.errors)
        assert len(set(invalid.errors)) == len(invalid.errors)


def test_a_point_with_more_requests_than_the_engine_keeps_is_rejected_up_front() -> None:
    body = {
        "run_id": "too-busy",
        "dimensions": {"num_riders": [1000, 1_000_000], "request_rate": [1.0]},
        "shard_count": 1,
        "seed": 1,
    }

    with pytest.raises(RequestInvalid) as invalid:
        parse_request(body)

    assert invalid.value.errors == [
        "dimensions: num_riders x request_rate x horizon_min is 6e+08 for the busiest point; at most 4194304"
    ]
