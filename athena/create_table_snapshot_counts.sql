-- Driver and rider state counts of a work unit (point, replicate) at regular simulated times.
-- Partitions: 'projection.enabled' below renders to 'true' with `apply --projection`, else 'false'.
-- 'true': partition projection. Athena computes the partitions from the query's run_id (injected:
-- every query must filter run_id = <value>) and shard_id (0-999); no MSCK REPAIR TABLE.
-- 'false': Athena ignores the projection.* properties and reads the partitions from the metastore,
-- registered by repair_table_snapshot_counts.sql (MSCK REPAIR TABLE).
-- The doubled dollar signs below render to single ones: Athena fills those placeholders itself.
CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.snapshot_counts (
    point_index    int,
    replicate      int,
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
TBLPROPERTIES (
    'projection.enabled' = '${projection_enabled}',
    'projection.run_id.type' = 'injected',
    'projection.shard_id.type' = 'integer',
    'projection.shard_id.range' = '0,999',
    'storage.location.template' = '${outcomes_location}/dataset=snapshot_counts/run_id=$${run_id}/shard_id=$${shard_id}/'
)
