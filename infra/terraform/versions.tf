# Pinned versions. The provider's lock file (.terraform.lock.hcl) is written by the first
# `terraform init` on a machine that reaches the Terraform registry; commit it then.
terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 6.28.0"
    }
  }
}
