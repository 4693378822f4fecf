#!/usr/bin/env bash
# Debian packages the platform needs beyond Python: fonts for PDF certificates, and
# Chromium for the browser tests, wrk for the HTTP benchmark and the soak test.
# Installs only what is missing; needs root (or sudo) the first time.
set -euo pipefail
packages=(fonts-noto-core fonts-noto-cjk libharfbuzz-subset0 chromium wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
