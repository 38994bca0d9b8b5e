#!/usr/bin/env bash
# Installs Debian's chromium for the indicator page's browser test (tests/exports), unless it is there.
# Playwright drives this system browser; nothing is downloaded by Playwright itself.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: chromium is missing and apt-get is not available; install Chromium by hand" >&2
  exit 1
fi
sudo_cmd=""
if [ "$(id -u)" != "0" ]; then sudo_cmd="sudo"; fi
echo "setup: installing Debian's chromium for the browser test"
$sudo_cmd apt-get install -y -q chromium >/dev/null 2>&1 || {
  $sudo_cmd apt-get update -q >/dev/null
  $sudo_cmd apt-get install -y -q chromium >/dev/null
}
