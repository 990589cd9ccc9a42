resource "aws_ecs_cluster" "this" {
  name = local.full_name
  tags = local.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

locals {
  app_environment = [
    for k, v in merge(
      {
        ENVIRONMENT = "production"
        HOST        = "0.0.0.0"
        PORT        = tostring(var.container_port)
        # The ALB is the only peer (security group), so trust its X-Forwarded-* headers.
        FORWARDED_ALLOW_IPS = "*"
        SHUTDOWN_TIMEOUT    = tostring(var.shutdown_timeout_seconds)
        # Longer than the ALB's idle timeout, so the ALB always closes an idle
        # connection first and never reuses one the app is closing (a 502).
        KEEP_ALIVE_TIMEOUT = tostring(aws_lb.this.idle_timeout + 5)
        LOG_LEVEL          = "INFO"
      },
      var.environment_variables,
    ) : { name = k, value = v }
  ]

  base_container = {
    name      = local.container_name
    image     = local.image
    essential = true
    secrets   = local.container_secrets
    # The image's filesystem is read-only; /tmp is the only scratch space.
    readonlyRootFilesystem = true
    privileged             = false
    user                   = "10001:10001"
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    mountPoints = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
  }
}

resource "aws_ecs_task_definition" "app" {
  family                   = "${local.full_name}-app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  tags                     = local.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(local.base_container, {
      portMappings = [{ containerPort = var.container_port, protocol = "tcp", name = "http" }]
      environment  = local.app_environment
      # Above the app's own graceful shutdown budget so SIGKILL never cuts a drain.
      stopTimeout = min(var.shutdown_timeout_seconds + 10, 120)
      healthCheck = {
        command     = ["CMD", "python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '8000'), timeout=4)"]
        interval    = 30
        timeout     = 5
        retries     = 3
        startPeriod = 20
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "app"
        }
      }
    })
  ])
}

# One-off task run once per deploy, before the service rolls (deploy.yml).
resource "aws_ecs_task_definition" "migrate" {
  family                   = "${local.full_name}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  tags                     = local.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(local.base_container, {
      command     = [var.name, "migrate"]
      environment = [for e in local.app_environment : e if e.name == "ENVIRONMENT" || e.name == "LOG_LEVEL"]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.migrate.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "migrate"
        }
      }
    })
  ])
}

resource "aws_ecs_service" "app" {
  name                              = "${local.full_name}-app"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.app.arn
  desired_count                     = var.desired_count
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = 60
  enable_execute_command            = false
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = false
  tags                              = local.tags

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  # A deployment whose tasks never get healthy rolls back by itself.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = local.container_name
    container_port   = var.container_port
  }

  lifecycle {
    # Deployments register new task definition revisions (deploy.yml) and
    # autoscaling owns the count: Terraform must not revert either.
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_lb_listener.https]
}
