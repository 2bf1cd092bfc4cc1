"""simulate_points: its contract with the shard runner (columns, types, order,
determinism, independence from the batch) and the bookkeeping identities of
every point (conservation of requests and drivers, money)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from sim.datasets.schemas import KEY_FIELDS, METRIC_FIELDS, SNAPSHOT_COUNTS, TRIP_DATA, TRIP_STATUSES
from sim.market import PointResult, simulate_points
from sim.market.exceptions import PointInvalid
from sim.params import ParamValue, defaults

QUICK = {"horizon_min": 300, "warmup_min": 60}


def params(**overrides: ParamValue) -> dict[str, ParamValue]:
    values = defaults() | QUICK
    values.update(overrides)
    return values


def run(*points: dict[str, ParamValue], seed: int = 1) -> list[PointResult]:
    return simulate_points([(p, np.random.SeedSequence([seed, i])) for i, p in enumerate(points)])


def statuses(result: PointResult) -> np.ndarray:
    """The trips' statuses spelled out (the engine gives their indices in TRIP_STATUSES)."""
    return np.asarray(TRIP_STATUSES)[result.trips["status"]]


def trip_table(result: PointResult) -> pa.Table:
    """The trip columns as the shard runner stores them: sentinels become nulls."""
    null = {
        "driver_id": result.trips["driver_id"] < 0,
        "trip_min": result.trips["trip_min"] < 0,
        **{name: np.isnan(result.trips[name]) for name in ("fare", "commission", "driver_payout")},
    }
    columns: dict[str, Any] = {f.name: np.zeros(result.trips["request_id"].size, np.int32) for f in KEY_FIELDS}
    for field in TRIP_DATA:
        if field.name not in columns:
            values = statuses(result) if field.name == "status" else result.trips[field.name]
            columns[field.name] = pa.array(values, type=field.type, mask=null.get(field.name))
    return pa.table(columns, schema=TRIP_DATA)


def assert_same(a: PointResult, b: PointResult) -> None:
    for part in ("trips", "snapshots"):
        left, right = getattr(a, part), getattr(b, part)
        assert left.keys() == right.keys()
        for name in left:
            np.testing.assert_array_equal(left[name], right[name], err_msg=f"{part}.{name}")
    assert a.metrics == b.metrics


Mixed = list[tuple[dict[str, ParamValue], PointResult]]
MIXED = [
    params(),
    params(equilibrate=False, num_drivers=60, patience_min=8, num_riders=700),
    params(city_size=10, num_drivers=7, horizon_min=123, warmup_min=0, snapshot_interval_min=7),
    params(commission_rate=0.0, base_fare=0.0, equilibrate=False),
]


@pytest.fixture(scope="module")
def mixed() -> list[tuple[dict[str, ParamValue], PointResult]]:
    """A batch mixing fleets, horizons, supply modes and a starved, impatient market."""
    return list(zip(MIXED, run(*MIXED), strict=True))


def test_columns_and_types_match_the_dataset_schemas(mixed: Mixed) -> None:
    # given results of a mixed batch / when stored as the schemas say
    for _, result in mixed:
        table = trip_table(result)
        snapshots = pa.table(
            {**{f.name: np.zeros(result.snapshots["minute"].size, np.int32) for f in KEY_FIELDS}, **result.snapshots},
            schema=SNAPSHOT_COUNTS,
        )
        # then every column converts without loss, and metrics name exactly the metric fields
        assert table.num_rows == result.trips["request_id"].size
        assert snapshots.num_rows == result.snapshots["minute"].size
        assert set(result.metrics) == {f.name for f in METRIC_FIELDS} - {"sim_wall_ms"}
        for field in METRIC_FIELDS:
            value = result.metrics.get(field.name)
            assert value is not None or field.nullable or field.name == "sim_wall_ms", field.name


def test_trip_rows_are_the_requests_after_warm_up_in_order(
    mixed: Mixed,
) -> None:
    for point, result in mixed:
        trips = result.trips
        # then every reported request was made in [warm-up, horizon), ids strictly increase
        assert np.all(trips["request_minute"] >= point["warmup_min"])
        assert np.all(trips["request_minute"] < point["horizon_min"])
        assert np.all(np.diff(trips["request_id"]) > 0)
        assert np.all(np.diff(trips["request_minute"]) >= 0)
        assert set(np.unique(statuses(result)).tolist()) <= set(TRIP_STATUSES)


def test_every_request_ends_in_exactly_one_status(mixed: Mixed) -> None:
    for _, result in mixed:
        status, metrics = statuses(result), result.metrics
        # then completed + abandoned + open = requests, and the metrics count the rows
        counts = {s: int((status == s).sum()) for s in TRIP_STATUSES}
        assert sum(counts.values()) == metrics["requests"] == status.size
        assert counts["completed"] == metrics["trips_completed"]
        assert counts["abandoned"] == metrics["trips_abandoned"]


