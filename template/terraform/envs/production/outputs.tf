output "deploy_role_arn" {
  description = "Store as the AWS_DEPLOY_ROLE_ARN variable of this GitHub environment."
  value       = module.github_deploy.role_arn
}

output "ecr_repository_url" {
  description = "Image repository (AWS_ECR_REPOSITORY variable is its last path segment)."
  value       = module.service.ecr_repository_url
}

output "cluster_name" {
  description = "ECS cluster (ECS_CLUSTER variable)."
  value       = module.service.cluster_name
}

output "service_name" {
  description = "ECS service (ECS_SERVICE variable)."
  value       = module.service.service_name
}

output "migrate_task_family" {
  description = "Migration task family (ECS_MIGRATE_TASK_FAMILY variable)."
  value       = module.service.migrate_task_family
}

output "private_subnet_ids" {
  description = "Subnets for the migration task (ECS_SUBNETS variable, comma-separated)."
  value       = module.service.private_subnet_ids
}

output "app_security_group_id" {
  description = "Security group for the migration task (ECS_SECURITY_GROUP variable)."
  value       = module.service.app_security_group_id
}

output "alb_dns_name" {
  description = "Point the service's DNS name (CNAME or alias) here."
  value       = module.service.alb_dns_name
}

output "database_url_secret_arn" {
  description = "Put DATABASE_URL here once after the first apply (docs/deploy.md)."
  value       = module.service.database_url_secret_arn
}

output "db_master_secret_arn" {
  description = "RDS-managed master credentials (read them to build DATABASE_URL)."
  value       = module.service.db_master_secret_arn
}

output "db_endpoint" {
  description = "Database endpoint (host:port)."
  value       = module.service.db_endpoint
}

output "metrics_token_secret_arn" {
  description = "Put METRICS_TOKEN here once after the first apply; the scraper uses the same value (docs/deploy.md)."
  value       = module.service.metrics_token_secret_arn
}
