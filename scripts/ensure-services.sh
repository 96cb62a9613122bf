#!/usr/bin/env bash
# Starts the local services the tests need when they are down, with the machine's own start
# commands. Tests fail (never skip) when a service is missing, so this runs before them.
set -euo pipefail

pg_host="${FERRY_TEST_POSTGRES_HOST:-127.0.0.1}"
if ! pg_isready -q -h "$pg_host" -p 5432; then
  echo "ensure-services: PostgreSQL is down; starting it" >&2
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p 5432 && break; sleep 1; done
  pg_isready -h "$pg_host" -p 5432 >/dev/null || { echo "ensure-services: PostgreSQL did not start" >&2; exit 1; }
fi

# Installs Debian packages quietly, printing apt-get's output only when it fails.
apt_install() {
  local log
  log="$(mktemp)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "ensure-services: could not install $* (apt-get failed, output above)" >&2
    exit 1
  fi
  rm -f "$log"
}

# Debian's Chromium, for the browser tests of ferry serve's pages (driven by playwright-core).
if [[ ! -x /usr/bin/chromium ]]; then
  echo "ensure-services: installing chromium" >&2
  apt_install chromium
fi

# OpenSSH's server, for the SSH-tunnel tests: each test starts its own sshd on a loopback port with
# its own config (test/src/harness/sshd.ts), so only the binary is installed, never a running service.
if [[ ! -x /usr/sbin/sshd ]]; then
  echo "ensure-services: installing openssh-server" >&2
  # A policy-rc.d that denies every start keeps the package from starting a system-wide sshd on
  # port 22 on machines with an init system; one the machine already has is left alone.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt_install openssh-server
fi
# sshd refuses to start without its privilege-separation directory, which only its service creates.
mkdir -p -m 0755 /run/sshd
