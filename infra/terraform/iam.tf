# Least privilege, statement by statement. Resource "*" appears only where AWS offers no
# narrower resource (X-Ray's write actions). tests/infra checks these properties.

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# --- parent: records runs, invokes the child ------------------------------------------------

resource "aws_iam_role" "parent" {
  name               = "${var.name_prefix}-parent"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "parent" {
  statement {
    sid       = "InvokeTheChildOnly"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.child_function_arn]
  }

  # The manifest is written with a conditional put, then read back when the run exists
  # (idempotent repeats, 409 on a different request). The parent never lists.
  statement {
    sid       = "RunManifests"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${local.results_bucket_arn}/${local.runs_prefix}/*"]
  }

  statement {
    sid       = "ResultsKeyThroughS3"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.sweep.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.s3_service]
    }
  }

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.stack["parent"].arn}:*"]
  }

  dynamic "statement" {
    for_each = var.xray_tracing ? [1] : []

    content {
      sid       = "XRayWrite"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "parent" {
  name   = "${var.name_prefix}-parent"
  role   = aws_iam_role.parent.id
  policy = data.aws_iam_policy_document.parent.json
}

# --- child: writes its shard's datasets and outcomes, reads nothing -------------------------

resource "aws_iam_role" "child" {
  name               = "${var.name_prefix}-child"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "child" {
  statement {
    sid       = "WriteOutcomes"
    actions   = ["s3:PutObject"]
    resources = ["${local.results_bucket_arn}/${local.outcomes_prefix}/*"]
  }

  # The child numbers its attempt by counting the shard's existing outcome objects
  # (sim.worker.execute_shard): listing, under shard_outcomes only; it reads no object.
  statement {
    sid       = "CountOwnAttempts"
    actions   = ["s3:ListBucket"]
    resources = [local.results_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.shard_outcomes_prefix}/*"]
    }
  }

  statement {
    sid       = "ResultsKeyThroughS3"
    actions   = ["kms:GenerateDataKey"]
    resources = [aws_kms_key.sweep.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.s3_service]
    }
  }

  # Lambda sends an exhausted event to the failure queue with this role.
  statement {
    sid       = "FailureQueue"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.failed_shards.arn]
  }

  statement {
    sid       = "FailureQueueKeyThroughSqs"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.sweep.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.sqs_service]
    }
  }

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.stack["child"].arn}:*"]
  }

  dynamic "statement" {
    for_each = var.xray_tracing ? [1] : []

    content {
      sid       = "XRayWrite"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "child" {
  name   = "${var.name_prefix}-child"
  role   = aws_iam_role.child.id
  policy = data.aws_iam_policy_document.child.json
}

# --- analysts: Athena on the workgroup, read the datasets, write query results ---------------

data "aws_iam_policy_document" "athena_query" {
  statement {
    sid = "UseTheWorkgroup"
    actions = [
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetQueryResultsStream",
      "athena:BatchGetQueryExecution",
      "athena:ListQueryExecutions",
      "athena:GetWorkGroup",
    ]
    resources = [aws_athena_workgroup.sweep.arn]
  }

  # What the console and JDBC drivers call to browse the catalogue through Athena.
  statement {
    sid = "BrowseTheCatalogue"
    actions = [
      "athena:GetDataCatalog",
      "athena:GetDatabase",
      "athena:ListDatabases",
      "athena:GetTableMetadata",
      "athena:ListTableMetadata",
    ]
    resources = ["arn:${local.partition}:athena:${local.region}:${local.account_id}:datacatalog/AwsDataCatalog"]
  }

  # Read the catalogue; create partitions so that MSCK REPAIR TABLE can register new runs.
  statement {
    sid = "CatalogueOfTheDatabase"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:BatchCreatePartition",
      "glue:CreatePartition",
    ]
    resources = [
      "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog",
      aws_glue_catalog_database.sweep.arn,
      "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${aws_glue_catalog_database.sweep.name}/*",
    ]
  }

  statement {
    sid       = "ReadDatasets"
    actions   = ["s3:GetObject"]
    resources = ["${local.results_bucket_arn}/${local.outcomes_prefix}/*"]
  }

  statement {
    sid       = "ListDatasets"
    actions   = ["s3:ListBucket"]
    resources = [local.results_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.outcomes_prefix}/*", "${local.athena_results_prefix}/*"]
    }
  }

  statement {
    sid       = "BucketLocation"
    actions   = ["s3:GetBucketLocation"]
    resources = [local.results_bucket_arn]
  }

  statement {
    sid = "QueryResults"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${local.results_bucket_arn}/${local.athena_results_prefix}/*"]
  }

  statement {
    sid       = "ResultsKeyThroughS3"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.sweep.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.s3_service]
    }
  }
}

resource "aws_iam_policy" "athena_query" {
  name        = "${var.name_prefix}-athena-query"
  description = "Run Athena on the ${local.athena_workgroup} workgroup over the sweep datasets (read only)."
  policy      = data.aws_iam_policy_document.athena_query.json
}

# --- API Gateway's account-wide CloudWatch role (logging needs one per region) ---------------

data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "apigateway_cloudwatch" {
  count = var.manage_api_gateway_account ? 1 : 0

  name               = "${var.name_prefix}-apigateway-cloudwatch"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

# AWS's managed policy for this role: the account setting serves every API in the region,
# so it cannot be narrowed to this stack's log groups without breaking the others.
resource "aws_iam_role_policy_attachment" "apigateway_cloudwatch" {
  count = var.manage_api_gateway_account ? 1 : 0

  role       = aws_iam_role.apigateway_cloudwatch[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_api_gateway_account ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.apigateway_cloudwatch]
}

# --- callers: POST /sweeps with SigV4 (api_authorization = AWS_IAM) ---------------------------

data "aws_iam_policy_document" "api_invoke" {
  statement {
    sid       = "PostSweeps"
    actions   = ["execute-api:Invoke"]
    resources = ["${aws_api_gateway_rest_api.sweeps.execution_arn}/${var.api_stage_name}/POST/${aws_api_gateway_resource.sweeps.path_part}"]
  }
}

resource "aws_iam_policy" "api_invoke" {
  name        = "${var.name_prefix}-api-invoke"
  description = "Submit sweeps: POST /sweeps on the ${var.api_stage_name} stage of the ${var.name_prefix} API."
  policy      = data.aws_iam_policy_document.api_invoke.json
}
