# Provider, the account facts every ARN is built from, and the names derived from one prefix
# (the emulator deployer, pipeline/deploy, derives the same names from the same prefix).

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ project = "serverless-sweep", stack = var.name_prefix }, var.tags)
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  parent_function_name = "${var.name_prefix}-parent"
  child_function_name  = "${var.name_prefix}-child"
  parent_function_arn  = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.parent_function_name}"
  child_function_arn   = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.child_function_name}"
  results_bucket_name  = coalesce(var.results_bucket_name, "${var.name_prefix}-results-${local.account_id}")
  athena_workgroup     = coalesce(var.athena_workgroup_name, var.name_prefix)

  # Key prefixes of sim/datasets/layout.py: runs/ holds manifests (the parent's), outcomes/
  # the datasets (the children's), and within it shard_outcomes/ the attempts a child counts.
  runs_prefix           = "${var.results_prefix}/runs"
  outcomes_prefix       = "${var.results_prefix}/outcomes"
  shard_outcomes_prefix = "${var.results_prefix}/outcomes/dataset=shard_outcomes"
  athena_results_prefix = var.athena_results_prefix

  # Every log group of the stack, created here (retention, encryption) before anything writes.
  log_group_names = {
    parent        = "/aws/lambda/${local.parent_function_name}"
    child         = "/aws/lambda/${local.child_function_name}"
    api_access    = "/aws/apigateway/${var.name_prefix}-access"
    api_execution = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.sweeps.id}/${var.api_stage_name}"
  }

  results_bucket_arn = aws_s3_bucket.results.arn
  s3_service         = "s3.${local.region}.amazonaws.com"
  sqs_service        = "sqs.${local.region}.amazonaws.com"
}