def test_driver_phases_add_up_to_the_drivers_online(mixed: Mixed) -> None:
    for _, result in mixed:
        snap = result.snapshots
        # then P1 + P2 + P3 = online at every snapshot, and shares sum to one
        np.testing.assert_array_equal(snap["p1"] + snap["p2"] + snap["p3"], snap["drivers_online"])
        assert min(snap["p1"].min(), snap["p2"].min(), snap["p3"].min(), snap["riders_waiting"].min()) >= 0
        assert np.all(np.diff(snap["completed_cum"]) >= 0) and np.all(np.diff(snap["abandoned_cum"]) >= 0)
        shares = result.metrics["p1_share"] + result.metrics["p2_share"] + result.metrics["p3_share"]
        assert shares == pytest.approx(1.0)


def test_snapshots_are_taken_every_interval() -> None:
    # given a point with a 7-minute snapshot interval over 123 minutes
    (result,) = run(params(horizon_min=123, warmup_min=0, snapshot_interval_min=7))
    # then snapshots are at minutes 0, 7, ..., 119
    np.testing.assert_array_equal(result.snapshots["minute"], np.arange(0, 123, 7))


def test_money_identities_hold(mixed: Mixed) -> None:
    for point, result in mixed:
        trips, metrics = result.trips, result.metrics
        done = statuses(result) == "completed"
        # then fares follow the tariff, commission + payout = fare, and only completed trips have money
        expected = point["base_fare"] + point["per_block_fare"] * trips["trip_distance"][done]
        np.testing.assert_allclose(trips["fare"][done], expected)
        np.testing.assert_allclose(trips["commission"][done], trips["fare"][done] * point["commission_rate"])
        np.testing.assert_allclose(trips["commission"][done] + trips["driver_payout"][done], trips["fare"][done])
        for name in ("fare", "commission", "driver_payout"):
            assert np.all(np.isnan(trips[name][~done]))
        assert np.all(trips["trip_min"][~done] == -1)
        assert metrics["gross_bookings"] == pytest.approx(metrics["platform_revenue"] + metrics["driver_payout_total"])
        assert metrics["gross_bookings"] == pytest.approx(math.fsum(trips["fare"][done]))


@pytest.mark.parametrize("case", range(8))
def test_wait_statistics_are_numpys_own_over_the_completed_trip_rows(case: int) -> None:
    # given a random point (few completed trips in some: the percentiles' edge cases)
    (result,) = run(random_point(np.random.default_rng([case, 11])), seed=case)
    # when numpy computes them from the trip rows
    waits = result.trips["wait_min"][statuses(result) == "completed"].astype(np.float64)
    expected = [float(waits.mean()), *(float(v) for v in np.percentile(waits, [50, 95]))] if waits.size else [None] * 3
    # then the metrics are the same floats
    assert [result.metrics[f"wait_{name}_min"] for name in ("mean", "p50", "p95")] == expected


def test_waits_and_trip_times_follow_the_timeline(mixed: Mixed) -> None:
    for point, result in mixed:
        trips = result.trips
        done, abandoned = statuses(result) == "completed", statuses(result) == "abandoned"
        # then a trip takes one minute per block, riders are picked up within their
        # patience, and an abandoning rider waited exactly that long
        np.testing.assert_array_equal(trips["trip_min"][done], trips["trip_distance"][done])
        assert np.all(trips["wait_min"][done] >= 1)
        assert np.all(trips["wait_min"][done] <= point["patience_min"])
        assert np.all(trips["wait_min"][abandoned] == point["patience_min"])
        assert np.all(trips["request_minute"][abandoned] + point["patience_min"] < point["horizon_min"])
        assert np.all(trips["driver_id"][done] >= 0)
        assert np.all(trips["trip_distance"] >= 1)


def test_same_inputs_give_identical_results() -> None:
    # given one seed sequence object, passed twice
    seed = np.random.SeedSequence(99)
    point = params(equilibrate=True)
    # when simulated twice
    first = simulate_points([(point, seed)])[0]
    second = simulate_points([(point, seed)])[0]
    # then the results are identical (and the seed sequence was not consumed)
    assert_same(first, second)


def test_a_points_result_does_not_depend_on_its_batch() -> None:
    # given a point, simulated alone and amid other points (longer, shorter, bigger)
    point, seed = params(num_drivers=150), np.random.SeedSequence(5)
    others = [
        (params(horizon_min=500, num_drivers=300, city_size=40), np.random.SeedSequence(6)),
        (params(horizon_min=100, warmup_min=10, equilibrate=False), np.random.SeedSequence(7)),
    ]
    # when
    alone = simulate_points([(point, seed)])[0]
    amid = simulate_points([others[0], (point, seed), others[1]])
    # then it is identical either way, in input order
    assert_same(alone, amid[1])
    assert_same(simulate_points([others[1]])[0], amid[2])


