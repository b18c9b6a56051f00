#!/usr/bin/env bash
# Install Debian packages whose command is missing: apt-ensure.sh COMMAND:PACKAGE ...
# (apt-get update once, then apt-get install -y; sudo when not root). Quiet on stdout.
set -euo pipefail
missing=()
for pair in "$@"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/lib/postgresql/$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)/bin/${pair%%:*}" ] \
    || missing+=("${pair##*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "==> apt-get install ${missing[*]}" >&2
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq "${missing[@]}" >&2
