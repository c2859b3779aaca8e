#!/usr/bin/env bash
# tests/cli/hunt_basic.sh — `sigil hunt` end to end on small made-up logs:
# CSV/JSONL output, level filter, a bad line as a diagnostic, exit codes,
# options after positionals and repeated -r;
# and on the SigmaHQ regression_data JSON when the shared corpus is present.
set -euo pipefail
SIGIL="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME="$T/cache"  # the rule cache stays in the test's folder
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$T/rules.yml" <<'YML'
title: Whoami Execution
id: 11111111-1111-1111-1111-111111111111
level: high
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
---
title: Any Cmd
id: 22222222-2222-2222-2222-222222222222
level: low
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\cmd.exe'}
  condition: sel
YML
cat > "$T/logs.jsonl" <<'JSON'
{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\Windows\\System32\\whoami.exe","Hostname":"pc1","@timestamp":"2024-01-01T10:00:00Z"}
not json at all
{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\Windows\\System32\\cmd.exe","Hostname":"pc1","@timestamp":"2024-01-01T09:00:00Z"}
{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\Windows\\System32\\whoami.exe","Hostname":"pc1","@timestamp":"2024-01-01T11:00:00Z"}
JSON

"$SIGIL" hunt -r "$T/rules.yml" --format csv "$T/logs.jsonl" > "$T/out.csv" 2> "$T/err.txt" || fail "hunt exited $?"
head -1 "$T/out.csv" | grep -q '^timestamp,computer,channel,event_id,level,rule_title,rule_id,details' || fail "csv header"
[ "$(wc -l < "$T/out.csv")" -eq 3 ] || fail "expected 2 detections, got: $(cat "$T/out.csv")"
# sorted by time: cmd (09:00) before whoami (10:00); EventID 3 is gated out
sed -n 2p "$T/out.csv" | grep -q '2024-01-01T09:00:00.000Z,pc1,Microsoft-Windows-Sysmon/Operational,1,low,Any Cmd' || fail "row 1: $(sed -n 2p "$T/out.csv")"
sed -n 3p "$T/out.csv" | grep -q 'high,Whoami Execution,11111111-1111-1111-1111-111111111111' || fail "row 2"
grep -q 'jsonl.parse' "$T/err.txt" || fail "bad line not reported: $(cat "$T/err.txt")"
grep -q '2 detections by 2 rules in 3 events' "$T/err.txt" || fail "summary: $(cat "$T/err.txt")"

"$SIGIL" hunt -q -r "$T/rules.yml" --min-level high --format jsonl "$T/logs.jsonl" > "$T/out.jsonl" || fail "jsonl run"
[ "$(wc -l < "$T/out.jsonl")" -eq 1 ] || fail "min-level: $(cat "$T/out.jsonl")"
grep -q '"rule_title":"Whoami Execution"' "$T/out.jsonl" || fail "jsonl title"
grep -q '"event":{' "$T/out.jsonl" || fail "jsonl event"

# Options anywhere: after the LOGS positionals, between them, -r repeated
# (each -r takes one value; LOGS after -r are logs, not rules).
cp "$T/logs.jsonl" "$T/logs2.jsonl"
sed -n '1,7p' "$T/rules.yml" > "$T/whoami.yml"
sed -n '9,$p' "$T/rules.yml" > "$T/cmd.yml"
"$SIGIL" hunt -q -r "$T/rules.yml" "$T/logs.jsonl" --format csv > "$T/after.csv" 2> "$T/after.err" ||
  fail "option after a positional: $(cat "$T/after.err")"
cmp -s "$T/out.csv" "$T/after.csv" || fail "option after a positional: $(cat "$T/after.csv")"
"$SIGIL" hunt "$T/logs.jsonl" -q -r "$T/whoami.yml" --format jsonl "$T/logs2.jsonl" -r "$T/cmd.yml" \
  --min-level low > "$T/mixed.jsonl" 2> "$T/mixed.err" || fail "mixed order: $(cat "$T/mixed.err")"
[ "$(wc -l < "$T/mixed.jsonl")" -eq 4 ] || fail "mixed order: 2 rules x 2 files expected: $(cat "$T/mixed.jsonl")"
[ "$(grep -c '"rule_title":"Any Cmd"' "$T/mixed.jsonl")" -eq 2 ] || fail "second -r not loaded"
[ "$(grep -c 'logs2.jsonl' "$T/mixed.jsonl")" -eq 2 ] || fail "second log not read"

# no readable log → 3; usage error → 2
set +e
"$SIGIL" hunt -q -r "$T/rules.yml" "$T/missing.jsonl" > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] || fail "missing log exit $rc"
"$SIGIL" hunt --format nope -r "$T/rules.yml" "$T/logs.jsonl" > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "usage exit $rc"
set -e
"$SIGIL" hunt --help | grep -q "windows-audit" || fail "--help must describe -p"
"$SIGIL" hunt --help | grep -q -- "--no-cache" || fail "--help must describe --no-cache"

# The cache: a second run reads the parsed rules
# from $XDG_CACHE_HOME/sigil and gives the same output; --no-cache neither
# reads nor writes it; a damaged cache is rebuilt silently.
rm -rf "$T/cache"
"$SIGIL" hunt -q --no-cache -r "$T/rules.yml" --format csv "$T/logs.jsonl" > "$T/nocache.csv"
[ ! -e "$T/cache/sigil" ] || fail "--no-cache wrote $(ls "$T/cache/sigil")"
"$SIGIL" hunt -q -r "$T/rules.yml" --format csv "$T/logs.jsonl" > "$T/cold.csv"
ls "$T/cache/sigil"/rules-*.cache > /dev/null || fail "no rule cache written"
"$SIGIL" hunt -q -r "$T/rules.yml" --format csv "$T/logs.jsonl" > "$T/warm.csv"
cmp -s "$T/cold.csv" "$T/warm.csv" || fail "warm run differs from the cold one"
cmp -s "$T/cold.csv" "$T/nocache.csv" || fail "cached run differs from --no-cache"
for f in "$T/cache/sigil"/*; do head -c 100 "$f" > "$f.x"; mv "$f.x" "$f"; done
"$SIGIL" hunt -q -r "$T/rules.yml" --format csv "$T/logs.jsonl" > "$T/damaged.csv" || fail "damaged cache"
cmp -s "$T/cold.csv" "$T/damaged.csv" || fail "damaged cache changed the output"
# a changed rule file is seen at once (the cache is keyed by content)
sed -i 's/level: low/level: medium/' "$T/rules.yml"
"$SIGIL" hunt -q -r "$T/rules.yml" --format csv "$T/logs.jsonl" > "$T/changed.csv"
grep -q ',medium,Any Cmd,' "$T/changed.csv" || fail "changed rule not reloaded: $(cat "$T/changed.csv")"

# SigmaHQ Windows rules over the regression events (JSON): each file was made
# to trigger its rule.
REG="${SIGIL_SHARED:-}/corpus/sigma/regression_data/rules/windows/process_creation"
if [ -n "${SIGIL_SHARED:-}" ] && [ -d "$REG" ]; then
  "$SIGIL" hunt -q -j 2 -r "$SIGIL_SHARED/corpus/sigma/rules/windows" --format csv "$REG" > "$T/reg.csv" || fail "regression hunt"
  n=$(($(wc -l < "$T/reg.csv") - 1))
  [ "$n" -ge 60 ] || fail "only $n detections over process_creation regression events"
  grep -q 'Gpresult Display Group Policy Information' "$T/reg.csv" || fail "expected rule missing"
  # both prefilter engines, forced, give the same CSV as the default choice
  for e in hyperscan scanner; do
    "$SIGIL" hunt -q --no-cache --prefilter $e -r "$SIGIL_SHARED/corpus/sigma/rules/windows" \
      --format csv "$REG" > "$T/reg-$e.csv" || fail "--prefilter $e"
    cmp -s "$T/reg.csv" "$T/reg-$e.csv" || fail "--prefilter $e changed the detections"
  done
  # the summary names the engines used
  "$SIGIL" hunt --no-cache --prefilter scanner -r "$SIGIL_SHARED/corpus/sigma/rules/windows" \
    --format csv "$REG" 2> "$T/reg.err" > /dev/null
  grep -q "prefilter: [1-9][0-9]* groups on sigil's scanner" "$T/reg.err" || fail "summary: $(tail -2 "$T/reg.err")"
fi
"$SIGIL" hunt --help | grep -q -- "--prefilter" || fail "--help must describe --prefilter"
echo "hunt_basic: ok"
