#!/usr/bin/env bash
# The test command (`npm test`): installs and starts everything the tests need
# (scripts/prepare.sh), then typechecks every project, checks generated code is current and runs
# vitest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/prepare.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
npx nx run-many -t typecheck --outputStyle=static
npx ferry generate --check
npx vitest run "$@"
