-- Driver and rider state counts of a point at regular simulated times.
-- Partitions are registered by repair_table_snapshot_counts.sql (MSCK REPAIR TABLE).
CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.snapshot_counts (
    point_index    int,
    minute         int,
    drivers_online int,
    p1             int,
    p2             int,
    p3             int,
    riders_waiting int,
    completed_cum  int,
    abandoned_cum  int
)
PARTITIONED BY (run_id string, shard_id int)
STORED AS PARQUET
LOCATION '${outcomes_location}/dataset=snapshot_counts/'
