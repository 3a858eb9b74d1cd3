#!/usr/bin/env bash
# The admin panel's browser test (test/admin) drives Debian's chromium through playwright-core.
# Installs it when missing, so `npm test` works on a fresh machine; silent when it is there.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-chromium: need root (or sudo) to apt-get install chromium" >&2; exit 1; }
  SUDO="sudo"
fi
echo "ensure-chromium: installing Debian's chromium for the admin panel's browser test" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
