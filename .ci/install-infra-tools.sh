#!/usr/bin/env bash
# Install, on a fresh Debian 12 machine (as root), the non-Python tools the
# infrastructure tests need. Idempotent: a second run only checks.
#   - podman + runc (+ uidmap, slirp4netns): build and run the generated image
#   - debootstrap: build the local stand-in for the python:<ver>-slim base image
#   - shellcheck: the generated scripts and actionlint's checks of `run:` blocks
# terraform and its AWS provider mirror are part of the machine image; checkov
# runs through `uvx --from checkov==<pinned>` in its own environment and is
# fetched (and cached) here so the first test does not pay for it.
set -euo pipefail

CHECKOV_VERSION=3.3.30
packages=(podman runc uidmap slirp4netns debootstrap shellcheck curl ca-certificates)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "infra packages already installed"
fi

for tool in podman runc debootstrap shellcheck; do
  command -v "$tool" >/dev/null || { echo "error: $tool is still missing" >&2; exit 1; }
done

if command -v terraform >/dev/null; then
  terraform version 2>/dev/null | sed -n 1p
else
  echo "warning: terraform is not on PATH; the terraform tests will fail in CI" >&2
fi

if command -v uvx >/dev/null; then
  uvx --from "checkov==$CHECKOV_VERSION" checkov --version >/dev/null
  echo "checkov $CHECKOV_VERSION ready"
else
  echo "warning: uvx is not on PATH; checkov cannot run" >&2
fi
