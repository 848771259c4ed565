#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine of this kind: PostgreSQL 15 server
# binaries (initdb/pg_ctl/postgres), OpenSSL and Debian's Chromium for the dashboard tests.
# Idempotent: does nothing when everything is present. Never downloads a browser build.
set -euo pipefail

need=()
have_pg() { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_pg || need+=(postgresql)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)

if ((${#need[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${need[*]}; install them (e.g. sudo apt-get install ${need[*]}) and run again" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# initdb/postgres refuse root; the embedded launcher runs them as this account when we are root.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
fi