def random_point(rng: np.random.Generator) -> dict[str, ParamValue]:
    horizon = int(rng.integers(20, 200))
    return params(
        city_size=int(rng.integers(2, 30)),
        num_drivers=int(rng.integers(1, 120)),
        num_riders=int(rng.integers(1, 900)),
        commission_rate=float(rng.uniform(0, 0.9)),
        patience_min=int(rng.integers(1, 20)),
        horizon_min=horizon,
        warmup_min=int(rng.integers(0, horizon)),
        reservation_wage=float(rng.uniform(0, 60)),
        equilibrate=bool(rng.integers(0, 2)),
        equilibration_interval_min=int(rng.integers(1, 15)),
        snapshot_interval_min=int(rng.integers(1, 40)),
    )


@pytest.mark.parametrize("case", range(5))
def test_random_points_do_not_depend_on_their_batch(case: int) -> None:
    # given random points, each simulated alone and all together
    rng = np.random.default_rng(case)
    points = [(random_point(rng), np.random.SeedSequence([case, i])) for i in range(5)]
    # when / then every point's result is the same either way, and keeps the books
    for together, pair in zip(simulate_points(points), points, strict=True):
        assert_same(simulate_points([pair])[0], together)
        snap, status = together.snapshots, statuses(together)
        np.testing.assert_array_equal(snap["p1"] + snap["p2"] + snap["p3"], snap["drivers_online"])
        assert sum(int((status == s).sum()) for s in TRIP_STATUSES) == together.metrics["requests"]
        trip_table(together)


def test_the_order_of_the_points_changes_nothing() -> None:
    # given three points, simulated in one order and in the reverse order
    points = [(params(num_drivers=100 + i, horizon_min=150 - 10 * i), np.random.SeedSequence(i)) for i in range(3)]
    forward = simulate_points(points)
    backward = simulate_points(points[::-1])
    # then each point's result is the same, in input order
    for a, b in zip(forward, backward[::-1], strict=True):
        assert_same(a, b)


@pytest.mark.parametrize("policy", [{"commission_rate": 0.4}, {"batch_dispatch": True}, {"reservation_wage": 50.0}])
def test_points_differing_only_in_policy_see_the_same_requests(policy: dict[str, ParamValue]) -> None:
    # given one seed sequence for a point and for the same point under another policy
    seed = np.random.SeedSequence(12)
    base, changed = simulate_points([(params(), seed), (params(**policy), seed)])
    # then the riders request the same rides at the same minutes (common random numbers)
    for name in ("request_id", "request_minute", "origin_x", "origin_y", "destination_x", "destination_y"):
        np.testing.assert_array_equal(base.trips[name], changed.trips[name], err_msg=name)
    assert base.metrics != changed.metrics


def test_different_seeds_give_different_markets() -> None:
    a, b = run(params(), params(), seed=3)
    assert not np.array_equal(a.trips["origin_x"][:50], b.trips["origin_x"][:50])


def test_without_completed_trips_wait_statistics_are_none() -> None:
    # given a market where (almost surely) nobody requests a ride
    (result,) = run(params(num_riders=1, request_rate=1e-9, horizon_min=20, warmup_min=0))
    # then the wait and flow metrics are undefined and the rest is zero
    metrics = result.metrics
    assert metrics["requests"] == 0 and metrics["match_rate"] == 0.0
    assert metrics["wait_mean_min"] is None and metrics["wait_p50_min"] is None and metrics["wait_p95_min"] is None
    assert metrics["littles_law_ratio"] is None
    assert metrics["gross_bookings"] == 0.0 and metrics["p3_share"] == 0.0


def test_without_equilibration_the_whole_pool_is_online() -> None:
    (result,) = run(params(equilibrate=False, num_drivers=77))
    assert np.all(result.snapshots["drivers_online"] == 77)
    assert result.metrics["drivers_online_mean"] == 77


def test_online_drivers_stay_within_one_and_the_pool() -> None:
    # given a wage nobody earns and a wage everybody earns
    starved, rich = run(params(reservation_wage=10_000.0, num_drivers=50), params(reservation_wage=0.0, num_drivers=50))
    # then supply shrinks to one driver at least and grows to the pool at most
    assert starved.snapshots["drivers_online"].min() >= 1
    assert starved.snapshots["drivers_online"][-1] < 50
    assert rich.snapshots["drivers_online"].max() == 50


def test_warm_up_not_below_horizon_is_rejected() -> None:
    with pytest.raises(PointInvalid, match="warmup_min"):
        run(params(horizon_min=100, warmup_min=100))


def test_a_point_with_more_requests_than_can_be_kept_is_rejected() -> None:
    with pytest.raises(PointInvalid, match="num_riders x request_rate x horizon_min"):
        run(params(num_riders=1_000_000, request_rate=1.0, horizon_min=100_000))
