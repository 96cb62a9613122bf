#!/usr/bin/env bash
# Creates the project-local Python venv (.venv) with the pinned build/test tools
# (dbt and, later, the warehouse emulators). Idempotent: re-installs only when
# requirements-dev.txt changed since the last successful install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.requirements-dev.sha256"
want="$(sha256sum "$root/requirements-dev.txt" | cut -d' ' -f1)"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

python="${FERRY_PYTHON:-python3}"
if ! command -v "$python" >/dev/null; then
  echo "setup-venv: $python not found; install Python 3.10+ or set FERRY_PYTHON" >&2
  exit 1
fi
echo "setup-venv: installing $(grep -cv '^#' "$root/requirements-dev.txt") pinned packages into .venv" >&2
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/requirements-dev.txt"
echo "$want" > "$stamp"
