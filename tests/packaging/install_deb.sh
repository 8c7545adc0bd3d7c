#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The .deb, installed into a temporary folder (dpkg-deb -x, no root) and run from
# there (ctest label "packaging"). It checks the control data (fields, Depends from
# dpkg-shlibdeps, conffiles, maintainer scripts), the files (binary, plugins, .qm,
# systemd unit, /etc/aldis/aldis.toml), verifies the unit with systemd-analyze when
# it is there, then starts `<root>/usr/bin/aldis --daemon --config
# <root>/etc/aldis/aldis.toml` on free ports with a data folder of its own, checks
# /ready, /health, /metrics and the admin API, makes a WebSocket + POST /v1/publish
# round trip (ws_round_trip.py), and sends SIGTERM: the client must be drained with
# 4007 and the node must exit 0. A GUI build also opens the control room offscreen
# from the installed files and checks that it loads the heat map plugin from
# <root>/usr/lib/aldis/plugins.
#
# Usage: install_deb.sh DEB BUILT_BINARY VERSION gui|headless
# DEB is made by cpack (scripts/test runs it after the build). The test fails when
# DEB is missing or older than BUILT_BINARY (the aldis the build made): run
#   cpack --config build/ci/CPackConfig.cmake
set -euo pipefail
deb="$1"
built="$2"
version="$3"
flavour="$4"
here="$(cd "$(dirname "$0")" && pwd)"

fail() {
  echo "install_deb: $*" >&2
  exit 1
}
step() { echo "-- $*"; }

[ -f "$deb" ] || fail "no package at $deb; build it with: cpack --config $(dirname "$(dirname "$deb")")/CPackConfig.cmake"
[ "$deb" -nt "$built" ] || fail "$deb is older than $built: the package is stale; run cpack again"
for tool in dpkg-deb curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/bootstrap installs it)"
done

work="$(mktemp -d /tmp/aldis-install-deb.XXXXXX)"
daemon=""
cleanup() {
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then kill -KILL "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
root="$work/root"

# --- control data --------------------------------------------------------------
step "control fields"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = aldis ] || fail "Package is '$(field Package)', not aldis"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', not $version"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
[ "$(basename "$deb")" = "aldis_${version}_$(dpkg --print-architecture).deb" ] || fail "file name $(basename "$deb")"
for f in Maintainer Section Priority Description; do
  [ -n "$(field "$f")" ] || fail "the control field $f is empty"
done
depends="$(field Depends)"
# dpkg-shlibdeps ran: the libraries the binary links are there, with versions.
for lib in libc6 libssl3 libsqlite3-0 librdkafka1 libpq5; do
  grep -Eq "(^|, )$lib( \(|,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
if [ "$flavour" = gui ]; then
  grep -q "libqt6widgets6" <<<"$depends" || fail "Depends lacks libqt6widgets6 (GUI build): $depends"
fi

mkdir "$work/control"
dpkg-deb --control "$deb" "$work/control"
grep -qx "/etc/aldis/aldis.toml" "$work/control/conffiles" || fail "/etc/aldis/aldis.toml is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "the maintainer script $script is missing or not executable"
  sh -n "$work/control/$script" || fail "$script is not valid sh"
done
grep -q "useradd --system" "$work/control/postinst" || fail "postinst does not create the aldis system user"
grep -q "ischroot" "$work/control/postinst" || fail "postinst does not check for a chroot before starting the unit"

step "contents"
dpkg-deb --contents "$deb" > "$work/contents"
while read -r path; do
  case "$path" in
    ./etc/aldis/*|./lib/systemd/system/*|./usr/bin/*|./usr/lib/aldis/*|./usr/lib/cmake/AldisPlugin/*) ;;
    ./usr/include/aldis/*|./usr/share/aldis/*|./usr/share/doc/aldis/*) ;;
    */) ;;  # directories on the way
    *) fail "unexpected file in the package: $path" ;;
  esac
done < <(awk '{print $6}' "$work/contents")

dpkg-deb -x "$deb" "$root"
expect() { [ -e "$root/$1" ] || fail "the package has no /$1"; }
expect usr/bin/aldis
[ -x "$root/usr/bin/aldis" ] || fail "/usr/bin/aldis is not executable"
expect etc/aldis/aldis.toml
expect lib/systemd/system/aldis.service
expect usr/share/doc/aldis/copyright
if [ "$flavour" = gui ]; then
  expect usr/lib/aldis/plugins/libaldis_heatmap.so
  for lang in de ja en; do
    qm="$root/usr/share/aldis/translations/aldis_$lang.qm"
    [ -s "$qm" ] || fail "the package has no /usr/share/aldis/translations/aldis_$lang.qm"
    # The .qm magic number (QTranslator refuses a file without it).
    [ "$(head -c 16 "$qm" | od -An -tx1 | tr -d ' \n')" = 3cb86418caef9c95cd211cbf60a1bddd ] \
      || fail "$qm is not a compiled Qt translation"
  done
  expect usr/include/aldis/panel_plugin.h
  expect usr/lib/cmake/AldisPlugin/AldisPluginConfig.cmake
