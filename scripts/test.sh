#!/usr/bin/env bash
# The test command (`npm test`): installs and starts everything the tests need
# (scripts/prepare.sh), builds every package (the CLI runs its compiled output), typechecks every
# project, checks generated code is current, runs vitest, then the demo and a sync under Node 24.
# Prints how long each phase took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

phases=()
phase() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  phases+=("$(printf '%-34s %5ss' "$name" $((SECONDS - start)))")
}
report() {
  echo
  echo "Phase times:"
  for line in "${phases[@]}"; do echo "  $line"; done
}
trap report EXIT

export NX_DAEMON=false NX_NO_CLOUD=true
phase "prepare (packages, venvs, services)" bash scripts/prepare.sh
phase "build" npx nx run-many -t build --outputStyle=static
phase "typecheck" npx nx run-many -t typecheck --outputStyle=static
phase "generated code is current" npx ferry generate --check
phase "vitest" npx vitest run "$@"
