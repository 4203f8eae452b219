#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 (trust auth, user postgres):
# starts the Debian cluster if it is down, installs it if missing.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "== installing PostgreSQL (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  sed -i 's/^\(host\|local\)\(.*\)\(md5\|scram-sha-256\|peer\)$/\1\2trust/' "/etc/postgresql/$ver/main/pg_hba.conf"
fi

if ! ready; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready && echo "== PostgreSQL is up on 127.0.0.1:5432" || { echo "PostgreSQL did not start" >&2; exit 1; }
