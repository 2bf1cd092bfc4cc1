-- The Glue database that holds the four tables: the one thing that must exist first.
CREATE DATABASE IF NOT EXISTS ${database}
COMMENT 'Serverless Sweep results: shard_outcomes, shard_metrics, trip_data, snapshot_counts'
