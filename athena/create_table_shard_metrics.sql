-- One row per work unit (grid point, replicate): its full parameter set and summary metrics.
-- Partitions: 'projection.enabled' below renders to 'true' with `apply --projection`, else 'false'.
-- 'true': partition projection. Athena computes the partitions from the query's run_id (injected:
-- every query must filter run_id = <value>) and shard_id (0-999); no MSCK REPAIR TABLE.
-- 'false': Athena ignores the projection.* properties and reads the partitions from the metastore,
-- registered by repair_table_shard_metrics.sql (MSCK REPAIR TABLE).
-- The doubled dollar signs below render to single ones: Athena fills those placeholders itself.
CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.shard_metrics (
    point_index                     int,
    replicate                       int,
    city_size                       int,
    num_drivers                     int,
    num_riders                      int,
    request_rate                    double,
    commission_rate                 double,
    base_fare                       double,
    per_block_fare                  double,
    patience_min                    int,
    horizon_min                     int,
    warmup_min                      int,
    reservation_wage                double,
    equilibrate                     boolean,
    equilibration_interval_min      int,
    snapshot_interval_min           int,
    batch_dispatch                  boolean,
    requests                        int,
    trips_completed                 int,
    trips_abandoned                 int,
    match_rate                      double,
    wait_mean_min                   double,
    wait_p50_min                    double,
    wait_p95_min                    double,
    p1_share                        double,
    p2_share                        double,
    p3_share                        double,
    drivers_online_mean             double,
    gross_bookings                  double,
    platform_revenue                double,
    driver_payout_total             double,
    driver_earnings_per_online_hour double,
    littles_law_ratio               double,
    sim_wall_ms                     bigint
)
PARTITIONED BY (run_id string, shard_id int)
STORED AS PARQUET
LOCATION '${outcomes_location}/dataset=shard_metrics/'
TBLPROPERTIES (
    'projection.enabled' = '${projection_enabled}',
    'projection.run_id.type' = 'injected',
    'projection.shard_id.type' = 'integer',
    'projection.shard_id.range' = '0,999',
    'storage.location.template' = '${outcomes_location}/dataset=shard_metrics/run_id=$${run_id}/shard_id=$${shard_id}/'
)
