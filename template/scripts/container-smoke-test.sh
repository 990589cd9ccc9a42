#!/usr/bin/env bash
# Run the built image locally and check what production relies on: the
# liveness and readiness probes answer, the image's HEALTHCHECK passes, the
# process is not root, and SIGTERM stops it within the grace period.
# Usage: scripts/container-smoke-test.sh IMAGE
# Environment: CONTAINER_ENGINE (docker or podman, default docker),
#              SMOKE_PORT (host port, default 18000)
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 IMAGE" >&2
  exit 2
fi
image=$1
engine=${CONTAINER_ENGINE:-docker}
port=${SMOKE_PORT:-18000}
name="smoke-$$"
grace=30

cleanup() { "$engine" rm --force "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# SQLite in /tmp: read-only root filesystem like the ECS task definition. CI has
# no database server, and production refuses SQLite, so the smoke run is a
# development one; everything else is the production image as built.
"$engine" run --detach --name "$name" --read-only --tmpfs /tmp \
  --env PORT="$port" --env DATABASE_URL=sqlite+aiosqlite:////tmp/app.db \
  --env ENVIRONMENT=development \
  --publish "127.0.0.1:$port:$port" "$image" >/dev/null

ready=""
for _ in $(seq 1 60); do
  if curl --fail --silent --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null; then
    ready=yes
    break
  fi
  sleep 1
done
if [ -z "$ready" ]; then
  "$engine" logs "$name" >&2
  echo "readiness probe never answered" >&2
  exit 1
fi
curl --fail --silent --show-error "http://127.0.0.1:$port/health/live"
echo

# The container's view of the image config reads the same in docker and podman.
healthcheck=$("$engine" container inspect --format '{{json .Config.Healthcheck.Test}}' "$name")
echo "HEALTHCHECK: $healthcheck"
# Run the image's own health check command inside the container.
mapfile -t check < <(printf '%s' "$healthcheck" | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)[1:]))')
"$engine" exec "$name" "${check[@]}"

uid=$("$engine" exec "$name" python -c 'import os; print(os.getuid())')
if [ "$uid" = "0" ]; then
  echo "the server runs as root" >&2
  exit 1
fi
echo "uid: $uid"

start=$(date +%s)
"$engine" stop --time "$grace" "$name" >/dev/null
elapsed=$(($(date +%s) - start))
status=$("$engine" inspect --format '{{.State.ExitCode}}' "$name")
echo "stopped in ${elapsed}s with exit code $status"
if [ "$status" = "137" ] || [ "$elapsed" -ge "$grace" ]; then
  echo "SIGTERM did not stop the server within ${grace}s" >&2
  exit 1
fi