fi
"$root/usr/bin/aldis" --version | grep -qx "aldis $version" || fail "aldis --version does not print 'aldis $version'"

# --- configuration and unit -----------------------------------------------------
step "configuration and unit"
conf="$root/etc/aldis/aldis.toml"
grep -qx 'data_dir = "/var/lib/aldis"' "$conf" || fail "/etc/aldis/aldis.toml does not set data_dir = \"/var/lib/aldis\""
# The store follows data_dir; nothing is created by the check (it runs without root).
check="$(env -i PATH="$PATH" HOME="$work/home" "$root/usr/bin/aldis" --check-config --config "$conf")" \
  || fail "--check-config refuses the installed configuration"
grep -q "store sqlite at /var/lib/aldis/aldis.db" <<<"$check" || fail "the installed configuration does not put the store in /var/lib/aldis: $check"

unit="$root/lib/systemd/system/aldis.service"
# shellcheck disable=SC2016 # $MAINPID is for systemd, not for this shell
for line in "Type=simple" "User=aldis" "ExecStart=/usr/bin/aldis --daemon --config /etc/aldis/aldis.toml" \
            'ExecReload=/bin/kill -HUP $MAINPID' "KillSignal=SIGTERM" "Restart=on-failure" "StateDirectory=aldis" \
            "ReadWritePaths=/var/lib/aldis" "ProtectSystem=strict" "NoNewPrivileges=yes" \
            "SystemCallFilter=@system-service" "CapabilityBoundingSet=" "MemoryDenyWriteExecute=yes" \
            "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"; do
  grep -qxF "$line" "$unit" || fail "the unit lacks the line: $line"
done
# The stop timeout must outlast the drain: node.drain_timeout, plus 2 s for the last
# close frames and the store's final commit.
python3 - "$unit" "$conf" <<'PY' || fail "TimeoutStopSec does not outlast node.drain_timeout"
import re, sys
unit, conf = open(sys.argv[1]).read(), open(sys.argv[2]).read()
stop = re.search(r"^TimeoutStopSec=(\d+)s?$", unit, re.M)
drain = re.search(r'^drain_timeout\s*=\s*"(\d+)(ms|s|m)"', conf, re.M)
if not stop or not drain:
    sys.exit("TimeoutStopSec or node.drain_timeout not found")
