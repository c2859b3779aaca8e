#!/usr/bin/env bash
# tests/cli/catalog_xss.sh — a catalog built from rules whose every text field carries script
# (title, description, author, references, false positives, field names, values; a Splunk
# detection with script in its name and search) is served and checked in headless Chromium by
# tests/browser/catalog_xss.mjs: nothing of it runs. Also checks the server's content types.
# Needs chromium and node (scripts/install-deps.sh test); skips when either is missing.
set -uo pipefail
SIGIL=$1
SRC=${SIGIL_SRC:?}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] || ! command -v node >/dev/null; then echo "skip: no chromium or node"; exit 0; fi
TMP=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$TMP/rules/sigma" "$TMP/rules/security_content/detections/endpoint"
cat >"$TMP/rules/sigma/xss.yml" <<'YAML'
title: XSS <script>window.__xss=1</script> title
id: 0b5a7c1e-3f52-4d8e-9c61-2a7f0e9b4d11
status: test
description: '</script><script>window.__xss=2</script><img src=x onerror="window.__xss=3">'
author: '"><svg onload=window.__xss=4>'
references:
  - javascript:window.__xss=5
  - https://example.com/"onmouseover="window.__xss=6
date: 2026-11-22
tags:
  - attack.execution
  - attack.t1059.001
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\xss.exe'
    CommandLine|contains: '<script>window.__xss=10</script>'
  filter:
    ParentImage: '<img src=x onerror=window.__xss=11>'
  condition: selection and not filter
falsepositives:
  - <iframe src="javascript:window.parent.__xss=7"></iframe>
level: high
YAML
cat >"$TMP/rules/security_content/detections/endpoint/xss.yml" <<'YAML'
name: XSS Splunk <img src=x onerror=window.__xss=12>
id: 6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c
version: 1
date: '2026-11-22'
author: '<script>window.__xss=13</script>'
status: production
type: TTP
description: '<svg/onload=window.__xss=14> xss'
search: 'index=main "<script>window.__xss=15</script>" process_name="<b onmouseover=window.__xss=16>xss.exe" NOT user="</script><script>window.__xss=17</script>" | stats count by dest'
how_to_implement: '<a href="javascript:window.__xss=18">x</a>'
known_false_positives: None.
references:
- javascript:window.__xss=19
tags:
  analytic_story:
  - '<script>window.__xss=22</script>'
  mitre_attack_id:
  - T1059.001
  product:
  - Splunk Enterprise
  security_domain: endpoint
YAML
"$SIGIL" catalog build "$TMP/rules" -o "$TMP/site" -q 2>"$TMP/build.err" || { echo "FAIL: build"; cat "$TMP/build.err"; exit 1; }
"$SIGIL" catalog serve "$TMP/site" --port 0 2>"$TMP/serve.err" &
SERVER=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.err")
  [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: server did not start"; exit 1; }
fail=0
ct=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$port/api/search?q=%3Cscript%3E")
case "$ct" in application/json*) echo "ok   /api/search is $ct" ;; *) echo "FAIL /api/search content type '$ct'"; fail=1 ;; esac
nosniff=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/" | grep -ci '^x-content-type-options: *nosniff')
[ "$nosniff" = 1 ] && echo "ok   X-Content-Type-Options: nosniff" || { echo "FAIL no X-Content-Type-Options: nosniff"; fail=1; }
CHROMIUM=$CHROMIUM node "$SRC/tests/browser/catalog_xss.mjs" "http://127.0.0.1:$port" || fail=1
exit $fail
