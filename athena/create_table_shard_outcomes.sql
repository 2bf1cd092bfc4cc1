-- One row per child attempt at a shard, success or failure.
-- Partitions: 'projection.enabled' below renders to 'true' with `apply --projection`, else 'false'.
-- 'true': partition projection. Athena computes the partitions from the query's run_id (injected:
-- every query must filter run_id = <value>) and shard_id (0-999); no MSCK REPAIR TABLE.
-- 'false': Athena ignores the projection.* properties and reads the partitions from the metastore,
-- registered by repair_table_shard_outcomes.sql (MSCK REPAIR TABLE).
-- The doubled dollar signs below render to single ones: Athena fills those placeholders itself.
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
TBLPROPERTIES (
    'projection.enabled' = '${projection_enabled}',
    'projection.run_id.type' = 'injected',
    'projection.shard_id.type' = 'integer',
    'projection.shard_id.range' = '0,999',
    'storage.location.template' = '${outcomes_location}/dataset=shard_outcomes/run_id=$${run_id}/shard_id=$${shard_id}/'
)
