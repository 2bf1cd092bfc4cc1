-- Every planned shard of a run (0 .. shard_count - 1, from the count each attempt records), its
-- latest attempt, and whether each data dataset has rows for it. A shard that never reported
-- still appears (reported = false). The run_id is an execution parameter (every placeholder below).
WITH plan AS (
    SELECT max(run_id) AS run_id, max(shard_count) AS shard_count
    FROM shard_outcomes
    WHERE run_id = ?
),
planned AS (
    SELECT plan.run_id, CAST(shard_ids.shard_id AS integer) AS shard_id
    FROM plan
    CROSS JOIN UNNEST(sequence(0, plan.shard_count - 1)) AS shard_ids (shard_id)
),
attempts AS (
    SELECT
        shard_id,
        count(*) AS attempts,
        max(attempt) AS latest_attempt,
        max_by(status, attempt) AS latest_status,
        max_by(error_type, attempt) AS latest_error_type,
        count_if(status = 'succeeded') > 0 AS succeeded
    FROM shard_outcomes
    WHERE run_id = ?
    GROUP BY shard_id
),
metrics AS (SELECT DISTINCT shard_id FROM shard_metrics WHERE run_id = ?),
trips AS (SELECT DISTINCT shard_id FROM trip_data WHERE run_id = ?),
snapshots AS (SELECT DISTINCT shard_id FROM snapshot_counts WHERE run_id = ?)
SELECT
    p.run_id,
    p.shard_id,
    a.shard_id IS NOT NULL AS reported,
    coalesce(a.attempts, 0) AS attempts,
    a.latest_attempt,
    a.latest_status,
    a.latest_error_type,
    coalesce(a.succeeded, false) AS succeeded,
    m.shard_id IS NOT NULL AS in_shard_metrics,
    t.shard_id IS NOT NULL AS in_trip_data,
    s.shard_id IS NOT NULL AS in_snapshot_counts
FROM planned AS p
LEFT JOIN attempts AS a ON a.shard_id = p.shard_id
LEFT JOIN metrics AS m ON m.shard_id = p.shard_id
LEFT JOIN trips AS t ON t.shard_id = p.shard_id
LEFT JOIN snapshots AS s ON s.shard_id = p.shard_id
ORDER BY p.shard_id
