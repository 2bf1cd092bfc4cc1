-- Per work unit (grid point, replicate) of a run, trip aggregates joined to snapshot aggregates on
-- the shared key (run_id, shard_id, point_index, replicate). Only shards that wrote data have units here.
-- The run_id is an execution parameter (every placeholder below).
WITH trips AS (
    SELECT
        run_id,
        shard_id,
        point_index,
        replicate,
        count(*) AS requests,
        count_if(status = 'completed') AS trips_completed,
        count_if(status = 'abandoned') AS trips_abandoned,
        avg(CASE WHEN status = 'completed' THEN wait_min END) AS wait_mean_min,
        sum(fare) AS gross_bookings,
        sum(commission) AS platform_revenue
    FROM trip_data
    WHERE run_id = ?
    GROUP BY run_id, shard_id, point_index, replicate
),
snapshots AS (
    SELECT
        run_id,
        shard_id,
        point_index,
        replicate,
        count(*) AS snapshots,
        avg(drivers_online) AS drivers_online_mean,
        avg(riders_waiting) AS riders_waiting_mean,
        max(riders_waiting) AS riders_waiting_max,
        max(completed_cum) AS completed_final,
        max(abandoned_cum) AS abandoned_final
    FROM snapshot_counts
    WHERE run_id = ?
    GROUP BY run_id, shard_id, point_index, replicate
)
SELECT
    coalesce(s.run_id, t.run_id) AS run_id,
    coalesce(s.shard_id, t.shard_id) AS shard_id,
    coalesce(s.point_index, t.point_index) AS point_index,
    coalesce(s.replicate, t.replicate) AS replicate,
    coalesce(t.requests, 0) AS requests,
    coalesce(t.trips_completed, 0) AS trips_completed,
    coalesce(t.trips_abandoned, 0) AS trips_abandoned,
    t.wait_mean_min,
    t.gross_bookings,
    t.platform_revenue,
    coalesce(s.snapshots, 0) AS snapshots,
    s.drivers_online_mean,
    s.riders_waiting_mean,
    s.riders_waiting_max,
    s.completed_final,
    s.abandoned_final
FROM snapshots AS s
FULL OUTER JOIN trips AS t
    ON t.run_id = s.run_id AND t.shard_id = s.shard_id AND t.point_index = s.point_index
    AND t.replicate = s.replicate
ORDER BY shard_id, point_index, replicate
