# Inputs. Every apply names the exact image digests it deploys (`python -m pipeline release`
# passes them with -var; the rest comes from a tfvars file). The image variables may be left
# unset only by the one-time bootstrap apply that targets the ECR repositories (docs/terraform.md).

variable "region" {
  description = "AWS region of the whole stack."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name; two prefixes give two independent stacks."
  type        = string
  default     = "serverless-sweep"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix: 4 to 32 lower-case letters, digits and '-', starting with a letter."
  }
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}

# --- images and code ---------------------------------------------------------------

variable "parent_image_uri" {
  description = "The parent's image, pinned by digest: REGISTRY/REPOSITORY@sha256:<64 hex>. Null only for a targeted bootstrap apply (ECR first)."
  type        = string
  default     = null

  validation {
    condition     = var.parent_image_uri == null || can(regex("^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)+@sha256:[0-9a-f]{64}$", var.parent_image_uri))
    error_message = "parent_image_uri: must be pinned by digest (REGISTRY/REPOSITORY@sha256:<64 hex>); a tag is not accepted."
  }
}

variable "child_image_uri" {
  description = "The child's image, pinned by digest: REGISTRY/REPOSITORY@sha256:<64 hex>. Null only for a targeted bootstrap apply (ECR first)."
  type        = string
  default     = null

  validation {
    condition     = var.child_image_uri == null || can(regex("^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)+@sha256:[0-9a-f]{64}$", var.child_image_uri))
    error_message = "child_image_uri: must be pinned by digest (REGISTRY/REPOSITORY@sha256:<64 hex>); a tag is not accepted."
  }
}

variable "code_version" {
  description = "The version string both functions record (CODE_VERSION); release sets it, the default only serves the bootstrap apply."
  type        = string
  default     = "unreleased"

  validation {
    condition     = can(regex("^[!-~]{1,128}$", var.code_version))
    error_message = "code_version: 1 to 128 printable characters without spaces."
  }
}

variable "ecr_keep_images" {
  description = "Images kept per repository (older ones expire): rollback can reach this many releases back."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_images >= 5 && var.ecr_keep_images <= 1000
    error_message = "ecr_keep_images: 5 to 1000."
  }
}

# --- functions -----------------------------------------------------------------------

variable "parent_memory_mb" {
  description = "Parent memory (MB)."
  type        = number
  default     = 512

  validation {
    condition     = var.parent_memory_mb >= 128 && var.parent_memory_mb <= 10240
    error_message = "parent_memory_mb: 128 to 10240."
  }
}

variable "parent_timeout_seconds" {
  description = "Parent timeout; API Gateway answers 504 after 29 s whatever this is."
  type        = number
  default     = 60

  validation {
    condition     = var.parent_timeout_seconds >= 3 && var.parent_timeout_seconds <= 900
    error_message = "parent_timeout_seconds: 3 to 900."
  }
}

variable "parent_reserved_concurrency" {
  description = "Concurrent parents reserved (and capped); -1 for none. Must fit the account's concurrency quota."
  type        = number
  default     = 10

  validation {
    condition     = var.parent_reserved_concurrency >= -1
    error_message = "parent_reserved_concurrency: -1 (unreserved) or more."
  }
}

variable "child_memory_mb" {
  description = "Child memory (MB); 1769 MB is one full vCPU."
  type        = number
  default     = 1769

  validation {
    condition     = var.child_memory_mb >= 128 && var.child_memory_mb <= 10240
    error_message = "child_memory_mb: 128 to 10240."
  }
}

variable "child_timeout_seconds" {
  description = "Child timeout (one shard attempt). The parent plans each shard for at most half of 600 s (sim/limits.py), so it may be raised, never lowered."
  type        = number
  default     = 600

  validation {
    condition     = var.child_timeout_seconds >= 600 && var.child_timeout_seconds <= 900
    error_message = "child_timeout_seconds: 600 to 900 (the parent admits shards estimated at up to 300 s)."
  }
}

variable "child_reserved_concurrency" {
  description = "Concurrent children reserved (and capped): the sweep's parallelism; -1 for none."
  type        = number
  default     = 100

  validation {
    condition     = var.child_reserved_concurrency >= -1
    error_message = "child_reserved_concurrency: -1 (unreserved) or more."
  }
}

variable "child_maximum_event_age_seconds" {
  description = "How long a shard event may wait (throttled or between retries) before it goes to the failure queue."
  type        = number
  default     = 3600

  validation {
    condition     = var.child_maximum_event_age_seconds >= 60 && var.child_maximum_event_age_seconds <= 21600
    error_message = "child_maximum_event_age_seconds: 60 to 21600."
  }
}

