# Every log group the stack writes to, created here so that each has a retention and the
# stack's key before the first write (otherwise Lambda and API Gateway create them unencrypted
# and kept forever).

resource "aws_cloudwatch_log_group" "stack" {
  for_each = local.log_group_names

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.sweep.arn
}
