# Shared naming, tags and the customer-managed KMS key that encrypts the
# logs, secrets, image repository and database of one service environment.
# Resources are split by concern: network.tf, alb.tf, ecr.tf, ecs.tf,
# autoscaling.tf, rds.tf, secrets.tf, iam.tf, logs.tf.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  full_name = "${var.name}-${var.environment}"
  # ALB and target group names are limited to 32 characters.
  short_name = trimsuffix(substr(local.full_name, 0, 32), "-")

  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  tags = merge(var.tags, {
    Service     = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  container_name = "app"
  image          = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policies must grant the account root; IAM policies then scope who may use the key.
  #checkov:skip=CKV_AWS_111:Key policies must grant the account root; IAM policies then scope who may use the key.
  #checkov:skip=CKV_AWS_356:In a key policy "*" means this key only.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogs"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/ecs/${local.full_name}*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "Encrypts logs, secrets, images and the database of ${local.full_name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.full_name}"
  target_key_id = aws_kms_key.this.key_id
}
