#!/usr/bin/env bash
# Creates .venv-bench, the Python venv of the benchmark's dlt contestant (bench/dlt/load.py), from
# bench/dlt/requirements.txt. Apart from .venv because dlt's dependencies are not dbt's.
# Idempotent: reinstalled only when the requirements changed since the last successful install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/install-venv.sh
source "$root/scripts/lib/install-venv.sh"

install_venv "$root/.venv-bench" .venv-bench "$root/bench/dlt/requirements.txt"
