#!/usr/bin/env bash
# bench/serve_load.sh — load test of `sigil catalog serve` with wrk, on loopback only and
# bounded in time: builds a catalog of RULES (default: SigmaHQ rules/ of ../shared/corpus),
# serves it on a free port, and runs wrk with THREADS threads and CONNS connections for SECONDS
# over a mix of paths (index, search data, rule pages, technique pages, assets, /api/search
# queries). Prints wrk's summary line; exits 1 when any request failed (socket error or a
# status other than 2xx/3xx).
# Usage: bench/serve_load.sh [SIGIL] [SECONDS] [CONNS] [THREADS] [RULES...]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
SIGIL=${1:-$SRC/build/sigil}
SECS=${2:-10}
CONNS=${3:-32}
THREADS=${4:-2}
shift $(($# < 4 ? $# : 4))
RULES=("$@")
[ ${#RULES[@]} -gt 0 ] || RULES=("${SIGIL_SHARED:-$SRC/../shared}/corpus/sigma/rules")
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/install-deps.sh test)"; exit 2; }
TMP=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
"$SIGIL" catalog build "${RULES[@]}" -o "$TMP/site" -q >/dev/null 2>&1
"$SIGIL" catalog serve "$TMP/site" --port 0 2>"$TMP/serve.err" &
SERVER=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.err")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start"; exit 1; }
# The path mix: every page kind, 200 rule pages, and searches.
(
  set +e +o pipefail
  cd "$TMP/site"
  echo /
  find . -maxdepth 2 -type f \( -name '*.js' -o -name '*.css' -o -name 'index.html' \) | sed 's|^\.||' | sort | head -20
  find rules -name '*.html' | sort | head -200 | sed 's|^|/|'
  find techniques events -name '*.html' 2>/dev/null | sort | head -50 | sed 's|^|/|'
  for q in psexec mimikatz powershell lsass T1059 'cmd.exe' rundll32 certutil '"<script>"' ''; do
    printf '/api/search?q=%s\n' "$(printf '%s' "$q" | od -An -tx1 | tr -d ' \n' | sed 's/\(..\)/%\1/g')"
  done
) >"$TMP/paths"
echo "serve_load: $(wc -l <"$TMP/paths") paths, $SECS s, $CONNS connections, $THREADS wrk threads, port $port"
WRK_PATHS=$TMP/paths wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency \
  -s "$SRC/bench/wrk/catalog_paths.lua" "http://127.0.0.1:$port" | tee "$TMP/wrk.out"
line=$(grep '^wrk-result' "$TMP/wrk.out")
kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: the server died under load"; exit 1; }
errors=$(echo "$line" | awk '{for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^(connect|read|write|timeout|status)$/) s += kv[2] } print s}')
echo "serve_load: errors=$errors"
[ "$errors" = 0 ]
