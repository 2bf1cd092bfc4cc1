"""The four datasets' Arrow schemas, defined once. The Athena DDL must match
them (a test compares the two). Partition columns (run_id, shard_id) live in
the S3 path only, never in the files."""

from __future__ import annotations

import pyarrow as pa

from sim.params import parameters

_ARROW_TYPE = {"integer": pa.int32(), "number": pa.float64(), "boolean": pa.bool_()}

TRIP_STATUSES = ("completed", "abandoned", "open_at_end")
OUTCOME_STATUSES = ("succeeded", "failed")


def _field(name: str, type_: pa.DataType, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable)


# Every data row's key within a shard: the point and its replicate (0-based).
KEY_FIELDS = [_field("point_index", pa.int32()), _field("replicate", pa.int32())]

TRIP_DATA = pa.schema(
    [
        *KEY_FIELDS,
        _field("request_id", pa.int32()),
        _field("request_minute", pa.int32()),
        _field("origin_x", pa.int32()),
        _field("origin_y", pa.int32()),
        _field("destination_x", pa.int32()),
        _field("destination_y", pa.int32()),
        _field("driver_id", pa.int32(), nullable=True),
        _field("status", pa.string()),
        _field("wait_min", pa.int32()),
        _field("trip_distance", pa.int32()),
        _field("trip_min", pa.int32(), nullable=True),
        _field("fare", pa.float64(), nullable=True),
        _field("commission", pa.float64(), nullable=True),
        _field("driver_payout", pa.float64(), nullable=True),
    ]
)

SNAPSHOT_COUNTS = pa.schema(
    [
        *KEY_FIELDS,
        _field("minute", pa.int32()),
        _field("drivers_online", pa.int32()),
        _field("p1", pa.int32()),
        _field("p2", pa.int32()),
        _field("p3", pa.int32()),
        _field("riders_waiting", pa.int32()),
        _field("completed_cum", pa.int32()),
        _field("abandoned_cum", pa.int32()),
    ]
)

METRIC_FIELDS = [
    _field("requests", pa.int32()),
    _field("trips_completed", pa.int32()),
    _field("trips_abandoned", pa.int32()),
    _field("match_rate", pa.float64()),
    _field("wait_mean_min", pa.float64(), nullable=True),
    _field("wait_p50_min", pa.float64(), nullable=True),
    _field("wait_p95_min", pa.float64(), nullable=True),
    _field("p1_share", pa.float64()),
    _field("p2_share", pa.float64()),
    _field("p3_share", pa.float64()),
    _field("drivers_online_mean", pa.float64()),
    _field("gross_bookings", pa.float64()),
    _field("platform_revenue", pa.float64()),
    _field("driver_payout_total", pa.float64()),
    _field("driver_earnings_per_online_hour", pa.float64(), nullable=True),
    _field("littles_law_ratio", pa.float64(), nullable=True),
    # Wall-clock time of the point's simulation: the one measured (and so not
    # reproducible) column of the data datasets.
    _field("sim_wall_ms", pa.int64()),
]

SHARD_METRICS = pa.schema(
    KEY_FIELDS + [_field(p.name, _ARROW_TYPE[p.kind]) for p in parameters().values()] + METRIC_FIELDS
)

_TIMESTAMP = pa.timestamp("ms", tz="UTC")

SHARD_OUTCOMES = pa.schema(
    [
        _field("attempt", pa.int32()),
        _field("status", pa.string()),
        _field("error_type", pa.string(), nullable=True),
        _field("error_message", pa.string(), nullable=True),
        _field("failure_injected", pa.bool_()),
        _field("shard_count", pa.int32()),
        _field("points_assigned", pa.int32()),
        _field("points_completed", pa.int32()),
        _field("rows_written", pa.int64()),
        _field("started_at", _TIMESTAMP),
        _field("ended_at", _TIMESTAMP),
        _field("duration_ms", pa.int64()),
        _field("request_id", pa.string()),
        _field("code_version", pa.string()),
        _field("memory_mb", pa.int32(), nullable=True),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "shard_metrics": SHARD_METRICS,
    "trip_data": TRIP_DATA,
    "snapshot_counts": SNAPSHOT_COUNTS,
    "shard_outcomes": SHARD_OUTCOMES,
}
DATA_DATASETS = ("shard_metrics", "trip_data", "snapshot_counts")
