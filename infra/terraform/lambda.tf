# The two functions (container images pinned by digest), the child's async invoke
# configuration and its failure queue. Environment variable names are aws_adapters/constants.py's.

locals {
  tracing_mode = var.xray_tracing ? "Active" : "PassThrough"
  common_environment = {
    RESULTS_BUCKET = aws_s3_bucket.results.bucket
    RESULTS_PREFIX = var.results_prefix
    CODE_VERSION   = var.code_version
  }
}

resource "aws_lambda_function" "parent" {
  function_name                  = local.parent_function_name
  description                    = "Validates a sweep request, records the run, dispatches one child per shard."
  role                           = aws_iam_role.parent.arn
  package_type                   = "Image"
  image_uri                      = var.parent_image_uri
  architectures                  = ["x86_64"]
  memory_size                    = var.parent_memory_mb
  timeout                        = var.parent_timeout_seconds
  reserved_concurrent_executions = var.parent_reserved_concurrency
  kms_key_arn                    = aws_kms_key.sweep.arn

  environment {
    variables = merge(local.common_environment, {
      CHILD_FUNCTION_NAME   = aws_lambda_function.child.function_name
      DISPATCH_CONCURRENCY  = tostring(var.dispatch_concurrency)
      DISPATCH_MAX_ATTEMPTS = tostring(var.dispatch_max_attempts)
    })
  }

  tracing_config {
    mode = local.tracing_mode
  }

  # JSON, as Powertools logs: Lambda's own lines (START, REPORT, …) become JSON records too.
  logging_config {
    log_format            = "JSON"
    application_log_level = var.application_log_level
    system_log_level      = var.system_log_level
    log_group             = aws_cloudwatch_log_group.stack["parent"].name
  }

  lifecycle {
    precondition {
      condition     = var.parent_image_uri != null
      error_message = "parent_image_uri: required (REGISTRY/REPOSITORY@sha256:<64 hex>); only a targeted bootstrap apply may leave it unset."
    }
  }

  depends_on = [aws_iam_role_policy.parent]
}

resource "aws_lambda_function" "child" {
  function_name                  = local.child_function_name
  description                    = "Runs one attempt at one shard: simulates, writes datasets and the attempt's outcome."
  role                           = aws_iam_role.child.arn
  package_type                   = "Image"
  image_uri                      = var.child_image_uri
  architectures                  = ["x86_64"]
  memory_size                    = var.child_memory_mb
  timeout                        = var.child_timeout_seconds
  reserved_concurrent_executions = var.child_reserved_concurrency
  kms_key_arn                    = aws_kms_key.sweep.arn

  environment {
    variables = local.common_environment
  }

  tracing_config {
    mode = local.tracing_mode
  }

  # JSON, as Powertools logs: Lambda's own lines (START, REPORT, …) become JSON records too.
  logging_config {
    log_format            = "JSON"
    application_log_level = var.application_log_level
    system_log_level      = var.system_log_level
    log_group             = aws_cloudwatch_log_group.stack["child"].name
  }

  lifecycle {
    precondition {
      condition     = var.child_image_uri != null
      error_message = "child_image_uri: required (REGISTRY/REPOSITORY@sha256:<64 hex>); only a targeted bootstrap apply may leave it unset."
    }
  }

  depends_on = [aws_iam_role_policy.child]
}

# Lambda retries a failed shard twice (sim.worker.MAX_RETRIES, which tests/infra compares this
# with, and which status counts retries exhausted by; each attempt records its own
# outcome); an event that still fails, or ages out, lands in the failure queue with its payload,
# so an exhausted shard is never lost silently.
resource "aws_lambda_function_event_invoke_config" "child" {
  function_name                = aws_lambda_function.child.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = var.child_maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_shards.arn
    }
  }
}

resource "aws_sqs_queue" "failed_shards" {
  name                              = "${var.name_prefix}-failed-shards"
  message_retention_seconds         = var.failure_queue_retention_seconds
  kms_master_key_id                 = aws_kms_key.sweep.arn
  kms_data_key_reuse_period_seconds = 300
}

resource "aws_lambda_permission" "api_invokes_parent" {
  statement_id  = "AllowApiGatewayPostSweeps"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.parent.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.sweeps.execution_arn}/${var.api_stage_name}/POST/${aws_api_gateway_resource.sweeps.path_part}"
}
