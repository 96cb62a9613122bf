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
python="${FERRY_PYTHON:-python3}"

# install_venv <venv> <label> <requirements> [setup script]
install_venv() {
  local venv="$1" label="$2" requirements="$3" setup="${4:-}"
  local stamp="$venv/.ferry-install.sha256" want
  want="$(cat "$requirements" ${setup:+"$setup"} | sha256sum | cut -d' ' -f1)"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  if ! command -v "$python" >/dev/null; then
    echo "setup-venv: $python not found; install Python 3.10+ or set FERRY_PYTHON" >&2
    exit 1
  fi
  echo "setup-venv: installing $(grep -cv '^#' "$requirements") pinned packages into $label" >&2
  rm -f "$stamp"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  if [[ -n "$setup" ]]; then bash "$setup" "$venv"; fi
  echo "$want" > "$stamp"
}

install_venv "$root/.venv" .venv "$root/requirements-dev.txt"
for requirements in "$root"/test/emulators/*/requirements.txt; do
  [[ -f "$requirements" ]] || continue
  folder="$(dirname "$requirements")"
  name="$(basename "$folder")"
  setup=""
  [[ -f "$folder/setup.sh" ]] && setup="$folder/setup.sh"
  install_venv "$root/.venv-emulators/$name" ".venv-emulators/$name" "$requirements" "$setup"
done
