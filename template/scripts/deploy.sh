#!/usr/bin/env bash
# Deploy IMAGE to one ECS environment:
#   1. register a migration task definition revision with IMAGE and run it
#      once, failing the deploy if the migration fails;
#   2. with ECS_WORKER_SERVICE set, roll the worker the same way: first, so
#      that the jobs new app code sends find a worker that knows them;
#   3. register an app revision (based on the running one) with IMAGE, update
#      the service and wait until it is stable (the deployment circuit breaker
#      rolls back by itself if the new tasks never become healthy).
# Usage: scripts/deploy.sh IMAGE
# Environment: ECS_CLUSTER, ECS_SERVICE, ECS_MIGRATE_TASK_FAMILY,
#              ECS_SUBNETS (comma-separated), ECS_SECURITY_GROUP,
#              ECS_WORKER_SERVICE (optional: the service has background jobs)
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 IMAGE" >&2
  exit 2
fi
image=$1
: "${ECS_CLUSTER:?}" "${ECS_SERVICE:?}" "${ECS_MIGRATE_TASK_FAMILY:?}" "${ECS_SUBNETS:?}" "${ECS_SECURITY_GROUP:?}"

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# register_with_image TASK_DEFINITION -> prints the new revision's ARN
register_with_image() {
  aws ecs describe-task-definition --task-definition "$1" --query taskDefinition --output json >"$workdir/current.json"
  jq --arg image "$image" '
    .containerDefinitions |= map(if .name == "app" then .image = $image else . end)
    | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
          .registeredAt, .registeredBy, .deregisteredAt)
  ' "$workdir/current.json" >"$workdir/next.json"
  aws ecs register-task-definition --cli-input-json "file://$workdir/next.json" \
    --query taskDefinition.taskDefinitionArn --output text
}

echo "::group::Migrations"
migrate_arn=$(register_with_image "$ECS_MIGRATE_TASK_FAMILY")
task_arn=$(aws ecs run-task \
  --cluster "$ECS_CLUSTER" \
  --task-definition "$migrate_arn" \
  --launch-type FARGATE \
  --started-by "github-deploy" \
  --network-configuration "awsvpcConfiguration={subnets=[$ECS_SUBNETS],securityGroups=[$ECS_SECURITY_GROUP],assignPublicIp=DISABLED}" \
  --query 'tasks[0].taskArn' --output text)
echo "migration task: $task_arn"
aws ecs wait tasks-stopped --cluster "$ECS_CLUSTER" --tasks "$task_arn"
exit_code=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$task_arn" \
  --query 'tasks[0].containers[0].exitCode' --output text)
if [ "$exit_code" != "0" ]; then
  reason=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$task_arn" \
    --query 'tasks[0].stoppedReason' --output text)
  echo "::error::migration task failed (exit code $exit_code: $reason); the service was not changed"
  exit 1
fi
echo "::endgroup::"

# roll SERVICE: run IMAGE in it, from a revision based on the running one
roll() {
  local service=$1 running next now_running
  running=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$service" \
    --query 'services[0].taskDefinition' --output text)
  echo "previous task definition of $service (rollback target): $running"
  next=$(register_with_image "$running")
  aws ecs update-service --cluster "$ECS_CLUSTER" --service "$service" \
    --task-definition "$next" --query 'service.deployments[0].id' --output text
  aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "$service"
  now_running=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$service" \
    --query 'services[0].taskDefinition' --output text)
  if [ "$now_running" != "$next" ]; then
    echo "::error::the deployment circuit breaker rolled $service back to $now_running"
    exit 1
  fi
  echo "deployed $next"
}

if [ -n "${ECS_WORKER_SERVICE:-}" ]; then
  echo "::group::Worker"
  roll "$ECS_WORKER_SERVICE"
  echo "::endgroup::"
fi

echo "::group::Service"
roll "$ECS_SERVICE"
echo "::endgroup::"
