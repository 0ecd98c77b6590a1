#!/usr/bin/env bash
# Installs the system packages the toolkit builds against, when they are missing.
# Debian/Ubuntu: OpenSSL 3 (libssl-dev), PC/SC (libpcsclite-dev), SQLite, libpq (PostgreSQL client), the PKCS #11 header (libp11-kit-dev), pkg-config; python3 for the bench scripts.
set -euo pipefail
packages=(libssl-dev libpcsclite-dev libsqlite3-dev libpq-dev libp11-kit-dev pkg-config python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6.0 or later is needed)" >&2; exit 1; }