variable "dispatch_concurrency" {
  description = "Parallel async invokes in one parent (DISPATCH_CONCURRENCY)."
  type        = number
  default     = 32

  validation {
    condition     = var.dispatch_concurrency >= 1 && var.dispatch_concurrency <= 256
    error_message = "dispatch_concurrency: 1 to 256."
  }
}

variable "dispatch_max_attempts" {
  description = "Attempts per shard dispatch when invokes are throttled (DISPATCH_MAX_ATTEMPTS)."
  type        = number
  default     = 6

  validation {
    condition     = var.dispatch_max_attempts >= 1 && var.dispatch_max_attempts <= 20
    error_message = "dispatch_max_attempts: 1 to 20."
  }
}

variable "xray_tracing" {
  description = "Trace the API stage and both functions with X-Ray (Active); false leaves them PassThrough."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of every log group this stack creates."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days: one of CloudWatch's values (1, 3, 5, 7, 14, 30, 60, 90, ..., 365, 400, ...)."
  }
}

variable "application_log_level" {
  description = "The functions' application log level (JSON log format; Powertools reads it from AWS_LAMBDA_LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.application_log_level)
    error_message = "application_log_level: one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "system_log_level" {
  description = "The level of Lambda's own log records (START, END, REPORT, platform events)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN"], var.system_log_level)
    error_message = "system_log_level: one of DEBUG, INFO, WARN."
  }
}

# --- results ---------------------------------------------------------------------------

variable "results_bucket_name" {
  description = "Results bucket name; null for <name_prefix>-results-<account id>."
  type        = string
  default     = null

  validation {
    condition     = var.results_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.results_bucket_name))
    error_message = "results_bucket_name: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit."
  }
}

variable "results_prefix" {
  description = "Key prefix of runs/ and outcomes/ in the results bucket (RESULTS_PREFIX)."
  type        = string
  default     = "serverless-sweeps"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.results_prefix))
    error_message = "results_prefix: path segments of letters, digits, '.', '_' and '-', no leading or trailing '/'."
  }
}

variable "failure_queue_retention_seconds" {
  description = "How long failed shard events stay in the failure queue (SQS allows up to 14 days)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.failure_queue_retention_seconds >= 60 && var.failure_queue_retention_seconds <= 1209600
    error_message = "failure_queue_retention_seconds: 60 to 1209600."
  }
}

# --- API ---------------------------------------------------------------------------------

variable "api_authorization" {
  description = "Authorization of POST /sweeps: AWS_IAM (SigV4-signed requests) or NONE."
  type        = string
  default     = "AWS_IAM"

  validation {
    condition     = contains(["AWS_IAM", "NONE"], var.api_authorization)
    error_message = "api_authorization: AWS_IAM or NONE."
  }
}

variable "api_stage_name" {
  description = "API stage name (part of api_url)."
  type        = string
  default     = "v1"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.api_stage_name))
    error_message = "api_stage_name: 1 to 64 letters, digits, '_' and '-'."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady requests per second the stage accepts."
  type        = number
  default     = 10
}

variable "api_throttling_burst_limit" {
  description = "Burst of requests the stage accepts."
  type        = number
  default     = 20
}

variable "manage_api_gateway_account" {
  description = "Set the region's API Gateway CloudWatch role (an account-wide setting logging needs). False where the account already has one."
  type        = bool
  default     = true
}

# --- Athena --------------------------------------------------------------------------------

variable "glue_database_name" {
  description = "Glue database of the four tables (the Athena DDL's database)."
  type        = string
  default     = "serverless_sweep"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,254}$", var.glue_database_name))
    error_message = "glue_database_name: lower-case letters, digits and '_', starting with a letter."
  }
}

variable "athena_workgroup_name" {
  description = "Athena workgroup name; null for name_prefix."
  type        = string
  default     = null
}

variable "athena_results_prefix" {
  description = "Key prefix of Athena query results in the results bucket (expired after athena_results_expiration_days)."
  type        = string
  default     = "athena-query-results"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.athena_results_prefix))
    error_message = "athena_results_prefix: path segments of letters, digits, '.', '_' and '-', no leading or trailing '/'."
  }
}

variable "athena_results_expiration_days" {
  description = "Days Athena query results are kept."
  type        = number
  default     = 30
}

variable "athena_bytes_scanned_cutoff" {
  description = "Bytes one query may scan before Athena cancels it (minimum 10 MB)."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10485760
    error_message = "athena_bytes_scanned_cutoff: at least 10485760 (10 MB)."
  }
}
