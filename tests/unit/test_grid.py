"""Grid, shards and seeds: row-major points over sorted names, strided shards that
partition the grid, and a per-point random stream that depends only on the run
seed and the point's full parameter set."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.grid import Point, grid_size, point_at, point_seed, shard_unit_indices, shard_units
from sim.params import Parameter, ParamValue, defaults, parameters

PROPERTY = settings(max_examples=60, deadline=None)
RUNBOOK_DIMENSIONS = {"commission_rate": (0.1, 0.2), "num_drivers": (100, 200), "num_riders": (500, 700)}


def values_of(parameter: Parameter) -> st.SearchStrategy[ParamValue]:
    """Valid values of one parameter, as the validated request holds them."""
    if parameter.kind == "boolean":
        return st.booleans()
    if parameter.kind == "integer":
        return st.integers(int(parameter.minimum or 0), int(parameter.maximum or 10**6))
    return st.floats(
        parameter.minimum or 0.0,
        parameter.maximum,
        exclude_min=parameter.exclusive_minimum,
        allow_nan=False,
        allow_subnormal=False,
    )


@st.composite
def dimensions(draw: st.DrawFn, max_dims: int = 3, max_values: int = 4) -> dict[str, tuple[ParamValue, ...]]:
    """A few swept parameters, each a short list of unique valid values in arbitrary order."""
    names = draw(st.lists(st.sampled_from(sorted(parameters())), min_size=1, max_size=max_dims, unique=True))
    return {
        name: tuple(draw(st.lists(values_of(parameters()[name]), min_size=1, max_size=max_values, unique=True)))
        for name in names
    }


def swept(point: Point, dims: Mapping[str, Sequence[ParamValue]]) -> tuple[ParamValue, ...]:
    return tuple(point.params[name] for name in sorted(dims))


def state(run_seed: int, params: Mapping[str, Any]) -> tuple[int, ...]:
    return tuple(point_seed(run_seed, params).generate_state(4).tolist())


# --- order -----------------------------------------------------------------------------------------


def test_runbook_points_are_row_major_over_sorted_names() -> None:
    # given the runbook grid (names already sorted: commission_rate, num_drivers, num_riders)
    # when every point is listed
    points = [point_at(RUNBOOK_DIMENSIONS, i) for i in range(grid_size(RUNBOOK_DIMENSIONS))]
    # then the last sorted name varies fastest
    assert [swept(p, RUNBOOK_DIMENSIONS) for p in points] == [
        (0.1, 100, 500),
        (0.1, 100, 700),
        (0.1, 200, 500),
        (0.1, 200, 700),
        (0.2, 100, 500),
        (0.2, 100, 700),
        (0.2, 200, 500),
        (0.2, 200, 700),
    ]
    assert [p.index for p in points] == list(range(8))


def test_names_are_sorted_but_values_keep_their_given_order() -> None:
    # given dimensions listed out of name order, values descending
    dims = {"num_riders": (700, 500), "commission_rate": (0.3, 0.1)}
    # when the points are listed, then commission_rate (first sorted name) varies slowest, values as given
    assert [swept(point_at(dims, i), dims) for i in range(4)] == [(0.3, 700), (0.3, 500), (0.1, 700), (0.1, 500)]


@PROPERTY
@given(dims=dimensions())
def test_points_follow_itertools_product_over_sorted_names(dims: dict[str, tuple[ParamValue, ...]]) -> None:
    # given any grid, when every point is listed, then it is the product over sorted names, values in order
    expected = list(itertools.product(*(dims[name] for name in sorted(dims))))
    assert [swept(point_at(dims, i), dims) for i in range(grid_size(dims))] == expected


@pytest.mark.parametrize("index", [-1, 8, 100])
def test_point_index_outside_the_grid_is_refused(index: int) -> None:
    # given an index outside 0..7 of the runbook grid, when asked for the point, then it is refused
    with pytest.raises(IndexError, match=f"point index {index}"):
        point_at(RUNBOOK_DIMENSIONS, index)


# --- shards ----------------------------------------------------------------------------------------


def test_runbook_shards_are_strided() -> None:
    # given the runbook's 8 points and 4 shards, then shard s owns s and s + 4
    assert [list(shard_unit_indices(8, 4, s)) for s in range(4)] == [[0, 4], [1, 5], [2, 6], [3, 7]]


@PROPERTY
@given(data=st.data(), point_count=st.integers(1, 3000))
def test_shards_partition_every_grid_exactly(data: st.DataObject, point_count: int) -> None:
    # given a grid size and any shard count up to the number of points
    shard_count = data.draw(st.integers(1, min(point_count, 1000)))
    # when each shard's indices are listed
    shards = [list(shard_unit_indices(point_count, shard_count, s)) for s in range(shard_count)]
    # then every index is in exactly one shard, the one its residue names, and no shard is empty
    assert sorted(itertools.chain(*shards)) == list(range(point_count))
    assert all(i % shard_count == s for s, indices in enumerate(shards) for i in indices)
    assert all(shards)
    # and shard sizes differ by at most one (strided shards are balanced)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


@PROPERTY
@given(data=st.data(), dims=dimensions())
def test_shard_points_are_the_grid_points_of_their_indices(data: st.DataObject, dims: dict[str, Any]) -> None:
    # given any grid and shard count
    shard_count = data.draw(st.integers(1, grid_size(dims)))
    # when every shard's points are listed
    points = [u.point for s in range(shard_count) for u in shard_units(dims, 1, shard_count, s)]
    # then together they are exactly the grid's points, each once, equal to point_at
    assert sorted(p.index for p in points) == list(range(grid_size(dims)))
    assert all(p == point_at(dims, p.index) for p in points)


@pytest.mark.parametrize(("shard_count", "shard_id"), [(4, 4), (4, -1), (1, 1)])
def test_shard_id_outside_the_shard_count_is_refused(shard_count: int, shard_id: int) -> None:
    # given a shard id that is not in 0..shard_count-1, when its indices are asked for, then it is refused
    with pytest.raises(ValueError, match=f"shard_id {shard_id}"):
        shard_unit_indices(8, shard_count, shard_id)


# --- parameters and types --------------------------------------------------------------------------


@PROPERTY
@given(dims=dimensions(), data=st.data())
def test_points_fill_defaults_with_their_parameter_types(dims: dict[str, Any], data: st.DataObject) -> None:
    # given any grid point
    point = point_at(dims, data.draw(st.integers(0, grid_size(dims) - 1)))
    # then it carries every parameter: swept ones from the grid, the rest at their defaults
    assert set(point.params) == set(parameters())
    for name, value in point.params.items():
        if name in dims:
            assert value in dims[name]
        else:
            assert value == defaults()[name]
        # with the parameter's Python type (never a bool for an integer, never an int for a number)
        assert type(value) is parameters()[name].python_type, name


def test_number_parameters_given_as_integers_become_floats() -> None:
    # given a number parameter swept with integer values
    point = point_at({"base_fare": (2, 3)}, 1)
    # then the point holds a float, and integer and boolean defaults keep their types
    assert point.params["base_fare"] == 3.0 and type(point.params["base_fare"]) is float
    assert type(point.params["city_size"]) is int and type(point.params["equilibrate"]) is bool


# --- seeds -----------------------------------------------------------------------------------------


def test_point_seed_is_stable_across_releases() -> None:
    # given a fixed parameter set
    params = {"c": True, "a": 1, "b": 0.5}
    # then its stream is the recorded one (a change here changes every published result) ...
    assert state(42, params) == (3007468326, 3708191987, 1020135267, 3305636384)
    # ... derived as documented: run seed + SHA-256 of the sorted compact JSON of the parameters
    digest = hashlib.sha256(b'{"a":1,"b":0.5,"c":true}').digest()
    expected = np.random.SeedSequence([42, *np.frombuffer(digest, dtype="<u4").tolist()])
    assert state(42, params) == tuple(expected.generate_state(4).tolist())


def test_point_seed_ignores_parameter_order() -> None:
    # given the same parameters in two orders, then the streams are the same
    params = point_at(RUNBOOK_DIMENSIONS, 5).params
    assert state(7, params) == state(7, dict(reversed(list(params.items()))))


@PROPERTY
@given(dims=dimensions(max_dims=2, max_values=3), run_seed=st.integers(0, 2**32 - 1), data=st.data())
def test_a_point_has_the_same_stream_in_any_grid(dims: dict[str, Any], run_seed: int, data: st.DataObject) -> None:
    # given a grid, and a second grid holding the same points in another shape and order:
    # values reversed, and one more dimension that includes its default
    extra = data.draw(st.sampled_from(sorted(set(parameters()) - set(dims))))
    default = defaults()[extra]
    other_value = data.draw(values_of(parameters()[extra]).filter(lambda v: v != default))
    bigger = {name: tuple(reversed(values)) for name, values in dims.items()} | {extra: (other_value, default)}
    streams_in_bigger = {
        tuple(sorted(p.params.items())): state(run_seed, p.params)
        for p in (point_at(bigger, i) for i in range(grid_size(bigger)))
    }
    # when each point of the first grid is found in the second
    for index in range(grid_size(dims)):
        point = point_at(dims, index)
        # then its random stream is the same there, whatever its index or shard
        assert streams_in_bigger[tuple(sorted(point.params.items()))] == state(run_seed, point.params)


@PROPERTY
@given(dims=dimensions(), run_seed=st.integers(0, 2**32 - 2))
def test_streams_differ_between_points_and_between_run_seeds(dims: dict[str, Any], run_seed: int) -> None:
    # given every point of a grid
    points = [point_at(dims, i) for i in range(grid_size(dims))]
    # then no two points share a stream, and the next run seed changes every stream
    streams = {state(run_seed, p.params) for p in points}
    assert len(streams) == len(points)
    assert streams.isdisjoint({state(run_seed + 1, p.params) for p in points})
