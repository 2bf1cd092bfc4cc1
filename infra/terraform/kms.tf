# One customer-managed key for the stack's data at rest: results objects, the failure queue,
# log groups, image layers and the functions' environment. Key policy: the account's IAM
# policies decide who uses it (the roles in iam.tf), and CloudWatch Logs may use it for this
# stack's log groups only. In a key policy "Resource": "*" means this key.

resource "aws_kms_key" "sweep" {
  description             = "${var.name_prefix}: results, failure queue, logs, images, function environment"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountIamPolicies"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsForThisStack"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnEquals = {
            "kms:EncryptionContext:aws:logs:arn" = [
              for name in local.log_group_names :
              "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"
            ]
          }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "sweep" {
  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.sweep.key_id
}
