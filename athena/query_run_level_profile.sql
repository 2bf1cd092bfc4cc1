-- One row per run: shards planned vs reporting, attempts by status, work units completed (shard_metrics
-- rows: one per point and replicate; named points_completed), trips,
-- match rate, wait percentiles, platform revenue and simulated driver-hours.
-- Trip figures cover the measured window (after warm-up); driver-hours = mean drivers online x
-- measured minutes / 60, per point. The run_id is an execution parameter (every placeholder below).
WITH outcomes AS (
    SELECT
        run_id,
        max(shard_count) AS shards_planned,
        count(DISTINCT shard_id) AS shards_reporting,
        count(DISTINCT CASE WHEN status = 'succeeded' THEN shard_id END) AS shards_succeeded,
        count(*) AS attempts,
        count_if(status = 'succeeded') AS attempts_succeeded,
        count_if(status = 'failed') AS attempts_failed
    FROM shard_outcomes
    WHERE run_id = ?
    GROUP BY run_id
),
points AS (
    SELECT
        run_id,
        count(*) AS points_completed,
        sum(drivers_online_mean * (horizon_min - warmup_min)) / 60.0 AS driver_hours
    FROM shard_metrics
    WHERE run_id = ?
    GROUP BY run_id
),
trips AS (
    SELECT
        run_id,
        count(*) AS requests,
        count_if(status = 'completed') AS trips_completed,
        approx_percentile(CASE WHEN status = 'completed' THEN wait_min END, 0.5) AS wait_p50_min,
        approx_percentile(CASE WHEN status = 'completed' THEN wait_min END, 0.95) AS wait_p95_min,
        sum(commission) AS platform_revenue
    FROM trip_data
    WHERE run_id = ?
    GROUP BY run_id
)
SELECT
    o.run_id,
    o.shards_planned,
    o.shards_reporting,
    o.shards_succeeded,
    o.attempts,
    o.attempts_succeeded,
    o.attempts_failed,
    coalesce(p.points_completed, 0) AS points_completed,
    coalesce(t.requests, 0) AS requests,
    coalesce(t.trips_completed, 0) AS trips_completed,
    CAST(t.trips_completed AS double) / t.requests AS match_rate,
    t.wait_p50_min,
    t.wait_p95_min,
    t.platform_revenue,
    p.driver_hours
FROM outcomes AS o
LEFT JOIN points AS p ON p.run_id = o.run_id
LEFT JOIN trips AS t ON t.run_id = o.run_id
