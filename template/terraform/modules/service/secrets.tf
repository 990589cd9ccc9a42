# DATABASE_URL and METRICS_TOKEN live in Secrets Manager and reaches the container through the
# task definition's `secrets` block. Terraform creates the secret container
# only: its value is put once out of band (docs/deploy.md), so no password
# ever appears in variables, plans or state. The RDS master password itself is
# generated and stored by RDS (manage_master_user_password).

resource "aws_secretsmanager_secret" "database_url" {
  #checkov:skip=CKV2_AWS_57:The value is derived from the RDS-managed master secret; rotation is a runbook procedure (docs/runbook.md, "Rotate secrets").
  name        = "${var.name}/${var.environment}/DATABASE_URL"
  description = "SQLAlchemy URL of the ${local.full_name} database"
  kms_key_id  = aws_kms_key.this.arn
  # Production keeps deleted secrets recoverable for the maximum window.
  recovery_window_in_days = var.environment == "production" ? 30 : 7
  tags                    = local.tags
}

# The bearer token Prometheus presents at /metrics. The service refuses to
# start in production without it (METRICS_ENABLED is on by default); the
# scraper reads the same secret.
resource "aws_secretsmanager_secret" "metrics_token" {
  #checkov:skip=CKV2_AWS_57:A scrape token is rotated by a runbook procedure (docs/runbook.md, "Rotate secrets") together with the scraper's copy.
  name                    = "${var.name}/${var.environment}/METRICS_TOKEN"
  description             = "Bearer token for /metrics of ${local.full_name}"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.environment == "production" ? 30 : 7
  tags                    = local.tags
}

locals {
  # Everything the containers receive as secrets: name -> ARN.
  secret_arns = merge(var.secret_arns, {
    DATABASE_URL  = aws_secretsmanager_secret.database_url.arn
    METRICS_TOKEN = aws_secretsmanager_secret.metrics_token.arn
  })
  # IAM wants the secret ARN without a ":json-key:version-stage:version-id" suffix.
  secret_resource_arns = distinct([
    for arn in values(local.secret_arns) : join(":", slice(split(":", arn), 0, 7))
  ])
  container_secrets = [
    for name in sort(keys(local.secret_arns)) : { name = name, valueFrom = local.secret_arns[name] }
  ]
}
