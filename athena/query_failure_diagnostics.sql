-- Failures of a run: the failure rate over shards (reporting shards with no successful attempt)
-- and over attempts, then one row per shard that had a failed attempt, with its error type,
-- whether the failure was injected or organic, how often that error type occurred, and the
-- shard's last error message. A run without failures gives one row with NULL shard columns.
-- The run_id is an execution parameter (every placeholder below).
WITH totals AS (
    SELECT
        run_id,
        count(DISTINCT shard_id) AS shards_reporting,
        count(DISTINCT shard_id) - count(DISTINCT CASE WHEN status = 'succeeded' THEN shard_id END)
            AS shards_failed,
        count(*) AS attempts,
        count_if(status = 'failed') AS attempts_failed
    FROM shard_outcomes
    WHERE run_id = ?
    GROUP BY run_id
),
failed_shards AS (
    SELECT
        run_id,
        shard_id,
        count(*) AS failed_attempts,
        max_by(error_type, attempt) AS error_type,
        max_by(failure_injected, attempt) AS failure_injected,
        max_by(error_message, attempt) AS last_error_message
    FROM shard_outcomes
    WHERE run_id = ? AND status = 'failed'
    GROUP BY run_id, shard_id
),
latest AS (
    SELECT shard_id, max_by(status, attempt) AS latest_status
    FROM shard_outcomes
    WHERE run_id = ?
    GROUP BY shard_id
)
SELECT
    t.run_id,
    t.shards_reporting,
    t.shards_failed,
    CAST(t.shards_failed AS double) / t.shards_reporting AS shard_failure_rate,
    t.attempts,
    t.attempts_failed,
    CAST(t.attempts_failed AS double) / t.attempts AS attempt_failure_rate,
    f.error_type,
    CASE WHEN f.failure_injected THEN 'injected' WHEN f.shard_id IS NOT NULL THEN 'organic' END AS failure_kind,
    sum(f.failed_attempts) OVER (PARTITION BY f.error_type, f.failure_injected) AS error_type_attempts,
    count(f.shard_id) OVER (PARTITION BY f.error_type, f.failure_injected) AS error_type_shards,
    f.shard_id,
    f.failed_attempts,
    l.latest_status,
    f.last_error_message
FROM totals AS t
LEFT JOIN failed_shards AS f ON f.run_id = t.run_id
LEFT JOIN latest AS l ON l.shard_id = f.shard_id
ORDER BY f.error_type, f.shard_id
