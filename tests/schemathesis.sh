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
APP_DEMO_STUDENTS=300 DATABASE_URL="sqlite://$dir/dd.db?mode=rwc" \
  APP_REGISTRY_SIM__DATABASE_URL="sqlite://$dir/sim.db?mode=rwc" APP_BIND="127.0.0.1:$port" \
  APP_DATA_KEYS_FILE="$dir/keys" APP_INDEX_KEY_FILE="$dir/index-key" \
  target/debug/dinhdanh serve --demo >"$dir/log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done
token=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"demo-school","password":"demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" --checks all \
  -H "Authorization: Bearer $token" --max-examples "${SCHEMATHESIS_EXAMPLES:-10}" --workers 2 \
  --exclude-path /api/v1/auth/login --seed 12
