#!/usr/bin/env bash
# Point the ECS service at an earlier task definition revision and wait until
# it is stable. Task definitions keep their image digest-free tag, and ECR tags
# are immutable, so an old revision runs exactly the old image.
# Usage: scripts/rollback.sh [REVISION]   (default: the revision before the running one)
# Environment: ECS_CLUSTER, ECS_SERVICE, ECS_WORKER_SERVICE (optional: the
# service has background jobs; its worker goes back to its previous revision)
set -euo pipefail

: "${ECS_CLUSTER:?}" "${ECS_SERVICE:?}"

# roll_back SERVICE [REVISION]
roll_back() {
  local service=$1 target=${2:-} running family_revision family current

  running=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$service" \
    --query 'services[0].taskDefinition' --output text)
  family_revision=${running##*/}
  family=${family_revision%:*}
  current=${family_revision##*:}

  if [ -z "$target" ]; then
    # Newest ACTIVE revision older than the running one.
    target=$(aws ecs list-task-definitions --family-prefix "$family" --status ACTIVE --sort DESC \
      --query 'taskDefinitionArns[]' --output text | tr '\t' '\n' \
      | awk -F: -v cur="$current" '$NF + 0 < cur + 0 { print $NF; exit }')
  fi
  if ! [[ "$target" =~ ^[0-9]+$ ]]; then
    echo "::error::no earlier revision of $family to roll back to (got '${target}')" >&2
    exit 1
  fi
  if [ "$target" = "$current" ]; then
    echo "$family:$current is already running"
    return
  fi

  echo "rolling $service back from $family:$current to $family:$target"
  aws ecs update-service --cluster "$ECS_CLUSTER" --service "$service" \
    --task-definition "$family:$target" --query 'service.deployments[0].id' --output text
  aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "$service"
  echo "running $family:$target"
}

roll_back "$ECS_SERVICE" "${1:-}"
if [ -n "${ECS_WORKER_SERVICE:-}" ]; then
  roll_back "$ECS_WORKER_SERVICE"
fi
