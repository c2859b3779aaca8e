#!/usr/bin/env bash
# tests/cli/catalog_browser.sh — the catalog site end to end in headless Chromium: build the
# PsExec rules, serve them, and run tests/browser/catalog_e2e.mjs (search "psexec", open the
# rule, check its sections, screenshot to ./catalog_browser.png in the working directory).
# Needs chromium and node (scripts/install-deps.sh test); skips when either is missing.
set -uo pipefail
SIGIL=$1
SRC=${SIGIL_SRC:?}
SHARED=${SIGIL_SHARED:-$SRC/../shared}
RULES=$SHARED/reference/psexec/rules/current
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -d "$RULES" ]; then echo "skip: no $RULES"; exit 0; fi
if [ ! -x "$CHROMIUM" ] || ! command -v node >/dev/null; then echo "skip: no chromium or node"; exit 0; fi
TMP=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
"$SIGIL" catalog build "$RULES" -o "$TMP/site" -q 2>/dev/null || { echo "FAIL: build"; exit 1; }
"$SIGIL" catalog serve "$TMP/site" --port 0 2>"$TMP/serve.err" &
SERVER=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.err")
  [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: server did not start"; exit 1; }
CHROMIUM=$CHROMIUM node "$SRC/tests/browser/catalog_e2e.mjs" \
  "http://127.0.0.1:$port" "$PWD/catalog_browser.png"
