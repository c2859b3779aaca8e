#!/usr/bin/env bash
# tests/cli/test_regression.sh — `sigil test` on a made-up regression_data
# layout (pass, wrong count → exit 1, rule given with -r) and on the SigmaHQ
# process_creation cases when the shared corpus is present.
set -euo pipefail
SIGIL="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$T/repo/rules/windows" "$T/repo/regression_data/rules/windows/case1" "$T/extra"
cat > "$T/repo/rules/windows/whoami.yml" <<'YML'
title: Whoami Execution
id: 33333333-3333-3333-3333-333333333333
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
YML
D="$T/repo/regression_data/rules/windows/case1"
cat > "$D/info.yml" <<'YML'
id: 44444444-4444-4444-4444-444444444444
rule_metadata:
    - id: 33333333-3333-3333-3333-333333333333
      title: Whoami Execution
regression_tests_info:
    - name: Positive Detection Test
      type: json
      match_count: 2
      path: regression_data/rules/windows/case1/events.json
YML
cat > "$D/events.json" <<'JSON'
{
  "Event": {"System": {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational"},
            "EventData": {"Image": "C:\\Windows\\System32\\whoami.exe"}}
}
{
  "Event": {"System": {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational"},
            "EventData": {"Image": "C:\\Windows\\System32\\WHOAMI.EXE"}}
}
{
  "Event": {"System": {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational"},
            "EventData": {"Image": "C:\\Windows\\System32\\cmd.exe"}}
}
JSON
"$SIGIL" test "$T/repo/regression_data" > "$T/out.txt" 2>&1 || fail "should pass: $(cat "$T/out.txt")"
grep -q '^PASS  Whoami Execution' "$T/out.txt" || fail "no PASS line: $(cat "$T/out.txt")"
grep -q '^1 passed, 0 failed' "$T/out.txt" || fail "summary"

sed -i 's/match_count: 2/match_count: 3/' "$D/info.yml"
set +e
"$SIGIL" test "$D" > "$T/out.txt" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "wrong count must exit 1, got $rc"
grep -q 'FAIL  Whoami Execution.*expected 3, got 2' "$T/out.txt" || fail "FAIL line: $(cat "$T/out.txt")"

# the rule from -r instead of the rules* folders
sed -i 's/match_count: 3/match_count: 2/' "$D/info.yml"
mv "$T/repo/rules/windows/whoami.yml" "$T/extra/"
set +e
"$SIGIL" test "$T/repo/regression_data" > "$T/out.txt" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "missing rule must fail"
grep -q 'not found' "$T/out.txt" || fail "missing rule message"
"$SIGIL" test "$T/repo/regression_data" -r "$T/extra" > "$T/out.txt" 2>&1 || fail "-r: $(cat "$T/out.txt")"

REG="${SIGIL_SHARED:-}/corpus/sigma/regression_data/rules/windows/process_creation"
if [ -n "${SIGIL_SHARED:-}" ] && [ -d "$REG" ]; then
  "$SIGIL" test -q "$REG" > "$T/reg.txt" 2>&1 || fail "SigmaHQ process_creation cases: $(grep FAIL "$T/reg.txt" | head)"
  n=$(tail -1 "$T/reg.txt" | sed -n 's/^\([0-9]*\) passed, 0 failed.*/\1/p')
  [ -n "$n" ] && [ "$n" -ge 100 ] || fail "count: $(tail -1 "$T/reg.txt")"
fi
echo "test_regression: ok"
