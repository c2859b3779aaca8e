#!/usr/bin/env bash
# tests/cli/hunt_interrupt.sh — Ctrl-C during `sigil hunt`: SIGINT to a hunt
# reading an endless stream (a FIFO fed by awk) must stop the reading, print
# the detections found so far (CSV on stdout, an "interrupted:" summary on
# stderr) and exit 130. The input never ends, so the hunt can only stop
# because of the signal; a process killed by SIGINT would also give status
# 130 but print nothing, which the output checks catch.
set -euo pipefail
SIGIL="$1"
T=$(mktemp -d)
GEN=""
cleanup() {
  [ -n "$GEN" ] && kill "$GEN" 2> /dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
export XDG_CACHE_HOME="$T/cache"
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$T/rule.yml" <<'YML'
title: Every Thousandth Process
id: 33333333-3333-3333-3333-333333333333
level: medium
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|endswith: ' 000'}
  condition: sel
YML
mkfifo "$T/events.jsonl"
awk 'BEGIN { for (i = 1; ; i++) printf "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Image\":\"C:\\\\x\\\\tool.exe\",\"CommandLine\":\"tool.exe %d %03d\"}\n", i, i % 1000 }' \
  > "$T/events.jsonl" &
GEN=$!

"$SIGIL" hunt -j 1 -r "$T/rule.yml" --format csv "$T/events.jsonl" > "$T/out.csv" 2> "$T/err.txt" &
HUNT=$!
# wait until the rules are loaded and some events were read
for _ in $(seq 100); do
  grep -q '^loaded 1 rules' "$T/err.txt" 2> /dev/null && break
  sleep 0.1
done
grep -q '^loaded 1 rules' "$T/err.txt" || { kill -9 $HUNT; fail "hunt did not start: $(cat "$T/err.txt")"; }
sleep 1
kill -INT $HUNT
rc=0
for _ in $(seq 100); do
  kill -0 $HUNT 2> /dev/null || break
  sleep 0.1
done
if kill -0 $HUNT 2> /dev/null; then kill -9 $HUNT; fail "hunt still running 10 s after SIGINT"; fi
wait $HUNT || rc=$?
[ $rc -eq 130 ] || fail "exit status $rc, expected 130"
head -1 "$T/out.csv" | grep -q '^timestamp,computer,channel' || fail "no CSV header: $(head -3 "$T/out.csv")"
n=$(($(wc -l < "$T/out.csv") - 1))
[ "$n" -ge 1 ] || fail "no detection printed after the interrupt"
grep -q ',medium,Every Thousandth Process,' "$T/out.csv" || fail "rows: $(sed -n 2p "$T/out.csv")"
grep -q "tool.exe 1000 000" "$T/out.csv" || fail "first detection (event 1000) missing"
grep -q "^interrupted: $n detections by 1 rules in [0-9]* events" "$T/err.txt" \
  || fail "summary: $(cat "$T/err.txt")"
echo "hunt_interrupt: ok ($n detections before Ctrl-C)"
