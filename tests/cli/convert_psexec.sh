#!/usr/bin/env bash
# `sigil convert` end to end on the seeds' PsExec rules: queries per target,
# formats, pipelines, per-rule errors and exit codes.
set -u
SIGIL="$1"
SHARED="${SIGIL_SHARED:-}"
R="$SHARED/reference/psexec/rules"
if [ ! -d "$R" ]; then echo "skip: no shared data"; exit 0; fi
fail=0
check() {  # name expected actual
    if [ "$2" != "$3" ]; then echo "FAIL $1"; echo "  expected: $2"; echo "  actual:   $3"; fail=1; fi
}
Q=$("$SIGIL" convert -t splunk "$R/tag0.20/win_susp_psexec.yml" 2>/dev/null)
check splunk 'source="WinEventLog:Security" EventCode=5145 ShareName="\\*\\IPC$" RelativeTargetName IN ("*-stdin", "*-stdout", "*-stderr") NOT (EventCode=5145 ShareName="\\*\\IPC$" RelativeTargetName="PSEXESVC*")' "$Q"
Q=$("$SIGIL" convert -t graylog "$R/tag0.20/win_susp_psexec.yml" 2>/dev/null)
check graylog '(EventID:"5145" AND ShareName.keyword:\\*\\IPC$ AND (RelativeTargetName.keyword:(*\-stdin *\-stdout *\-stderr))) AND (NOT (EventID:"5145" AND ShareName.keyword:\\*\\IPC$ AND RelativeTargetName.keyword:PSEXESVC*))' "$Q"
Q=$("$SIGIL" convert -t kibana "$R/tag0.20/win_psexesvc_start.yml" 2>/dev/null)
check kibana 'CommandLine:"C\:\\Windows\\PSEXESVC.exe"' "$Q"
Q=$("$SIGIL" convert -t splunk -p sysmon "$R/current/proc_creation_win_sysinternals_psexesvc_start.yml" 2>/dev/null)
check splunk-sysmon 'source="WinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 CommandLine="C:\\Windows\\PSEXESVC.exe"' "$Q"
# ndjson: one parseable object per line
"$SIGIL" convert -t kibana -f ndjson "$R/current" 2>/dev/null | python3 -c 'import sys,json; n=sum(1 for l in sys.stdin if json.loads(l)["type"]=="search"); sys.exit(0 if n==6 else 1)' || { echo "FAIL ndjson"; fail=1; }
# savedsearches stanza
"$SIGIL" convert -t splunk -f savedsearches "$R/current/win_security_susp_psexec.yml" 2>/dev/null | grep -q '^\[Suspicious PsExec Execution\]$' || { echo "FAIL savedsearches"; fail=1; }
# SQL output is valid SQLite (EXPLAIN)
if command -v sqlite3 >/dev/null; then
    "$SIGIL" convert -t sql "$R" 2>/dev/null | while read -r q; do
        cols=$(echo "$q" | grep -o '"[A-Za-z_]*"' | sort -u | tr '\n' ',' | sed 's/,$//')
        echo "CREATE TABLE eventlog ($cols); EXPLAIN $q;" | sqlite3 >/dev/null 2>&1 || { echo "FAIL sqlite: $q"; exit 1; }
    done || fail=1
fi
# an inexpressible rule is a per-rule error naming the rule and the feature; exit 1
tmp=$(mktemp -d)
cat > "$tmp/r.yml" <<'Y'
title: Cased Rule
logsource: {product: windows}
detection:
    sel:
        Image|cased: 'C:\X.exe'
    condition: sel
Y
err=$("$SIGIL" convert -t lucene "$tmp/r.yml" 2>&1 >/dev/null); rc=$?
check lucene-cased-rc 1 "$rc"
echo "$err" | grep -q "rule 'Cased Rule': case-sensitive matching (cased) cannot be expressed in lucene" || { echo "FAIL cased message: $err"; fail=1; }
"$SIGIL" convert -t lucene -s "$tmp/r.yml" >/dev/null 2>&1; check skip-rc 0 "$?"
"$SIGIL" convert -t nope "$tmp/r.yml" >/dev/null 2>&1; check unknown-target-rc 2 "$?"
printf 'transformations:\n  - type: bogus\n' > "$tmp/p.yml"
err=$("$SIGIL" convert -t splunk -p "$tmp/p.yml" "$tmp/r.yml" 2>&1); check bad-pipeline-rc 2 "$?"
echo "$err" | grep -q "p.yml:2:1: pipeline.item.unknown" || { echo "FAIL pipeline location: $err"; fail=1; }
rm -rf "$tmp"
exit $fail
