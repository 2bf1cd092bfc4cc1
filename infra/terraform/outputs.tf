output "api_url" {
  description = "POST sweep requests here (SigV4-signed when api_authorization is AWS_IAM)."
  value       = "${aws_api_gateway_stage.sweeps.invoke_url}/${aws_api_gateway_resource.sweeps.path_part}"
}

output "results_bucket" {
  description = "The results bucket."
  value       = aws_s3_bucket.results.bucket
}

output "results_prefix" {
  description = "Key prefix of runs/ and outcomes/ (RESULTS_PREFIX)."
  value       = var.results_prefix
}

output "athena_query_policy_arn" {
  description = "Attach to an analyst's role: Athena on the workgroup, read the datasets, write query results."
  value       = aws_iam_policy.athena_query.arn
}

output "athena_workgroup" {
  description = "The Athena workgroup (enforced result location and bytes-scanned cutoff)."
  value       = aws_athena_workgroup.sweep.name
}

output "glue_database" {
  description = "The Glue database of the four tables."
  value       = aws_glue_catalog_database.sweep.name
}

output "athena_results_location" {
  description = "Where the workgroup writes query results."
  value       = "s3://${aws_s3_bucket.results.bucket}/${local.athena_results_prefix}/"
}

output "parent_function_name" {
  description = "The parent function."
  value       = aws_lambda_function.parent.function_name
}

output "child_function_name" {
  description = "The child function."
  value       = aws_lambda_function.child.function_name
}

output "parent_repository_url" {
  description = "ECR repository of the parent image (push here, deploy by digest)."
  value       = aws_ecr_repository.function["parent"].repository_url
}

output "child_repository_url" {
  description = "ECR repository of the child image (push here, deploy by digest)."
  value       = aws_ecr_repository.function["child"].repository_url
}

output "failed_shards_queue_url" {
  description = "Shard events whose retries were exhausted (or that aged out)."
  value       = aws_sqs_queue.failed_shards.url
}

output "kms_key_arn" {
  description = "The stack's key (results, failure queue, logs, images)."
  value       = aws_kms_key.sweep.arn
}

output "api_invoke_policy_arn" {
  description = "Attach to a caller's role to POST /sweeps with SigV4 (when api_authorization is AWS_IAM)."
  value       = aws_iam_policy.api_invoke.arn
}
