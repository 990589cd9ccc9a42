# DATABASE_URL and METRICS_TOKEN live in Secrets Manager and reach the container
# through the task definition's `secrets` block. Terraform creates the secret
# containers only: each value is put once out of band (docs/deploy.md), so no
# password or token ever appears in variables, plans or state. The RDS master
# password itself is generated and stored by RDS (manage_master_user_password).

locals {
  # The secrets this module creates: name -> what it holds. A new one is one line.
  managed_secrets = {
    DATABASE_URL = "SQLAlchemy URL of the ${local.full_name} database"
    # Prometheus presents it at /metrics; the service refuses to start in
    # production without it while metrics are on, and the scraper reads it too.
    METRICS_TOKEN = "Bearer token for /metrics of ${local.full_name}"
  }
}

resource "aws_secretsmanager_secret" "managed" {
  #checkov:skip=CKV2_AWS_57:The database URL derives from the RDS-managed master secret and the scrape token has a copy in the scraper; both rotate by a runbook procedure (docs/runbook.md, "Rotate secrets").
  for_each    = local.managed_secrets
  name        = "${var.name}/${var.environment}/${each.key}"
  description = each.value
  kms_key_id  = aws_kms_key.this.arn
  # Production keeps deleted secrets recoverable for the maximum window.
  recovery_window_in_days = var.environment == "production" ? 30 : 7
  tags                    = local.tags
}

# Services deployed before the secrets became a map keep their DATABASE_URL
# secret: Terraform moves it in state instead of deleting and recreating it.
moved {
  from = aws_secretsmanager_secret.database_url
  to   = aws_secretsmanager_secret.managed["DATABASE_URL"]
}

locals {
  # Everything the containers receive as secrets: name -> ARN.
  secret_arns = merge(var.secret_arns, {
    for name, secret in aws_secretsmanager_secret.managed : name => secret.arn
  })
  # IAM wants the secret ARN without a ":json-key:version-stage:version-id" suffix.
  secret_resource_arns = distinct([
    for arn in values(local.secret_arns) : join(":", slice(split(":", arn), 0, 7))
  ])
  container_secrets = [
    for name in sort(keys(local.secret_arns)) : { name = name, valueFrom = local.secret_arns[name] }
  ]
}
