#!/usr/bin/env bash
# The test command (`npm test`): installs and starts everything the tests need, then runs them.
#   1. npm packages (npm ci when node_modules is missing or older than package-lock.json)
#   2. the Python venv with the pinned dbt (scripts/setup-venv.sh)
#   3. local services (scripts/ensure-services.sh)
#   4. typecheck every project, check generated code is current, run vitest
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-venv.sh
bash scripts/ensure-services.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
npx nx run-many -t typecheck --outputStyle=static
npx ferry generate --check
npx vitest run "$@"
