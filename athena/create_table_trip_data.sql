-- One row per ride request of a point (after warm-up): outcome, times, distance, money.
-- Partitions are registered by repair_table_trip_data.sql (MSCK REPAIR TABLE).
CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.trip_data (
    point_index    int,
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
