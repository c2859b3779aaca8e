#!/usr/bin/env bash
# tests/cli/hunt_pipeline.sh — `sigil hunt -p PIPELINE`: the pipeline's
# transformations apply before compiling, so with -p windows-audit the SigmaHQ
# process_creation rule "New Service Creation Using Sc.EXE" (Image,
# CommandLine) matches a real Security 4688 event (NewProcessName,
# CommandLine) from hayabusa-sample-evtx, and does not without it; rules the
# pipeline rejects are left out with a warning; pipeline items that only
# shape query text, and unknown pipelines, are errors (exit 2).
set -euo pipefail
SIGIL="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME="$T/cache"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Made-up 4688 events (flat JSON, Security channel) and a rule with a field
# the pipeline rejects.
cat > "$T/rules.yml" <<'YML'
title: Whoami Run
id: 44444444-4444-4444-4444-444444444444
level: high
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe', IntegrityLevel: System}
  condition: sel
---
title: Needs OriginalFileName
id: 55555555-5555-5555-5555-555555555555
level: low
logsource: {product: windows, category: process_creation}
detection:
  sel: {OriginalFileName: whoami.exe}
  condition: sel
YML
cat > "$T/events.jsonl" <<'JSON'
{"EventID":4688,"Channel":"Security","NewProcessName":"C:\\Windows\\System32\\whoami.exe","MandatoryLabel":"S-1-16-16384","Hostname":"pc1","@timestamp":"2024-01-01T10:00:00Z"}
{"EventID":4688,"Channel":"Security","NewProcessName":"C:\\Windows\\System32\\whoami.exe","MandatoryLabel":"S-1-16-8192","Hostname":"pc1","@timestamp":"2024-01-01T10:01:00Z"}
{"EventID":4624,"Channel":"Security","NewProcessName":"C:\\Windows\\System32\\whoami.exe","MandatoryLabel":"S-1-16-16384","Hostname":"pc1","@timestamp":"2024-01-01T10:02:00Z"}
JSON
"$SIGIL" hunt -r "$T/rules.yml" -p windows-audit --format csv "$T/events.jsonl" > "$T/out.csv" 2> "$T/err.txt" \
  || fail "hunt -p windows-audit exited $?: $(cat "$T/err.txt")"
[ "$(wc -l < "$T/out.csv")" -eq 2 ] || fail "expected 1 detection: $(cat "$T/out.csv")"
grep -q '2024-01-01T10:00:00.000Z,pc1,Security,4688,high,Whoami Run' "$T/out.csv" || fail "row: $(cat "$T/out.csv")"
grep -q 'NewProcessName: C:\\Windows\\System32\\whoami.exe' "$T/out.csv" || fail "details use the mapped field"
grep -q 'pipeline.detection_item_failure' "$T/err.txt" || fail "rejected rule not reported: $(cat "$T/err.txt")"
grep -q '\[Needs OriginalFileName\]' "$T/err.txt" || fail "rejected rule not named"
grep -q '1 left out by pipelines' "$T/err.txt" || fail "count of rules left out: $(head -1 "$T/err.txt")"
"$SIGIL" hunt -q -r "$T/rules.yml" --format csv "$T/events.jsonl" > "$T/plain.csv"
[ "$(wc -l < "$T/plain.csv")" -eq 1 ] || fail "without -p nothing matches: $(cat "$T/plain.csv")"

# Unsupported for hunting: a postprocessing item; an unknown pipeline.
cat > "$T/post.yml" <<'YML'
name: wraps-queries
priority: 50
postprocessing:
  - id: wrap
    type: embed
    prefix: "search "
    suffix: ""
YML
set +e
"$SIGIL" hunt -q -r "$T/rules.yml" -p "$T/post.yml" "$T/events.jsonl" > /dev/null 2> "$T/err2.txt"; rc=$?
set -e
[ $rc -eq 2 ] || fail "postprocessing pipeline: exit $rc"
grep -q "hunt.pipeline.unsupported: pipeline 'wraps-queries': postprocessing item 'wrap' (embed)" "$T/err2.txt" \
  || fail "postprocessing error: $(cat "$T/err2.txt")"
set +e
"$SIGIL" hunt -q -r "$T/rules.yml" -p no-such-pipeline "$T/events.jsonl" > /dev/null 2> "$T/err3.txt"; rc=$?
set -e
[ $rc -eq 2 ] || fail "unknown pipeline: exit $rc"
grep -qi "no-such-pipeline" "$T/err3.txt" || fail "unknown pipeline not named: $(cat "$T/err3.txt")"

# A real Security 4688 event and the SigmaHQ rule.
TAR="${SIGIL_SHARED:-}/logs/hayabusa-sample-evtx.tar.zst"
RULE="${SIGIL_SHARED:-}/corpus/sigma/rules/windows/process_creation/proc_creation_win_sc_create_service.yml"
if [ -n "${SIGIL_SHARED:-}" ] && [ -f "$TAR" ] && [ -f "$RULE" ]; then
  M="hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0003-Persistence/T1543.003-Create or Modify System Process-Windows Service/ID4688-Command SC to create service on remote host.evtx"
  tar --zstd -xf "$TAR" -C "$T" "$M"
  "$SIGIL" hunt -q -r "$RULE" -p windows-audit --format csv "$T/$M" > "$T/real.csv" || fail "real 4688 hunt"
  [ "$(wc -l < "$T/real.csv")" -eq 2 ] || fail "real 4688: $(cat "$T/real.csv")"
  grep -q '2020-07-11T21:46:39.786Z,jump01.offsec.lan,Security,4688,low,New Service Creation Using Sc.EXE,85ff530b-261d-48c6-a441-facaa2e81e48' "$T/real.csv" \
    || fail "real 4688 row: $(cat "$T/real.csv")"
  "$SIGIL" hunt -q -r "$RULE" --format csv "$T/$M" > "$T/real_plain.csv"
  [ "$(wc -l < "$T/real_plain.csv")" -eq 1 ] || fail "real 4688 without -p: $(cat "$T/real_plain.csv")"
fi
echo "hunt_pipeline: ok"
