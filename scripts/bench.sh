#!/usr/bin/env bash
# `npm run bench`: installs and starts what the benchmark needs (scripts/prepare.sh, and dlt's venv
# for the dlt contestant), then runs bench/src/main.ts with the arguments given (--rows,
# --tenants, --runs, --seed, --scenarios, --without, --warm-up).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# --help needs nothing installed or started.
for arg in "$@"; do
  if [[ "$arg" == "--help" || "$arg" == "-h" ]]; then
    exec npx --no-install tsx --conditions=@ferry/source bench/src/main.ts --help
  fi
done

bash scripts/prepare.sh
bash scripts/setup-bench-venv.sh
# The benchmark runs the CLI's compiled output, as a vendor would.
NX_DAEMON=false npx nx run-many -t build --outputStyle=static >/dev/null
# The benchmark itself is a dev tool in TypeScript, run by tsx (a dev dependency of bench/ only),
# reading Ferry's sources and the test harness as the tests do (the @ferry/source condition).
exec npx --no-install tsx --conditions=@ferry/source bench/src/main.ts "$@"
