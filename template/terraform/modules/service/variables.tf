# Inputs of the service module. Every variable is typed, described and
# validated; secrets never pass through variables (only Secrets Manager ARNs).

variable "name" {
  description = "Service name (kebab-case); prefixes every AWS resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be kebab-case, 3 to 40 characters, starting with a letter."
  }
}

variable "environment" {
  description = "Deployment environment; production enforces the safety switches below."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be \"staging\" or \"production\"."
  }
}

variable "tags" {
  description = "Extra tags applied to every resource (merged with Service and Environment)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be at most 128 characters and values at most 256."
  }
}

# --- network -----------------------------------------------------------------

variable "vpc_id" {
  description = "ID of the VPC the service runs in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two AZs) for the load balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2 && alltrue([for s in var.public_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "Give at least two subnet IDs (subnet-...) in different availability zones."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two AZs, with a NAT or VPC endpoints) for the tasks and the database."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "Give at least two subnet IDs (subnet-...) in different availability zones."
  }
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate served by the HTTPS listener."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.2 minimum)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-(TLS13-1-2|TLS13-1-3|TLS-1-2|FS-1-2)", var.ssl_policy))
    error_message = "ssl_policy must be a TLS 1.2+ ELBSecurityPolicy."
  }
}

variable "alb_deletion_protection" {
  description = "Protect the load balancer against deletion."
  type        = bool
  default     = true
}

# --- container ---------------------------------------------------------------

variable "image_tag" {
  description = "Image tag used when Terraform creates a task definition; deployments register new revisions with the commit SHA outside Terraform."
  type        = string
  default     = "bootstrap"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid OCI tag."
  }
}

variable "container_port" {
  description = "Port the application listens on inside the container."
  type        = number
  default     = 8000

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535
    error_message = "container_port must be an unprivileged port (1024-65535): the image runs as non-root."
  }
}

variable "health_check_path" {
  description = "Path the target group probes; the readiness probe checks the database too."
  type        = string
  default     = "/health/ready"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "task_cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192, 16384)."
  }
}

variable "task_memory" {
  description = "Fargate task memory in MiB (must fit the CPU size)."
  type        = number
  default     = 1024

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 122880 && var.task_memory % 512 == 0
    error_message = "task_memory must be a multiple of 512 MiB between 512 and 122880."
  }
}

variable "desired_count" {
  description = "Initial number of tasks; autoscaling adjusts it between min_capacity and max_capacity."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count >= 1 && (var.environment != "production" || var.desired_count >= 2)
    error_message = "desired_count must be at least 1, and at least 2 in production."
  }
}

variable "min_capacity" {
  description = "Lowest task count autoscaling may set."
  type        = number
  default     = 1

  validation {
    condition     = var.min_capacity >= 1 && (var.environment != "production" || var.min_capacity >= 2)
    error_message = "min_capacity must be at least 1, and at least 2 in production."
  }
}

variable "max_capacity" {
  description = "Highest task count autoscaling may set."
  type        = number
  default     = 4

  validation {
    condition     = var.max_capacity >= var.min_capacity && var.max_capacity <= 100
    error_message = "max_capacity must be between min_capacity and 100."
  }
}

variable "cpu_target_percent" {
  description = "Target average CPU utilisation for target tracking."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent must be between 10 and 90."
  }
}

variable "requests_per_target" {
  description = "Target ALB requests per task per minute for target tracking."
  type        = number
  default     = 1000

  validation {
    condition     = var.requests_per_target >= 10
    error_message = "requests_per_target must be at least 10."
  }
}

variable "shutdown_timeout_seconds" {
  description = "Graceful shutdown budget given to the app (SHUTDOWN_TIMEOUT); ECS stopTimeout and ALB deregistration delay are derived from it."
  type        = number
  default     = 20

  validation {
    condition     = var.shutdown_timeout_seconds >= 5 && var.shutdown_timeout_seconds <= 100
    error_message = "shutdown_timeout_seconds must be between 5 and 100 (Fargate stopTimeout is at most 120)."
  }
}

variable "environment_variables" {
  description = "Plain, non-secret environment variables for the app container (e.g. LOG_LEVEL)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k in keys(var.environment_variables) :
      can(regex("^[A-Z][A-Z0-9_]*$", k)) && !can(regex("(SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL)", k))
    ])
    error_message = "Variable names must be UPPER_SNAKE_CASE and must not look like secrets: pass those through secret_arns."
  }
}

variable "secret_arns" {
  description = "Extra secrets injected as environment variables: map of variable name (e.g. JWT_SECRET_KEY) to a Secrets Manager secret ARN (optionally with :json-key:: suffix)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k, v in var.secret_arns :
      can(regex("^[A-Z][A-Z0-9_]*$", k)) && can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:", v))
    ])
    error_message = "Keys must be UPPER_SNAKE_CASE variable names and values Secrets Manager ARNs."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for the app and migration logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (e.g. 30, 90, 365)."
  }
}

variable "ecr_image_retention_count" {
  description = "Number of tagged images the ECR lifecycle policy keeps (rollback depth)."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_image_retention_count >= 5 && var.ecr_image_retention_count <= 1000
    error_message = "ecr_image_retention_count must be between 5 and 1000."
  }
}

# --- database ----------------------------------------------------------------

variable "db_engine_version" {
  description = "PostgreSQL major version (the minor version is upgraded automatically)."
  type        = string
  default     = "17"

  validation {
    condition     = contains(["15", "16", "17"], var.db_engine_version)
    error_message = "db_engine_version must be 15, 16 or 17."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "db_instance_class must be an RDS class such as db.t4g.small."
  }
}

variable "db_allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage >= 20 && var.db_allocated_storage <= 65536
    error_message = "db_allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_allocated_storage >= var.db_allocated_storage
    error_message = "db_max_allocated_storage must be at least db_allocated_storage."
  }
}

variable "db_multi_az" {
  description = "Run a synchronous standby in a second AZ (required in production)."
  type        = bool
  default     = false

  validation {
    condition     = var.environment != "production" || var.db_multi_az
    error_message = "Production databases must be multi-AZ."
  }
}

variable "db_deletion_protection" {
  description = "Protect the database against deletion (required in production)."
  type        = bool
  default     = true

  validation {
    condition     = var.environment != "production" || var.db_deletion_protection
    error_message = "Production databases must have deletion protection."
  }
}

variable "db_backup_retention_days" {
  description = "Automated backup (point-in-time recovery) retention in days."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35 && (var.environment != "production" || var.db_backup_retention_days >= 7)
    error_message = "db_backup_retention_days must be 1-35, and at least 7 in production."
  }
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must be a lowercase PostgreSQL identifier."
  }
}
