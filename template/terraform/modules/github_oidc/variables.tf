variable "name" {
  description = "Name prefix of the deploy role (usually <service>-<environment>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}[a-z0-9]$", var.name))
    error_message = "name must be kebab-case, 3 to 52 characters."
  }
}

variable "github_repository" {
  description = "GitHub repository allowed to assume the role, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must look like owner/name."
  }
}

variable "github_environment" {
  description = "GitHub environment whose jobs may assume the role (the OIDC subject is pinned to it)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.github_environment))
    error_message = "github_environment must be a plain GitHub environment name."
  }
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (only one may exist per account: let exactly one environment create it, or create it elsewhere)."
  type        = bool
  default     = false
}

variable "ecr_repository_arn" {
  description = "Repository the role may push images to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:", var.ecr_repository_arn))
    error_message = "ecr_repository_arn must be an ECR repository ARN."
  }
}

variable "cluster_arn" {
  description = "ECS cluster the role deploys to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:", var.cluster_arn))
    error_message = "cluster_arn must be an ECS cluster ARN."
  }
}

variable "task_families" {
  description = "Task definition families the role may register and run (app and migrate)."
  type        = list(string)

  validation {
    condition     = length(var.task_families) > 0
    error_message = "Give at least one task definition family."
  }
}

variable "pass_role_arns" {
  description = "Task and execution role ARNs the role may hand to ECS."
  type        = list(string)

  validation {
    condition     = alltrue([for a in var.pass_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", a))])
    error_message = "pass_role_arns must be IAM role ARNs."
  }
}

variable "tags" {
  description = "Tags applied to the created resources."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be at most 128 characters and values at most 256."
  }
}
