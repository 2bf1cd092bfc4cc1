# Example settings (no secrets: credentials come from the environment or an SSO profile).
# Copy, edit, and pass with -var-file. The image URIs and code_version are not set here:
# `python -m pipeline release` passes them with -var (digests of the images it just pushed).

region      = "eu-west-1"
name_prefix = "serverless-sweep"
tags = {
  owner = "pricing-research"
}

# Functions
parent_memory_mb            = 512
parent_timeout_seconds      = 60
parent_reserved_concurrency = 10
child_memory_mb             = 1769
child_timeout_seconds       = 600
child_reserved_concurrency  = 100
dispatch_concurrency        = 32
dispatch_max_attempts       = 6
xray_tracing                = true
log_retention_days          = 365

# Results
results_prefix = "serverless-sweeps"

# API
api_authorization          = "AWS_IAM"
api_stage_name             = "v1"
api_throttling_rate_limit  = 10
api_throttling_burst_limit = 20
manage_api_gateway_account = true

# Athena
glue_database_name             = "serverless_sweep"
athena_results_prefix          = "athena-query-results"
athena_results_expiration_days = 30
athena_bytes_scanned_cutoff    = 10737418240
