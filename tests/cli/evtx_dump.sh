#!/usr/bin/env bash
# tests/cli/evtx_dump.sh — `sigil evtx dump`: formats, counts, diagnostics and
# exit codes, on files of the shared corpora (skipped when they are absent).
set -euo pipefail
SIGIL="$1"
SHARED="${SIGIL_SHARED:-}"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Usage errors and unreadable input need no corpus.
set +e
"$SIGIL" evtx dump >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing FILE should be a usage error (2)"
"$SIGIL" evtx dump --format nope x.evtx >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --format should exit 2"
"$SIGIL" evtx dump /nonexistent.evtx >/dev/null 2>/tmp/sigil-evtx-err.$$; rc=$?
set -e
[ $rc -eq 3 ] || fail "unreadable file should exit 3, got $rc"
grep -q "evtx.file.open" /tmp/sigil-evtx-err.$$ || fail "no evtx.file.open diagnostic"
rm -f /tmp/sigil-evtx-err.$$

if [ -z "$SHARED" ] || [ ! -f "$SHARED/logs/hayabusa-sample-evtx.tar.zst" ]; then
  echo "skip: no shared corpora"; exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
tar --zstd -xf "$SHARED/logs/hayabusa-sample-evtx.tar.zst" -C "$TMP"
tar --zstd -xf "$SHARED/logs/broken-and-edge-evtx.tar.zst" -C "$TMP"
F=$(find "$TMP" -name 'ID4624-Mimikatz Pass the hash.evtx' | head -1)
[ -n "$F" ] || fail "sample file not found"

# JSON lines: one object per record, evtx_dump layout.
n=$("$SIGIL" evtx dump "$F" | wc -l)
[ "$n" -eq 8 ] || fail "expected 8 JSON lines, got $n"
"$SIGIL" evtx dump "$F" | head -1 | grep -q '^{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{' \
  || fail "JSON layout"
"$SIGIL" evtx dump "$F" | sed -n 3p | grep -q '"EventID":4624' || fail "third record is 4624"
"$SIGIL" evtx dump "$F" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' || fail "invalid JSON"

# XML.
x=$("$SIGIL" evtx dump --format xml "$F")
[ "$(grep -c '^<Event xmlns=' <<<"$x")" -eq 8 ] || fail "8 XML events"
grep -q '<Data Name="LogonType">9</Data>' <<<"$x" || fail "LogonType in XML"
grep -q '<SubjectLogonId>0x1f4c65f</SubjectLogonId>' <<<"$x" || fail "UserData in XML"

# Flat fields, as rules see them.
l=$("$SIGIL" evtx dump --format fields "$F" | sed -n 3p)
for kv in '"EventID":"4624"' '"Channel":"Security"' '"Computer":"FS03.offsec.lan"' \
          '"LogonType":"9"' '"Provider_Name":"Microsoft-Windows-Security-Auditing"' \
          '"TargetUserName":"admmig"' '"ProcessName":"C:\\Windows\\System32\\svchost.exe"'; do
  grep -qF "$kv" <<<"$l" || fail "fields: missing $kv in $l"
done

# Several files, stats on stderr; a broken file reports diagnostics and still exits 0.
B=$(find "$TMP" -name 'sample_with_a_bad_chunk_magic.evtx' | head -1)
"$SIGIL" evtx dump --stats "$F" "$B" >/dev/null 2>"$TMP/err" || fail "broken file should not fail the run"
grep -q 'evtx.chunk.bad_records_crc' "$TMP/err" || fail "no CRC diagnostic"
grep -q 'total: 2 files, 309 records read' "$TMP/err" || fail "stats total: $(tail -1 "$TMP/err")"
"$SIGIL" evtx dump -q "$B" >/dev/null 2>"$TMP/err2"
[ ! -s "$TMP/err2" ] || fail "-q should silence diagnostics"
[ "$("$SIGIL" evtx dump --recover-slack -q "$B" | wc -l)" -eq 351 ] || fail "--recover-slack count"

# Quiet on a broken pipe.
out=$( { "$SIGIL" evtx dump "$B" | head -1 >/dev/null; } 2>&1 )
[ -z "$(grep -v '^.*: \(info\|warning\):' <<<"$out" || true)" ] || fail "noise on broken pipe: $out"
echo "ok"