drain_s = int(drain.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[drain.group(2)]
if int(stop.group(1)) < drain_s + 5:
    sys.exit(f"TimeoutStopSec={stop.group(1)} but drain_timeout is {drain_s}s")
PY
if command -v systemd-analyze >/dev/null; then
  # verify checks that ExecStart's binary exists: point it at the extracted one.
  mkdir "$work/unit"
  sed "s|/usr/bin/aldis|$root/usr/bin/aldis|g" "$unit" > "$work/unit/aldis.service"
  # It exits 0 on settings it ignores (a bad value, an unknown key) and only says so:
  # any message about the unit fails the test.
  verify_rc=0
  verify="$(systemd-analyze verify --man=no "$work/unit/aldis.service" 2>&1)" || verify_rc=$?
  if [ "$verify_rc" -ne 0 ] || grep -q "aldis.service" <<<"$verify"; then
    echo "$verify" >&2
    fail "systemd-analyze verify refuses the unit (above)"
  fi
  echo "systemd-analyze verify: OK"
else
  echo "systemd-analyze is not installed: the unit is checked line by line only"
fi

# --- the node from the installed files -----------------------------------------
step "daemon from the installed files"
api_key="packaging-test-api-key-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
admin_token="packaging-test-admin-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
# A clean environment: nothing of the caller's ALDIS_* leaks in. Free ports (0) and a
# data folder of the test's own; everything else comes from the installed file.
node_env=(env -i PATH="$PATH" HOME="$work/home" LANG=C.UTF-8
  ALDIS_NODE_DATA_DIR="$work/data" ALDIS_NODE_LOG_FORMAT=text
  ALDIS_CLIENT_ADDRESS=127.0.0.1 ALDIS_CLIENT_PORT=0 ALDIS_ADMIN_ADDRESS=127.0.0.1 ALDIS_ADMIN_PORT=0
  ALDIS_AUTH_API_KEYS="$api_key" ALDIS_AUTH_HS256_SECRET="$secret" ALDIS_ADMIN_TOKEN="$admin_token")
"${node_env[@]}" "$root/usr/bin/aldis" --daemon --config "$conf" > "$work/daemon.out" 2> "$work/daemon.err" &
daemon=$!

# port_of PATTERN: the port at the end of the first stdout line matching PATTERN.
port_of() {
  for _ in $(seq 1 100); do
    line="$(grep -Eo "$1" "$work/daemon.out" | head -n 1 || true)"
    if [ -n "$line" ]; then echo "${line##*:}"; return; fi
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.1
  done
  echo "install_deb: the daemon did not start; stdout:" >&2; cat "$work/daemon.out" >&2
  echo "stderr:" >&2; cat "$work/daemon.err" >&2
  exit 1
}
port="$(port_of 'aldis: listening on 127\.0\.0\.1:[0-9]+')"
admin_port="$(port_of 'aldis: admin on 127\.0\.0\.1:[0-9]+')"
base="http://127.0.0.1:$port"
echo "client port $port, admin port $admin_port"

ready=""
for _ in $(seq 1 50); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/ready")" = 200 ]; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || fail "/ready did not answer 200 within 5 s"
curl -sf "$base/ready" | grep -q '"ready"' || fail "/ready does not say ready"
curl -sf "$base/health" | grep -q '"ok"' || fail "/health does not answer ok"
curl -sf "$base/metrics" > "$work/metrics" || fail "/metrics failed"
grep -q "^# TYPE aldis_connections gauge" "$work/metrics" || fail "/metrics has no aldis_connections gauge"
grep -q "^aldis_publications_total 0" "$work/metrics" || fail "/metrics has no aldis_publications_total"
node="$(curl -sf -H "Authorization: Bearer $admin_token" "http://127.0.0.1:$admin_port/v1/admin/node")" \
  || fail "the admin API refused GET /v1/admin/node"
grep -q "\"path\":\"$work/data/aldis.db\"" <<<"$node" || fail "the store is not in the data folder: $node"
[ -f "$work/data/aldis.db" ] || fail "no SQLite store in $work/data"

step "WebSocket round trip and drain"
token="$("${node_env[@]}" "$root/usr/bin/aldis" token --sub packaging-test --config "$conf")" \
  || fail "aldis token failed with the installed configuration"
python3 "$here/ws_round_trip.py" 127.0.0.1 "$port" "$token" "$api_key" "$daemon" \
  || { cat "$work/daemon.err" >&2; fail "the WebSocket round trip or the drain failed (the node's log is above)"; }
rc=0
for _ in $(seq 1 150); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
kill -0 "$daemon" 2>/dev/null && fail "the daemon did not exit within 15 s of SIGTERM"
wait "$daemon" || rc=$?
daemon=""
[ "$rc" -eq 0 ] || { cat "$work/daemon.err" >&2; fail "the daemon exited with $rc after SIGTERM, not 0"; }
grep -q "drained 1 clients; exiting" "$work/daemon.err" || { cat "$work/daemon.err" >&2; fail "no drain in the log"; }
echo "the daemon drained and exited 0"

# --- the control room finds the installed plugins -------------------------------
if [ "$flavour" = gui ]; then
  step "control room from the installed files (offscreen)"
  # Qt logs every library it loads (qt.core.library); the plugin manager searches
  # <bin>/../lib/aldis/plugins, so the heat map must come from the extracted tree.
  "${node_env[@]}" QT_QPA_PLATFORM=offscreen XDG_DATA_HOME="$work/xdg" XDG_CONFIG_HOME="$work/xdg-config" \
    XDG_RUNTIME_DIR="$work/runtime" QT_LOGGING_RULES="qt.core.library.debug=true" \
    "$root/usr/bin/aldis" --config "$conf" > "$work/gui.out" 2> "$work/gui.err" &
  daemon=$!
  loaded=""
  for _ in $(seq 1 150); do
    if grep -qF "\"$root/usr/lib/aldis/plugins/libaldis_heatmap.so\" loaded library" "$work/gui.err"; then loaded=1; break; fi
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  daemon=""
  [ -n "$loaded" ] || { tail -n 40 "$work/gui.err" >&2; fail "the control room did not load $root/usr/lib/aldis/plugins/libaldis_heatmap.so"; }
  echo "the control room loaded the heat map plugin from the installed tree"
fi
echo "install_deb: OK"
