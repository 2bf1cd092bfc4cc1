"""Replications and common random numbers: the two request fields, work units (point, replicate)
and their shards, and the random streams of each unit."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.contract import GRID_POINT_CAP, RequestInvalid, SweepRequest, parse_request
from sim.grid import WorkUnit, grid_size, point_at, shard_units, unit_count, unit_seed
from sim.market import PointResult, simulate_points
from sim.params import POLICY_PARAMETERS, ParamValue, defaults, parameters
from sim.runs import DispatchRecord, dispatch_shards, shard_unit_counts, submit_run
from sim.store import DirectoryStore

RUNBOOK: dict[str, Any] = {
    "run_id": "demo-run-001",
    "dimensions": {"commission_rate": [0.1, 0.2], "num_drivers": [100, 200], "num_riders": [500, 700]},
    "shard_count": 4,
    "seed": 42,
    "failure_injection_shards": [1],
}
PROPERTY = settings(max_examples=40, deadline=None)
# A small, quick market: requests and placement are what these tests compare.
SMALL = {"city_size": 12, "num_drivers": 30, "num_riders": 300, "horizon_min": 90, "warmup_min": 10}
REQUEST_COLUMNS = ("request_minute", "origin_x", "origin_y", "destination_x", "destination_y")


def runbook(**fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(RUNBOOK)
    body.update(fields)
    return body


def errors_of(body: Any) -> list[str]:
    with pytest.raises(RequestInvalid) as caught:
        parse_request(body)
    return caught.value.errors


def point(**changes: ParamValue) -> dict[str, ParamValue]:
    return defaults() | SMALL | changes


def simulate(params: dict[str, ParamValue], replicate: int, crn: bool, seed: int = 7) -> PointResult:
    [result] = simulate_points([(params, unit_seed(seed, params, replicate, crn))])
    return result


def requests_of(result: PointResult) -> dict[str, list[int]]:
    return {name: result.trips[name].tolist() for name in REQUEST_COLUMNS}


# --- the request fields ------------------------------------------------------------------------------


def test_both_fields_default_and_stay_out_of_the_canonical_body() -> None:
    # given the runbook request without the new fields, and with them spelled out at their defaults
    plain = parse_request(runbook())
    spelled = parse_request(runbook(replications=1, common_random_numbers=False))
    # then both read as 1 replication without common random numbers ...
    assert (plain.replications, plain.common_random_numbers) == (1, False)
    # ... and their canonical bodies (hence fingerprints and manifests) are the ones from before the fields
    assert plain.to_json() == spelled.to_json() == RUNBOOK
    assert plain.fingerprint() == spelled.fingerprint()


def test_non_default_fields_reach_the_child_and_change_the_fingerprint() -> None:
    request = parse_request(runbook(replications=16, common_random_numbers=True))

    assert (request.replications, request.common_random_numbers) == (16, True)
    assert request.to_json()["replications"] == 16 and request.to_json()["common_random_numbers"] is True
    assert parse_request(request.to_json()) == request
    assert request.fingerprint() != parse_request(runbook()).fingerprint()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "replications: must be an integer >= 1 (got number 0)"),
        (1001, "replications: must be an integer <= 1000 (got number 1001)"),
        (2.0, "replications: must be an integer"),
        (True, "replications: must be an integer"),
        ("4", "replications: must be an integer"),
        (None, "replications: must be an integer"),
    ],
)
def test_replications_out_of_bounds_or_of_the_wrong_type_are_refused_naming_the_field(value: Any, message: str) -> None:
    [error] = errors_of(runbook(replications=value))
    assert error.startswith(message), error


@pytest.mark.parametrize("value", [0, 1, "true", None, [True]])
def test_common_random_numbers_must_be_a_boolean(value: Any) -> None:
    [error] = errors_of(runbook(common_random_numbers=value))
    assert error.startswith("common_random_numbers: must be true or false"), error


def test_bounds_are_accepted() -> None:
    assert parse_request(runbook(replications=1000)).replications == 1000
    assert parse_request(runbook(replications=1)).replications == 1


def test_the_cap_counts_points_times_replications() -> None:
    # given 1000 points: 100 replications fit the cap exactly, 101 do not
    dims = {"num_drivers": list(range(1, 1001))}
    fits = runbook(dimensions=dims, replications=GRID_POINT_CAP // 1000, shard_count=1000)
    assert parse_request(fits).replications == 100
    assert errors_of(runbook(dimensions=dims, replications=101, failure_injection_shards=[])) == [
        f"dimensions: the grid has 1000 points x 101 replications = 101000 work units; at most {GRID_POINT_CAP}"
    ]


def test_shard_count_is_bounded_by_work_units_not_points() -> None:
    # given 2 points: 3 shards need at least 2 replications
    two_points = {"commission_rate": [0.1, 0.2]}
    assert parse_request(runbook(dimensions=two_points, shard_count=3, replications=2)).shard_count == 3
    assert parse_request(runbook(dimensions=two_points, shard_count=8, replications=4)).shard_count == 8
    assert errors_of(runbook(dimensions=two_points, shard_count=9, replications=4)) == [
        "shard_count: must be <= the number of work units (2 points x 4)"
    ]
    assert errors_of(runbook(dimensions=two_points, shard_count=3)) == [
        "shard_count: must be <= the number of grid points (2)"
    ]


def test_a_bad_replications_is_reported_alone_without_consequences() -> None:
    # given replications 0 and more shards than points: only the broken field is reported
    assert errors_of(runbook(replications=0, shard_count=9)) == ["replications: must be an integer >= 1 (got number 0)"]


# --- work units and shards ---------------------------------------------------------------------------


@PROPERTY
@given(data=st.data(), replications=st.integers(1, 6), sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_shards_partition_the_work_units_exactly(data: st.DataObject, replications: int, sizes: list[int]) -> None:
    # given a grid, a replication count and any shard count up to the number of units
    names = ("num_drivers", "num_riders", "patience_min")
    dims = {name: tuple(range(1, size + 1)) for name, size in zip(names, sizes, strict=False)}
    shard_count = data.draw(st.integers(1, min(unit_count(dims, replications), 50)))
    # when every shard's units are listed
    owned = [list(shard_units(dims, replications, shard_count, s)) for s in range(shard_count)]
    # then every (point, replicate) is in exactly one shard, none empty, sizes within one
    keys = [(u.point.index, u.replicate) for shard in owned for u in shard]
    assert sorted(keys) == list(itertools.product(range(grid_size(dims)), range(replications)))
    assert all(owned) and max(map(len, owned)) - min(map(len, owned)) <= 1
    assert all(u.point == point_at(dims, u.point.index) for shard in owned for u in shard)


def test_two_points_times_four_replicates_in_three_shards() -> None:
    # given 2 points x 4 replicates in 3 shards, then units 0..7 are dealt out strided
    dims = {"commission_rate": (0.1, 0.2)}
    owned = [[(u.point.index, u.replicate) for u in shard_units(dims, 4, 3, s)] for s in range(3)]
    assert owned == [[(0, 0), (0, 3), (1, 2)], [(0, 1), (1, 0), (1, 3)], [(0, 2), (1, 1)]]


# --- seeds -------------------------------------------------------------------------------------------


def state(seed: np.random.SeedSequence) -> tuple[int, ...]:
    return tuple(seed.generate_state(4).tolist())


def test_replicate_zero_without_common_random_numbers_keeps_the_point_stream() -> None:
    # given the stream recorded for a fixed parameter set before replications existed
    params = {"c": True, "a": 1, "b": 0.5}
    # then replicate 0 reproduces it, so single-replication runs keep their results
    assert state(unit_seed(42, params, 0, False)) == (3007468326, 3708191987, 1020135267, 3305636384)


@pytest.mark.parametrize("crn", [False, True], ids=["independent", "crn"])
def test_replicates_of_a_point_have_different_streams_and_results(crn: bool) -> None:
    params = point()
    states = {state(unit_seed(42, params, r, crn)) for r in range(16)}
    assert len(states) == 16
    first, second = simulate(params, 0, crn), simulate(params, 1, crn)
    assert requests_of(first) != requests_of(second)
    assert first.metrics != second.metrics


def test_independent_points_have_different_streams_and_crn_points_share_them() -> None:
    low, high = point(commission_rate=0.1), point(commission_rate=0.2)
    assert state(unit_seed(42, low, 3, False)) != state(unit_seed(42, high, 3, False))
    assert state(unit_seed(42, low, 3, True)) == state(unit_seed(42, high, 3, True))
    # and the run seed matters either way
    assert state(unit_seed(42, low, 3, True)) != state(unit_seed(43, low, 3, True))


@pytest.mark.parametrize("crn", [False, True], ids=["independent", "crn"])
def test_a_unit_has_the_same_stream_in_any_shard_count_order_or_grid(crn: bool) -> None:
    # given one grid and a bigger one in another order holding the same points
    small = {"commission_rate": (0.1, 0.2), "num_drivers": (100, 200)}
    bigger = {"num_drivers": (300, 200, 100), "commission_rate": (0.3, 0.2, 0.1), "base_fare": (2.5, 3.0)}

    def streams(dims: dict[str, tuple[ParamValue, ...]], shard_count: int) -> dict[Any, tuple[int, ...]]:
        units: list[WorkUnit] = [u for s in range(shard_count) for u in shard_units(dims, 3, shard_count, s)]
        return {
            (tuple(sorted(u.point.params.items())), u.replicate): state(unit_seed(9, u.point.params, u.replicate, crn))
            for u in units
        }

    reference = streams(small, 1)
    for dims, shard_count in [(small, 3), (small, 12), (bigger, 1), (bigger, 8)]:
        other = streams(dims, shard_count)
        assert all(other[key] == value for key, value in reference.items())


@pytest.mark.parametrize("name", POLICY_PARAMETERS)
def test_with_crn_points_differing_only_in_a_policy_parameter_see_the_same_requests(name: str) -> None:
    # given two points that differ only in one policy parameter (commission_rate among them)
    default = defaults()[name]
    changed = {
        "commission_rate": 0.1,
        "base_fare": 4.0,
        "per_block_fare": 2.0,
        "reservation_wage": 12.0,
        "batch_dispatch": True,
    }[name]
    assert changed != default
    low, high = point(**{name: default}), point(**{name: changed})
    for replicate in (0, 5):
        # when each is simulated in the same replicate with common random numbers
        a, b = simulate(low, replicate, True), simulate(high, replicate, True)
        # then the riders' requests (times, origins, destinations) are identical row for row
        assert requests_of(a) == requests_of(b)
        # while the outcome differs (the policy did change something), or at least money did
        assert a.metrics != b.metrics
    # and without common random numbers the same two points see different requests
    assert requests_of(simulate(low, 0, False)) != requests_of(simulate(high, 0, False))


def test_the_policy_parameters_are_parameters() -> None:
    assert set(POLICY_PARAMETERS) <= set(parameters())


def test_the_request_carries_what_the_worker_needs() -> None:
    request = SweepRequest("a-run", {"commission_rate": (0.1,)}, 2, 1, replications=2, common_random_numbers=True)
    assert request.to_json() == {
        "run_id": "a-run",
        "dimensions": {"commission_rate": [0.1]},
        "shard_count": 2,
        "seed": 1,
        "replications": 2,
        "common_random_numbers": True,
    }


def test_the_parent_plans_work_units_and_a_redrive_keeps_the_replication_fields(tmp_path: Path) -> None:
    class Recording:
        def __init__(self) -> None:
            self.payloads: list[dict[str, Any]] = []

        def invoke_async(self, payload: Any) -> str:
            self.payloads.append(dict(payload))
            return f"req-{payload['shard_id']}"

    request = parse_request(
        runbook(dimensions={"commission_rate": [0.1, 0.2]}, shard_count=3, replications=4, common_random_numbers=True)
    )
    assert shard_unit_counts(request) == [3, 3, 2]
    summary = submit_run(request, DirectoryStore(tmp_path), Recording(), code_version="t", results_location="x")
    assert [d.point_count for d in summary.dispatches] == [3, 3, 2] and summary.points_total == 2
    # a redrive without injection sends the same request otherwise: replications and CRN kept
    redrive = Recording()
    dispatch_shards(request, [DispatchRecord(1, 3)], redrive, failure_injection=False)
    [payload] = redrive.payloads
    assert (payload["replications"], payload["common_random_numbers"], payload["shard_id"]) == (4, True, 1)
    assert "failure_injection_shards" not in payload


@pytest.mark.parametrize("crn", [False, True], ids=["independent", "crn"])
def test_no_replicate_stream_equals_a_stream_the_engine_derives_for_another(crn: bool) -> None:
    # given the sequences of 8 replicates and the first children the engine could derive from each
    params = point()

    def derived(seed: np.random.SeedSequence) -> list[tuple[int, ...]]:
        children = [np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, k)) for k in range(8)]
        return [state(seed), *map(state, children)]

    streams = [derived(unit_seed(3, params, r, crn)) for r in range(8)]
    # then no state appears twice, within a replicate or across replicates
    flat = [s for per_replicate in streams for s in per_replicate]
    assert len(set(flat)) == len(flat)
