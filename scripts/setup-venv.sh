#!/usr/bin/env bash
# Creates the project-local Python venvs with the pinned build/test tools. Nothing at runtime
# needs Python: these are dbt (which writes manifest.json for the generator) and the warehouse
# emulators the tests run against.
#   .venv                     dbt, from requirements-dev.txt
#   .venv-emulators/<name>    one per test/emulators/<name>/requirements.txt, apart from dbt's
#                             venv because the emulators pin their own DuckDB; an optional
#                             test/emulators/<name>/setup.sh <venv> finishes the install.
# Idempotent: a venv is (re)installed only when its requirements (or setup.sh) changed since its
# last successful install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/install-venv.sh
source "$root/scripts/lib/install-venv.sh"

install_venv "$root/.venv" .venv "$root/requirements-dev.txt"
for requirements in "$root"/test/emulators/*/requirements.txt; do
  [[ -f "$requirements" ]] || continue
  folder="$(dirname "$requirements")"
  name="$(basename "$folder")"
  setup=""
  [[ -f "$folder/setup.sh" ]] && setup="$folder/setup.sh"
  install_venv "$root/.venv-emulators/$name" ".venv-emulators/$name" "$requirements" "$setup"
done
