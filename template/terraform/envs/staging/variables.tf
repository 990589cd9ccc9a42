variable "aws_region" {
  description = "AWS region of this environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as eu-west-1."
  }
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose deploy workflow may assume the deploy role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must look like owner/name."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account-wide GitHub OIDC provider here (true in exactly one environment per AWS account)."
  type        = bool
  default     = false
}

variable "vpc_id" {
  description = "VPC of this environment."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets (two AZs or more) for the load balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "Give at least two public subnets."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (two AZs or more) for the tasks and the database."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "Give at least two private subnets."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for the service's domain, in aws_region."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "secret_arns" {
  description = "Extra secrets for the app: variable name -> Secrets Manager ARN (e.g. JWT_SECRET_KEY)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for v in values(var.secret_arns) : can(regex("^arn:aws[a-z-]*:secretsmanager:", v))])
    error_message = "secret_arns values must be Secrets Manager ARNs."
  }
}
