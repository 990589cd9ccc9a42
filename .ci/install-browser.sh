#!/usr/bin/env bash
# The browser the docs-page test drives (tests/test_browser.py): Debian's
# chromium, at /usr/bin/chromium. Playwright itself is a Python dev dependency
# (uv.lock) and drives this binary, so `playwright install` is never needed.
# Idempotent: installs only when the binary is missing, then checks it starts.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "installing: chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium
else
  echo "chromium already installed"
fi

[ -x "$CHROMIUM" ] || { echo "error: $CHROMIUM is still missing" >&2; exit 1; }
"$CHROMIUM" --headless --no-sandbox --disable-gpu --version 2>/dev/null | head -n 1
