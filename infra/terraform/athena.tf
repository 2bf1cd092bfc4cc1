# The Glue database of the four tables and the Athena workgroup analysts use. The tables
# themselves come from athena/ (the bootstrap plan, `python -m pipeline athena apply`): their
# DDL is checked against the pyarrow schemas there, so it is not repeated here.

resource "aws_glue_catalog_database" "sweep" {
  name        = var.glue_database_name
  description = "Serverless Sweep datasets: shard_metrics, trip_data, snapshot_counts, shard_outcomes."
}

# Enforced configuration: every query writes its results under the query-results prefix,
# encrypted with the stack's key, and is cancelled past the bytes-scanned cutoff.
resource "aws_athena_workgroup" "sweep" {
  name  = local.athena_workgroup
  state = "ENABLED"

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff

    result_configuration {
      output_location       = "s3://${aws_s3_bucket.results.bucket}/${local.athena_results_prefix}/"
      expected_bucket_owner = local.account_id

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.sweep.arn
      }
    }
  }
}
