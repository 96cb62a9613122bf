#!/usr/bin/env bash
# `npm run bench`: installs and starts what the benchmark needs (scripts/prepare.sh), then runs
# bench/src/main.ts with the arguments given (--rows, --tenants, --runs, --seed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/prepare.sh
exec npx tsx bench/src/main.ts "$@"
