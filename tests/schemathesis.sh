#!/usr/bin/env bash
# `make schemathesis`: schemathesis (PyPI, in a venv under target/) with all its checks against a
# demo server on a fresh SQLite file, as the school account; prints the findings and exits
# non-zero when there are any. SCHEMATHESIS_EXAMPLES (default 10) sets the cases per operation.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q schemathesis
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
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done
# the hooks sign in (a token of its own for each logout case, which ends the token it is sent with)
DD_BASE_URL="http://127.0.0.1:$port" DD_USERNAME=demo-school DD_PASSWORD=demo \
  PYTHONPATH=tests SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$venv/bin/schemathesis" --config-file tests/schemathesis.toml \
  run "http://127.0.0.1:$port/api/openapi.json" --checks all \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-10}" --workers 2 "$@"
