# Sourced by scripts/setup-venv.sh and scripts/setup-bench-venv.sh: installs one project-local
# Python venv from a pinned requirements file.
#
# install_venv <venv> <label> <requirements> [setup script]
#   (Re)creates <venv> and installs <requirements> into it, then runs `bash <setup script> <venv>`
#   when one is given. Idempotent: <venv>/.ferry-install.sha256 holds the sha256 of the
#   requirements (and setup script) of the last install that finished, and the venv is left alone
#   while they are unchanged. The interpreter is $FERRY_PYTHON, python3 by default. Messages are
#   prefixed with the calling script's name.
install_venv() {
  local venv="$1" label="$2" requirements="$3" setup="${4:-}"
  local python="${FERRY_PYTHON:-python3}" me
  me="$(basename "$0" .sh)"
  local stamp="$venv/.ferry-install.sha256" want
  want="$(cat "$requirements" ${setup:+"$setup"} | sha256sum | cut -d' ' -f1)"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  if ! command -v "$python" >/dev/null; then
    echo "$me: $python not found; install Python 3.10+ or set FERRY_PYTHON" >&2
    exit 1
  fi
  echo "$me: installing $(grep -cv '^#' "$requirements") pinned packages into $label" >&2
  rm -f "$stamp"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  if [[ -n "$setup" ]]; then bash "$setup" "$venv"; fi
  echo "$want" > "$stamp"
}
