# Plans and applies the module against a mocked AWS provider (no account
# needed): `terraform init -backend=false && terraform test`.

mock_provider "aws" {
  source = "../../mocks"
}

variables {
  name               = "example-service"
  environment        = "staging"
  vpc_id             = "vpc-0123456789abcdef0"
  public_subnet_ids  = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  private_subnet_ids = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
  certificate_arn    = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  secret_arns = {
    JWT_SECRET_KEY = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:example-service/staging/jwt-XyZ123"
  }
}

run "database_is_private_and_encrypted" {
  command = apply

  assert {
    condition     = aws_db_instance.this.publicly_accessible == false
    error_message = "The database must not be publicly accessible."
  }

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.kms_key_id == aws_kms_key.this.arn
    error_message = "The database storage must be encrypted with the service key."
  }

  assert {
    condition     = aws_db_instance.this.manage_master_user_password && aws_db_instance.this.password == null
    error_message = "The master password must be managed by RDS, never set by Terraform."
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period >= 1
    error_message = "Automated backups must be on."
  }

  assert {
    condition     = [for r in [aws_vpc_security_group_ingress_rule.db_from_app] : r.referenced_security_group_id] == [aws_security_group.app.id] && aws_vpc_security_group_ingress_rule.db_from_app.cidr_ipv4 == null
    error_message = "Only the app security group may reach the database."
  }
}

run "task_definitions_hold_no_plaintext_secrets" {
  command = apply

  assert {
    condition = alltrue([
      for c in concat(jsondecode(aws_ecs_task_definition.app.container_definitions), jsondecode(aws_ecs_task_definition.migrate.container_definitions)) :
      alltrue([for e in c.environment : !can(regex("(?i)(secret|password|token|database_url|key)", e.name))])
    ])
    error_message = "Secret-looking variables must come from the secrets block, not environment."
  }

  assert {
    condition = alltrue([
      for c in concat(jsondecode(aws_ecs_task_definition.app.container_definitions), jsondecode(aws_ecs_task_definition.migrate.container_definitions)) :
      contains([for s in c.secrets : s.name], "DATABASE_URL") && contains([for s in c.secrets : s.name], "JWT_SECRET_KEY") &&
      contains([for s in c.secrets : s.name], "METRICS_TOKEN") &&
      alltrue([for s in c.secrets : startswith(s.valueFrom, "arn:aws:secretsmanager:")])
    ])
    error_message = "DATABASE_URL, METRICS_TOKEN and the extra secrets must be injected from Secrets Manager ARNs."
  }

  assert {
    condition = alltrue([
      for c in jsondecode(aws_ecs_task_definition.app.container_definitions) :
      one([for s in c.secrets : s.valueFrom if s.name == "METRICS_TOKEN"]) == aws_secretsmanager_secret.managed["METRICS_TOKEN"].arn
    ])
    error_message = "The service must get METRICS_TOKEN (which production requires) from the module's secret."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.migrate.container_definitions)[0].command == ["example-service", "migrate"]
    error_message = "The migration task must run the migrate command."
  }

  assert {
    condition     = alltrue([for c in jsondecode(aws_ecs_task_definition.app.container_definitions) : c.readonlyRootFilesystem && !c.privileged && c.user == "10001:10001"])
    error_message = "App containers must run non-root, unprivileged, with a read-only root filesystem."
  }

  assert {
    condition     = aws_iam_role.execution.name != aws_iam_role.task.name
    error_message = "Execution and task roles must be distinct."
  }
}

run "load_balancer_checks_readiness_over_https" {
  command = plan

  assert {
    condition     = aws_lb_target_group.app.health_check[0].path == "/health/ready"
    error_message = "The target group must probe the readiness endpoint."
  }

  assert {
    condition     = aws_lb_listener.https.protocol == "HTTPS" && aws_lb_listener.https.certificate_arn == var.certificate_arn
    error_message = "The HTTPS listener must serve the given ACM certificate."
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "Port 80 must redirect to HTTPS."
  }

  assert {
    condition = (
      aws_lb_listener_rule.hide_metrics.listener_arn == aws_lb_listener.https.arn &&
      aws_lb_listener_rule.hide_metrics.priority == 1 &&
      toset(one(aws_lb_listener_rule.hide_metrics.condition[*].path_pattern[0].values)) == toset(["/metrics", "/metrics/*"]) &&
      aws_lb_listener_rule.hide_metrics.action[0].type == "fixed-response" &&
      aws_lb_listener_rule.hide_metrics.action[0].fixed_response[0].status_code == "404"
    )
    error_message = "The public listener must answer /metrics itself (404), before any forwarding rule."
  }

  assert {
    condition     = length(aws_lb_listener.https.default_action) == 1 && aws_lb_listener.https.default_action[0].type == "forward"
    error_message = "Everything but /metrics is forwarded to the service."
  }

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push && aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "ECR must scan on push and keep tags immutable."
  }

  assert {
    condition     = aws_ecs_service.app.network_configuration[0].assign_public_ip == false
    error_message = "Tasks must not get public IPs."
  }

  assert {
    condition     = aws_cloudwatch_log_group.app.retention_in_days == 365
    error_message = "The log group must have a retention."
  }
}

run "staging_defaults_are_small" {
  command = plan

  assert {
    condition     = aws_db_instance.this.multi_az == false && aws_ecs_service.app.desired_count == 1
    error_message = "Staging defaults: single-AZ database, one task."
  }
}

run "production_is_highly_available_and_protected" {
  command = plan
  # A fresh state: the service ignores desired_count drift once created.
  state_key = "production"

  variables {
    environment            = "production"
    desired_count          = 2
    min_capacity           = 2
    db_multi_az            = true
    db_deletion_protection = true
  }

  assert {
    condition     = aws_db_instance.this.multi_az && aws_db_instance.this.deletion_protection
    error_message = "Production database must be multi-AZ with deletion protection."
  }

  assert {
    condition     = aws_ecs_service.app.desired_count >= 2 && aws_appautoscaling_target.app.min_capacity >= 2
    error_message = "Production must run at least two tasks."
  }
}

run "production_refuses_single_az_database" {
  command = plan

  variables {
    environment   = "production"
    desired_count = 2
    min_capacity  = 2
    db_multi_az   = false
  }

  expect_failures = [var.db_multi_az]
}

run "production_refuses_a_single_task" {
  command = plan

  variables {
    environment   = "production"
    desired_count = 1
    min_capacity  = 2
    db_multi_az   = true
  }

  expect_failures = [var.desired_count]
}

run "secret_looking_plain_variables_are_refused" {
  command = plan

  variables {
    environment_variables = {
      JWT_SECRET_KEY = "plaintext"
    }
  }

  expect_failures = [var.environment_variables]
}
