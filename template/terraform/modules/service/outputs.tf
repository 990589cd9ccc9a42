output "ecr_repository_url" {
  description = "Repository the deploy workflow pushes images to."
  value       = aws_ecr_repository.this.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the image repository."
  value       = aws_ecr_repository.this.arn
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "ECS service name of the app."
  value       = aws_ecs_service.app.name
}

output "app_task_family" {
  description = "Task definition family of the app."
  value       = aws_ecs_task_definition.app.family
}

output "migrate_task_family" {
  description = "Task definition family of the one-off migration task."
  value       = aws_ecs_task_definition.migrate.family
}

output "task_role_arns" {
  description = "Execution and task role ARNs (the deploy role may pass exactly these)."
  value       = [aws_iam_role.execution.arn, aws_iam_role.task.arn]
}

output "private_subnet_ids" {
  description = "Subnets the migration task runs in."
  value       = var.private_subnet_ids
}

output "app_security_group_id" {
  description = "Security group of the app and migration tasks."
  value       = aws_security_group.app.id
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (point the service's DNS record at it)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer, for an alias record."
  value       = aws_lb.this.zone_id
}

output "database_url_secret_arn" {
  description = "Secret holding DATABASE_URL; put its value once after the first apply (docs/deploy.md)."
  value       = aws_secretsmanager_secret.managed["DATABASE_URL"].arn
}

output "db_master_secret_arn" {
  description = "RDS-managed secret with the master user's credentials."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "db_endpoint" {
  description = "Address and port of the database."
  value       = aws_db_instance.this.endpoint
}

output "kms_key_arn" {
  description = "KMS key encrypting the service's data."
  value       = aws_kms_key.this.arn
}

output "metrics_token_secret_arn" {
  description = "Put METRICS_TOKEN here once after the first apply; the scraper uses the same value (docs/deploy.md)."
  value       = aws_secretsmanager_secret.managed["METRICS_TOKEN"].arn
}
