#!/usr/bin/env bash
# `make schemathesis` (part of `make test`): schemathesis (PyPI, pinned, in a venv under
# target/) with all its checks on every operation against a demo server on a fresh SQLite file,
# as the school account (tests/schemathesis_hooks.py signs in). Settings and the few widened
# expectations, each with its reason: tests/schemathesis.toml. Exits non-zero on any finding.
# SCHEMATHESIS_EXAMPLES (default 10) sets the cases per operation; the seed is fixed and one
# worker sends the cases in one order, so a run is the same run each time.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.32.5
venv=target/schemathesis-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $version"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
fi
cargo build -q --bin dinhdanh
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# the hooks sign in through a "proxy" address of their own (X-Forwarded-For, trusted from the
# loopback): the sign-in failures schemathesis makes on purpose slow down its own address only
APP_TRUSTED_PROXIES='["127.0.0.1"]' APP_DEMO_STUDENTS=300 DATABASE_URL="sqlite://$dir/dd.db?mode=rwc" \
  APP_REGISTRY_SIM__DATABASE_URL="sqlite://$dir/sim.db?mode=rwc" APP_BIND="127.0.0.1:$port" \
  APP_DATA_KEYS_FILE="$dir/keys" APP_INDEX_KEY_FILE="$dir/index-key" \
  target/debug/dinhdanh serve --demo >"$dir/log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
up=
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$port/health" >/dev/null; then up=1; break; fi
  kill -0 $server 2>/dev/null || break
  sleep 1
done
if [ -z "$up" ]; then
  echo "schemathesis: the demo server did not start; its log:" >&2
  tail -n 40 "$dir/log" >&2
  exit 1
fi
status=0
DD_BASE_URL="http://127.0.0.1:$port" DD_USERNAME=demo-school DD_PASSWORD=demo \
  PYTHONPATH=tests SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$venv/bin/schemathesis" --config-file tests/schemathesis.toml \
  run "http://127.0.0.1:$port/api/openapi.json" --checks all \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-10}" --workers 1 --no-color "$@" || status=$?
if [ $status -ne 0 ]; then
  echo "schemathesis: findings or errors above (exit $status); the server's last log lines:" >&2
  tail -n 20 "$dir/log" >&2
fi
exit $status
