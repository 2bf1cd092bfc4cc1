#!/usr/bin/env bash
# Debian packages for the container engine, the local base image and the browser test.
# Idempotent: installs only what is missing.
set -euo pipefail
needed=()
command -v dockerd >/dev/null || needed+=(docker.io)
command -v debootstrap >/dev/null || needed+=(debootstrap)
command -v chromium >/dev/null || needed+=(chromium)
if ((${#needed[@]})); then
  echo "installing Debian packages: ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
