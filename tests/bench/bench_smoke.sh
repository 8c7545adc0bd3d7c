#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Smoke test of aldis-bench (ctest label "bench"): every scenario, very briefly, against
# a daemon of its own (port 0, SQLite in a temp dir) or, for the peer's scenarios, a
# nats-server of its own. It checks that each run exits 0 and prints a JSON line with
# the right "scenario" and non-zero counts where there must be some. No timing is
# asserted: the figures belong to scripts/bench, not to a test.
#
# Usage: bench_smoke.sh aldis|nats ALDIS_BINARY ALDIS_BENCH_BINARY
# The nats part exits 77 (ctest's SKIP_RETURN_CODE) when nats-server is not on PATH,
# unless ALDIS_REQUIRE_SERVICES=1, when that is a failure.
set -euo pipefail
part="$1"
aldis="$2"
bench="$3"

work="$(mktemp -d /tmp/aldis-bench-smoke.XXXXXX)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "bench smoke ($part): $*" >&2
  exit 1
}

# wait_for FILE PATTERN: prints the port at the end of the first match of the
# extended regex PATTERN (ending in :PORT) in FILE, within 10 s.
wait_for() {
  for _ in $(seq 1 100); do
    line="$(grep -Eo "$2" "$1" | head -n 1 || true)"
    if [ -n "$line" ]; then echo "${line##*:}"; return; fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench smoke ($part): the server did not start; its output:" >&2
  cat "$1" >&2
  exit 1
}

# run NAME CHECKS -- ARGS...: runs aldis-bench ARGS; its last JSON line must have
# "scenario" equal to the first word of ARGS and each field of CHECKS (a dotted path,
# e.g. latency.count) above zero; "field=value" asks for an exact value instead.
run() {
  local name="$1"; shift
  local checks=()
  while [ "$1" != "--" ]; do checks+=("$1"); shift; done
  shift
  local out="$work/$name.out"
  echo "-- $name (at ${SECONDS}s): aldis-bench $*"
  local rc=0
  "$bench" "$@" > "$out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$out" >&2
    fail "$name: aldis-bench exited with $rc (its output is above)"
  fi
  local json
  json="$(grep '^{' "$out" | tail -n 1 || true)"
  [ -n "$json" ] || { cat "$out" >&2; fail "$name: no JSON line in the output (above)"; }
  if ! python3 - "$1" "$json" "${checks[@]}" <<'PY'
import json, sys
scenario, line, checks = sys.argv[1], sys.argv[2], sys.argv[3:]
result = json.loads(line)
problems = []
if result.get("scenario") != scenario:
    problems.append(f'"scenario" is {result.get("scenario")!r}, not {scenario!r}')
for check in checks:
    path, _, wanted = check.partition("=")
    value = result
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if wanted:
        if str(value).lower() != wanted:
            problems.append(f"{path} is {value!r}, not {wanted}")
    elif not isinstance(value, (int, float)) or value <= 0:
        problems.append(f"{path} is {value!r}, not above 0")
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
  then
    cat "$out" >&2
    fail "$name: the JSON line does not hold what it should (see above)"
  fi
}

quick=(--duration 1.5 --warmup 0.5)

if [ "$part" = aldis ]; then
  secret="bench-smoke-secret-bench-smoke-secret-0123"
  cat > "$work/aldis.toml" <<TOML
[node]
id = "bench-smoke"
data_dir = "$work/data"
log_level = "warn"
threads = 1
[client]
address = "127.0.0.1"
port = 0
rate_limit = 1000000
rate_burst = 1000000
[admin]
port = 0
token = "bench-smoke-admin-token-0123456789"
[auth]
[[auth.keys]]
id = "bench"
algorithms = ["HS256"]
secret = "$secret"
[namespaces.default]
durable = false
[namespaces.d]
durable = true
TOML
  mkdir -p "$work/data"
  "$aldis" --daemon --config "$work/aldis.toml" > "$work/aldis.out" 2>&1 &
  server=$!
  port="$(wait_for "$work/aldis.out" 'aldis: listening on [0-9.]+:[0-9]+')"
  url="ws://127.0.0.1:$port/v1/ws"
  a=(--peer aldis --url "$url" --secret "$secret")

  run connect connected handshake.count connect.count failed=0 -- connect "${a[@]}" --rate 200 --duration 1 --warmup 0
  run idle connections open_at_end -- idle "${a[@]}" --connections 200 --connect-rate 2000 --duration 1
  run fanout delivered latency.count ack.count -- fanout "${a[@]}" --subscribers 10 --rate 500 "${quick[@]}"
  run sweep delivered latency.count -- fanout "${a[@]}" --subscribers 10 --rate 200,400 "${quick[@]}"
  run channels delivered latency.count -- channels "${a[@]}" --subscribers 50 --channels 100 --rate 500 "${quick[@]}"
  run durable delivered latency.count ack.count -- durable "${a[@]}" --subscribers 10 --rate 200 "${quick[@]}"
  run appends acked ack.count -- appends "${a[@]}" --publishers 2 --window 16 "${quick[@]}"
  run crossnode delivered latency.count -- crossnode "${a[@]}" --publish-url "$url" --rate 200 "${quick[@]}"
  run store appends_per_s append.count errors=0 -- store --count 2000 --store-path "$work/store.db"
  run disk syncs_per_s sync.count -- disk --duration 1 --store-path "$work"
  echo "bench smoke (aldis): every scenario ran"
elif [ "$part" = nats ]; then
  if ! command -v nats-server > /dev/null; then
    if [ "${ALDIS_REQUIRE_SERVICES:-0}" = 1 ]; then
      fail "nats-server is not on PATH and ALDIS_REQUIRE_SERVICES=1 (scripts/bootstrap installs it)"
    fi
    echo "bench smoke (nats): nats-server is not on PATH, skipping the peer's scenarios (scripts/bootstrap installs it)"
    exit 77
  fi
  cat > "$work/nats.conf" <<CONF
listen: 127.0.0.1:-1
websocket {
  listen: "127.0.0.1:-1"
  no_tls: true
  compression: false
}
CONF
  nats-server -c "$work/nats.conf" > "$work/nats.out" 2>&1 &
  server=$!
  port="$(wait_for "$work/nats.out" 'websocket clients on ws://[0-9.]+:[0-9]+')"
  wait_for "$work/nats.out" 'Server is ready' > /dev/null
  n=(--peer nats --url "ws://127.0.0.1:$port/")

  run connect connected handshake.count connect.count failed=0 -- connect "${n[@]}" --rate 200 --duration 1 --warmup 0
  run idle connections open_at_end -- idle "${n[@]}" --connections 200 --connect-rate 2000 --duration 1
  run fanout delivered latency.count -- fanout "${n[@]}" --subscribers 10 --rate 500 "${quick[@]}"
  run channels delivered latency.count -- channels "${n[@]}" --subscribers 50 --channels 100 --rate 500 "${quick[@]}"
  echo "bench smoke (nats): every scenario ran"
else
  fail "the first argument is aldis or nats, not \"$part\""
fi
