#!/usr/bin/env bash
# `npm run bench`: installs what the benchmark needs (npm packages, the dbt venv), starts Postgres
# when it is down, then runs bench/src/main.ts with the arguments given (--rows, --tenants, --runs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-venv.sh
bash scripts/ensure-services.sh
exec npx tsx bench/src/main.ts "$@"
