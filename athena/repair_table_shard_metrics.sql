-- Registers the run_id/shard_id partitions that landed under the shard_metrics location since the last repair.
MSCK REPAIR TABLE ${database}.shard_metrics
