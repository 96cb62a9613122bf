#!/usr/bin/env bash
# What the tests and the benchmark need before they run, installed or started when missing:
#   1. npm packages (npm ci when node_modules is missing or older than package-lock.json)
#   2. the Python venvs: dbt, and the warehouse emulators (scripts/setup-venv.sh)
#   3. local services: PostgreSQL, OpenSSH's sshd (scripts/ensure-services.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-venv.sh
bash scripts/ensure-services.sh
