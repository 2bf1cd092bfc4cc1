-- Registers the run_id/shard_id partitions that landed under the shard_outcomes location since the last repair.
MSCK REPAIR TABLE ${database}.shard_outcomes
