-- Registers the run_id/shard_id partitions that landed under the snapshot_counts location since the last repair.
MSCK REPAIR TABLE ${database}.snapshot_counts
