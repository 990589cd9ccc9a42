#!/usr/bin/env bash
# Load the image built once by the build job, tag it for this environment's
# ECR repository and push it. Prints `image=<ref>` to $GITHUB_OUTPUT.
# Usage: scripts/push-image.sh IMAGE_TAR LOCAL_REF REMOTE_REF
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 IMAGE_TAR LOCAL_REF REMOTE_REF" >&2
  exit 2
fi
image_tar=$1
local_ref=$2
remote_ref=$3

docker load --input "$image_tar"
docker tag "$local_ref" "$remote_ref"
# Tags are immutable in ECR: re-running a deploy of the same commit reuses the image.
if ! docker push "$remote_ref"; then
  repository=${remote_ref#*/}
  repository=${repository%%:*}
  if aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=${remote_ref##*:}" >/dev/null 2>&1; then
    echo "image $remote_ref already exists; reusing it"
  else
    exit 1
  fi
fi
echo "image=$remote_ref" >>"${GITHUB_OUTPUT:-/dev/null}"
