#!/usr/bin/env bash
# Starts the local services the tests need when they are down, with the machine's own start
# commands. Tests fail (never skip) when a service is missing, so this runs before them.
set -euo pipefail

pg_host="${FERRY_TEST_POSTGRES_HOST:-127.0.0.1}"
if ! pg_isready -q -h "$pg_host" -p 5432; then
  echo "ensure-services: PostgreSQL is down; starting it" >&2
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p 5432 && break; sleep 1; done
  pg_isready -h "$pg_host" -p 5432 >/dev/null || { echo "ensure-services: PostgreSQL did not start" >&2; exit 1; }
fi
