-- One row per ride request of a work unit (point, replicate), after warm-up: outcome, times, distance, money.
-- Partitions: 'projection.enabled' below renders to 'true' with `apply --projection`, else 'false'.
-- 'true': partition projection. Athena computes the partitions from the query's run_id (injected:
-- every query must filter run_id = <value>) and shard_id (0-999); no MSCK REPAIR TABLE.
-- 'false': Athena ignores the projection.* properties and reads the partitions from the metastore,
-- registered by repair_table_trip_data.sql (MSCK REPAIR TABLE).
-- The doubled dollar signs below render to single ones: Athena fills those placeholders itself.
CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.trip_data (
    point_index    int,
    replicate      int,
    request_id     int,
    request_minute int,
    origin_x       int,
    origin_y       int,
    destination_x  int,
    destination_y  int,
    driver_id      int,
    status         string,
    wait_min       int,
    trip_distance  int,
    trip_min       int,
    fare           double,
    commission     double,
    driver_payout  double
)
PARTITIONED BY (run_id string, shard_id int)
STORED AS PARQUET
LOCATION '${outcomes_location}/dataset=trip_data/'
TBLPROPERTIES (
    'projection.enabled' = '${projection_enabled}',
    'projection.run_id.type' = 'injected',
    'projection.shard_id.type' = 'integer',
    'projection.shard_id.range' = '0,999',
    'storage.location.template' = '${outcomes_location}/dataset=trip_data/run_id=$${run_id}/shard_id=$${shard_id}/'
)
