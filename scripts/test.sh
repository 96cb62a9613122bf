#!/usr/bin/env bash
# The test command (`npm test`): installs and starts everything the tests need
# (scripts/prepare.sh), lints and checks formatting (Biome, biome.json), builds every package (the CLI runs its compiled output), typechecks every
# project, checks generated code is current, runs vitest, then the demo (two syncs) under Node 22 and 24.
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
phase "lint and format (biome check)" npx biome check .
phase "build" npx nx run-many -t build --outputStyle=static
phase "typecheck" npx nx run-many -t typecheck --outputStyle=static
phase "generated code is current" npx ferry generate --check
# Unit tests first (no service, about a minute): a broken build of the logic fails fast.
phase "vitest unit" npx vitest run --project unit --passWithNoTests "$@"
phase "vitest integration" npx vitest run --project integration --passWithNoTests "$@"

# Node 20 is past end of life and users run 22 and 24: the whole demo loop (build a source, two
# syncs, verify) runs again under each, from the npm package `node`, which ships the binary.
demo_on_node() {
  local major=$1 prefix=.cache/node$1
  if [[ ! -x $prefix/node_modules/node/bin/node ]]; then
    mkdir -p "$prefix"
    npm install --no-audit --no-fund --no-save --prefix "$prefix" "node@$major" > "$prefix/install.log" 2>&1 || {
      cat "$prefix/install.log"
      return 1
    }
  fi
  local node=$prefix/node_modules/node/bin/node dir
  dir=$(mktemp -d)
  "$node" apps/cli/bin/ferry.js demo --dir "$dir/demo" --messages 300 > "$dir/demo.log" 2>&1 || {
    cat "$dir/demo.log"
    return 1
  }
  grep -q "every destination equals its tenant's slice" "$dir/demo.log"
  echo "ferry demo passed on Node $("$node" --version)"
  serve_on_node "$node" "$dir"
  rm -rf "$dir"
}

# ferry serve on the demo's workspace: it starts, answers /readyz and serves its OpenAPI document.
serve_on_node() {
  local node=$1 dir=$2 pid url=
  "$node" apps/cli/bin/ferry.js serve -c "$dir/demo/ferry.yaml" --port 0 --no-scheduler > "$dir/serve.out" 2> "$dir/serve.err" &
  pid=$!
  for _ in $(seq 1 60); do
    url=$(sed -n 's/^ferry serve listening on \(http:[^ ]*\) .*/\1/p' "$dir/serve.out")
    [[ -n $url ]] && break
    sleep 0.5
  done
  if [[ -z $url ]] || ! curl -fsS "$url/readyz" > /dev/null || ! curl -fsS "$url/openapi.json" | grep -q '"openapi":"3.1.0"'; then
    kill "$pid" 2> /dev/null || true
    cat "$dir/serve.out" "$dir/serve.err"
    return 1
  fi
  kill -TERM "$pid" && wait "$pid"
  echo "ferry serve answered on Node $("$node" --version)"
}
phase "demo and serve on Node 22" demo_on_node 22
phase "demo and serve on Node 24" demo_on_node 24
