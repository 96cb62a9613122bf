#!/usr/bin/env bash
# `npm run bench`: installs and starts what the benchmark needs (scripts/prepare.sh, and dlt's venv
# for the dlt contestant), then runs bench/src/main.ts with the arguments given (--rows,
# --tenants, --runs, --seed, --scenarios).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/prepare.sh
bash scripts/setup-bench-venv.sh
exec npx tsx bench/src/main.ts "$@"
