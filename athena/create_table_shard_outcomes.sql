-- One row per child attempt at a shard, success or failure.
-- Partitions are registered by repair_table_shard_outcomes.sql (MSCK REPAIR TABLE).
CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.shard_outcomes (
    attempt          int,
    status           string,
    error_type       string,
    error_message    string,
    failure_injected boolean,
    shard_count      int,
    points_assigned  int,
    points_completed int,
    rows_written     bigint,
    started_at       timestamp,
    ended_at         timestamp,
    duration_ms      bigint,
    request_id       string,
    code_version     string,
    memory_mb        int
)
PARTITIONED BY (run_id string, shard_id int)
STORED AS PARQUET
LOCATION '${outcomes_location}/dataset=shard_outcomes/'
