#!/usr/bin/env bash
# Finishes the bqemulator venv (run by scripts/setup-venv.sh with the venv's path): installs the
# DuckDB extensions the emulator loads at startup from the pinned packages into a HOME kept
# inside the venv, so the emulator never tries to download them. The harness starts the emulator
# with HOME=<venv>/home.
set -euo pipefail
venv="$1"
home="$venv/home"
mkdir -p "$home"
HOME="$home" "$venv/bin/python" - <<'PY'
import glob, os, duckdb
import duckdb_extension_avro, duckdb_extension_spatial
for package in (duckdb_extension_spatial, duckdb_extension_avro):
    folder = os.path.dirname(package.__file__)
    [path] = glob.glob(os.path.join(folder, "extensions", f"v{duckdb.__version__}", "*.duckdb_extension"))
    duckdb.sql(f"INSTALL '{path}'")
PY
