# One repository per function. Tags are immutable (a tag names one build forever), images are
# scanned on push, and only the newest var.ecr_keep_images stay: rollback reaches that far back.

locals {
  repositories = {
    parent = "${var.name_prefix}-parent"
    child  = "${var.name_prefix}-child"
  }
}

resource "aws_ecr_repository" "function" {
  for_each = local.repositories

  name                 = each.value
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.sweep.arn
  }
}

resource "aws_ecr_lifecycle_policy" "function" {
  for_each = aws_ecr_repository.function

  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the newest ${var.ecr_keep_images} images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.ecr_keep_images
      }
      action = { type = "expire" }
    }]
  })
}

# Lambda pulls the image with its service principal, and only for this stack's functions.
data "aws_iam_policy_document" "ecr_lambda_pull" {
  statement {
    sid     = "LambdaPullForThisStack"
    effect  = "Allow"
    actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:sourceArn"
      values   = [local.parent_function_arn, local.child_function_arn]
    }
  }
}

resource "aws_ecr_repository_policy" "function" {
  for_each = aws_ecr_repository.function

  repository = each.value.name
  policy     = data.aws_iam_policy_document.ecr_lambda_pull.json
}
