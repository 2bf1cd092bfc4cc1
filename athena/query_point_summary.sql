-- Per grid point of a run and each key metric, over the point's replicates: n (replicates with a
-- value), mean, sample standard deviation and the half-width of the 95% confidence interval of the
-- mean (Student t, n - 1 degrees of freedom: the interval is mean +- ci95_half_width). With one
-- replicate the standard deviation and the half-width are NULL: no interval can be given.
-- The t quantile (0.975): the table below for 1-30 degrees of freedom (12 significant digits); above
-- 30 the Cornish-Fisher expansion around z = 1.959963984540054 to the fourth power of 1/df (relative
-- error below 2e-8). pipeline.summary.intervals computes the same; a test holds both to scipy.
-- The run_id is an execution parameter (the placeholder below).
WITH units AS (
    SELECT
        point_index,
        platform_revenue,
        match_rate,
        wait_mean_min,
        wait_p95_min,
        drivers_online_mean,
        driver_earnings_per_online_hour,
        trips_completed
    FROM shard_metrics
    WHERE run_id = ?
),
observations AS (
    SELECT point_index, 'platform_revenue' AS metric, CAST(platform_revenue AS double) AS value FROM units
    UNION ALL
    SELECT point_index, 'match_rate' AS metric, CAST(match_rate AS double) AS value FROM units
    UNION ALL
    SELECT point_index, 'wait_mean_min' AS metric, CAST(wait_mean_min AS double) AS value FROM units
    UNION ALL
    SELECT point_index, 'wait_p95_min' AS metric, CAST(wait_p95_min AS double) AS value FROM units
    UNION ALL
    SELECT point_index, 'drivers_online_mean' AS metric, CAST(drivers_online_mean AS double) AS value FROM units
    UNION ALL
    SELECT point_index, 'driver_earnings_per_online_hour' AS metric, driver_earnings_per_online_hour AS value
    FROM units
    UNION ALL
    SELECT point_index, 'trips_completed' AS metric, CAST(trips_completed AS double) AS value FROM units
),
moments AS (
    SELECT
        point_index,
        metric,
        count(value) AS n,
        avg(value) AS mean,
        stddev_samp(value) AS sd
    FROM observations
    GROUP BY point_index, metric
),
t_table AS (
    SELECT df, CAST(quantile AS double) AS quantile
    FROM (
        VALUES
        (1, 12.7062047362),
        (2, 4.30265272975),
        (3, 3.18244630528),
        (4, 2.7764451052),
        (5, 2.57058183564),
        (6, 2.44691185114),
        (7, 2.36462425159),
        (8, 2.3060041352),
        (9, 2.2621571628),
        (10, 2.22813885199),
        (11, 2.20098516009),
        (12, 2.17881282967),
        (13, 2.16036865646),
        (14, 2.14478668792),
        (15, 2.13144954556),
        (16, 2.11990529922),
        (17, 2.10981557783),
        (18, 2.10092204024),
        (19, 2.09302405441),
        (20, 2.08596344727),
        (21, 2.07961384473),
        (22, 2.0738730679),
        (23, 2.06865761042),
        (24, 2.06389856163),
        (25, 2.05953855275),
        (26, 2.05552943864),
        (27, 2.05183051648),
        (28, 2.0484071418),
        (29, 2.04522964213),
        (30, 2.0422724563)
    ) AS t (df, quantile)
),
with_df AS (
    SELECT
        m.point_index,
        m.metric,
        m.n,
        m.mean,
        m.sd,
        CAST(m.n - 1 AS double) AS df,
        t.quantile AS tabled
    FROM moments AS m
    LEFT JOIN t_table AS t ON t.df = m.n - 1
)
SELECT
    point_index,
    metric,
    n,
    mean,
    sd,
    CASE
        WHEN n < 2 THEN NULL
        ELSE coalesce(
            tabled,
            1.959963984540054 + 2.3722712302985625 / df + 2.8224986157396112 / (df * df)
            + 2.5558496795077223 / (df * df * df) + 1.5895340533938225 / (df * df * df * df)
        ) * sd / sqrt(CAST(n AS double))
    END AS ci95_half_width
FROM with_df
ORDER BY point_index, metric
