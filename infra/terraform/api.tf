# POST /sweeps: API Gateway validates the body against sim/request_schema.json (read here,
# never copied) before the parent runs; the parent validates again with the same file.
# The model is mapped to application/json and to $default: API Gateway validates a body only
# against the model of its Content-Type, so without $default any other media type would reach
# the parent unvalidated.

locals {
  json           = "application/json"
  any_media_type = "$default"
}

resource "aws_api_gateway_rest_api" "sweeps" {
  name        = "${var.name_prefix}-api"
  description = "Serverless Sweep: submit parameter sweeps."

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_model" "sweep_request" {
  rest_api_id  = aws_api_gateway_rest_api.sweeps.id
  name         = "SweepRequest"
  description  = "The sweep request (JSON Schema draft-04), from sim/request_schema.json."
  content_type = local.json
  schema       = file("${path.module}/../../sim/request_schema.json")
}

resource "aws_api_gateway_request_validator" "body" {
  rest_api_id                 = aws_api_gateway_rest_api.sweeps.id
  name                        = "validate-body"
  validate_request_body       = true
  validate_request_parameters = false
}

resource "aws_api_gateway_resource" "sweeps" {
  rest_api_id = aws_api_gateway_rest_api.sweeps.id
  parent_id   = aws_api_gateway_rest_api.sweeps.root_resource_id
  path_part   = "sweeps"
}

resource "aws_api_gateway_method" "post_sweeps" {
  rest_api_id          = aws_api_gateway_rest_api.sweeps.id
  resource_id          = aws_api_gateway_resource.sweeps.id
  http_method          = "POST"
  authorization        = var.api_authorization
  request_validator_id = aws_api_gateway_request_validator.body.id
  request_models = {
    (local.json)           = aws_api_gateway_model.sweep_request.name
    (local.any_media_type) = aws_api_gateway_model.sweep_request.name
  }
}

resource "aws_api_gateway_integration" "post_sweeps" {
  rest_api_id             = aws_api_gateway_rest_api.sweeps.id
  resource_id             = aws_api_gateway_resource.sweeps.id
  http_method             = aws_api_gateway_method.post_sweeps.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.parent.invoke_arn
}

# A body the model rejects gets a 400 naming what is wrong (the default says only
# "Invalid request body"), in the same shape as the parent's own 400s.
resource "aws_api_gateway_gateway_response" "bad_request_body" {
  rest_api_id   = aws_api_gateway_rest_api.sweeps.id
  response_type = "BAD_REQUEST_BODY"
  status_code   = "400"

  response_templates = {
    (local.json) = "{\"message\": \"Invalid request\", \"errors\": [\"$context.error.validationErrorString\"]}"
  }
}

resource "aws_api_gateway_deployment" "sweeps" {
  rest_api_id = aws_api_gateway_rest_api.sweeps.id

  # A new deployment whenever what the stage serves changes (the schema file included).
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.sweeps,
      aws_api_gateway_method.post_sweeps,
      aws_api_gateway_integration.post_sweeps,
      aws_api_gateway_model.sweep_request.schema,
      aws_api_gateway_request_validator.body,
      aws_api_gateway_gateway_response.bad_request_body,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "sweeps" {
  rest_api_id          = aws_api_gateway_rest_api.sweeps.id
  deployment_id        = aws_api_gateway_deployment.sweeps.id
  stage_name           = var.api_stage_name
  xray_tracing_enabled = var.xray_tracing

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.stack["api_access"].arn
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      caller             = "$context.identity.caller"
      userArn            = "$context.identity.userArn"
      sourceIp           = "$context.identity.sourceIp"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      latencyMs          = "$context.responseLatency"
      integrationStatus  = "$context.integration.status"
      integrationLatency = "$context.integration.latency"
      error              = "$context.error.message"
      validationError    = "$context.error.validationErrorString"
    })
  }

  depends_on = [aws_api_gateway_account.this, aws_cloudwatch_log_group.stack]
}

# Throttling, metrics and error-level execution logs for every method of the stage.
# Caching stays off: a POST starts a run and must never be answered from a cache.
resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.sweeps.id
  stage_name  = aws_api_gateway_stage.sweeps.stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = var.api_throttling_rate_limit
    throttling_burst_limit = var.api_throttling_burst_limit
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false
    caching_enabled        = false
    cache_data_encrypted   = true
  }
}
