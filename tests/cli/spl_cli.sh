#!/usr/bin/env bash
# tests/cli/spl_cli.sh — `sigil spl`: stages, conditions and search terms of
# Splunk detections, JSON output, statistics, and errors for bad input.
set -u
SIGIL="$1"
fail=0
check() {  # check NAME CONDITION...
    local name="$1"
    shift
    if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$SIGIL" spl --help >"$tmp/help" 2>&1
check "help exits 0" test $? -eq 0
check "help names the command" grep -q "Splunk" "$tmp/help"

mkdir -p "$tmp/sc/detections/endpoint" "$tmp/sc/macros"
cat >"$tmp/sc/macros/pick.yml" <<'Y'
definition: (Image=*\\psexesvc.exe OR Image=*\\paexec*)
name: pick
Y
cat >"$tmp/sc/detections/endpoint/rule.yml" <<'Y'
name: Test Rule
id: 0b6c2d9e-0000-0000-0000-000000000001
search: '`pick` EventCode=1 "psexec" | where match(CommandLine, "(?i)-accepteula")
  | stats count by host | `test_rule_filter`'
tags:
  mitre_attack_id:
  - T1569.002
Y
"$SIGIL" spl "$tmp/sc/detections" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "loads a rule (exit 0)" test $rc -eq 0
check "macro from sibling folder expanded" grep -q 'Image endswith "\\\\psexesvc.exe"' "$tmp/out"
check "where lowered to a regex" grep -q 'CommandLine regex "-accepteula" /i' "$tmp/out"
check "search term listed" grep -q 'search term (stage 1): "psexec"' "$tmp/out"
check "filter macro is a neutral search stage" grep -q 'stage 4: search' "$tmp/out"

"$SIGIL" spl --format json "$tmp/sc/detections/endpoint/rule.yml" >"$tmp/json" 2>/dev/null
check "json has the stage commands" grep -q '"command": "where"' "$tmp/json"
check "json has predicate locations" grep -q 'rule.yml:3:' "$tmp/json"

printf 'search: [broken\n' >"$tmp/bad.yml"
"$SIGIL" spl "$tmp/bad.yml" >/dev/null 2>"$tmp/err"
rc=$?
check "bad YAML exits 1" test $rc -eq 1
check "bad YAML has a located diagnostic" grep -q 'bad.yml:[0-9]*:[0-9]*: error: .*\[spl.yaml.parse\]' "$tmp/err"

"$SIGIL" spl --format nope "$tmp/bad.yml" >/dev/null 2>&1
check "usage error exits 2" test $? -eq 2

SHARED="${SIGIL_SHARED:-}"
psexec="$SHARED/corpus/armory/detections/endpoint/psexec_service_creation/psexec_service_creation-splunk-winevent.yml"
if [ -n "$SHARED" ] && [ -f "$psexec" ]; then
    "$SIGIL" spl "$psexec" >"$tmp/psexec" 2>/dev/null
    check "seed rule: bin is the bucket stage" grep -q 'stage 8: bucket' "$tmp/psexec"
    check "seed rule: excluded regex" grep -q 'not Service_Start_Type regex "4|disabled"' "$tmp/psexec"
    check "seed rule: TERM search term" grep -q 'search term (stage 1): TERM(EventCode=7045)' "$tmp/psexec"
    "$SIGIL" spl --stats "$SHARED/corpus/splunk-security-content/detections" \
        "$SHARED/corpus/armory/detections" >"$tmp/stats" 2>/dev/null
    check "corpora load without failures" grep -q 'failed 0,' "$tmp/stats"
    check "all security_content rules" grep -q 'security_content 1711' "$tmp/stats"
else
    echo "skip shared corpus checks (no \$SIGIL_SHARED)"
fi
exit $fail
