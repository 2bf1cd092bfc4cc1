-- Registers the run_id/shard_id partitions that landed under the trip_data location since the last repair.
MSCK REPAIR TABLE ${database}.trip_data
