#!/usr/bin/env bash
# Point the ECS service at an earlier task definition revision and wait until
# it is stable. Task definitions keep their image digest-free tag, and ECR tags
# are immutable, so an old revision runs exactly the old image.
# Usage: scripts/rollback.sh [REVISION]   (default: the revision before the running one)
# Environment: ECS_CLUSTER, ECS_SERVICE
set -euo pipefail

: "${ECS_CLUSTER:?}" "${ECS_SERVICE:?}"
target=${1:-}

running=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" \
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
  exit 0
fi

echo "rolling $ECS_SERVICE back from $family:$current to $family:$target"
aws ecs update-service --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" \
  --task-definition "$family:$target" --query 'service.deployments[0].id' --output text
aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE"
echo "running $family:$target"
