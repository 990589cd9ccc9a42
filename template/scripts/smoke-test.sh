#!/usr/bin/env bash
# Fail unless BASE_URL's readiness probe answers 200 within about two minutes.
# Usage: scripts/smoke-test.sh BASE_URL
set -euo pipefail

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 BASE_URL (set the BASE_URL variable of the GitHub environment)" >&2
  exit 2
fi
url="${1%/}/health/ready"

for attempt in $(seq 1 24); do
  if curl --fail --silent --show-error --max-time 5 "$url"; then
    echo
    echo "ready: $url"
    exit 0
  fi
  echo "attempt $attempt: $url not ready yet"
  sleep 5
done
echo "::error::$url did not become ready" >&2
exit 1
