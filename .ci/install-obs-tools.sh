#!/usr/bin/env bash
# Tools the observability tests need: promtool and prometheus (Debian's
# `prometheus` package) and wrk (for the benchmark). Idempotent: installs only
# what is missing, and stops the daemons the packages may start, since the tests
# run their own Prometheus on a loopback port.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)

if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2046 # word splitting of the de-duplicated list is intended
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u)
  for service in prometheus prometheus-node-exporter; do
    if [ -x "/etc/init.d/${service}" ]; then
      "/etc/init.d/${service}" stop >/dev/null 2>&1 || true
    fi
  done
fi

promtool --version | head -n 1
prometheus --version | head -n 1
command -v wrk
