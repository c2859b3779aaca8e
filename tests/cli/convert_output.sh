#!/usr/bin/env bash
# tests/cli/convert_output.sh — `sigil convert -o FILE` writes the same text as stdout, replaces
# an existing file whole (written to a temporary file, then renamed), leaves no temporary file
# behind, and fails with a message naming the file when it cannot write.
set -uo pipefail
SIGIL=$1
SRC=${SIGIL_SRC:?}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
t() { echo "--- $*"; }
no() { echo "FAIL: $*"; fail=1; }
"$SIGIL" convert -t splunk "$SRC/examples/rules" >"$TMP/stdout.txt" 2>/dev/null
t "-o writes what stdout shows"
printf 'old content that is longer than nothing\n%.0s' $(seq 1000) >"$TMP/out.txt"
"$SIGIL" convert -t splunk -o "$TMP/out.txt" "$SRC/examples/rules" 2>/dev/null || no "convert -o failed"
cmp -s "$TMP/stdout.txt" "$TMP/out.txt" || no "-o file differs from stdout"
[ -s "$TMP/out.txt" ] || no "-o file is empty"
t "no temporary file is left"
[ "$(ls "$TMP" | wc -l)" = 2 ] || no "stray files: $(ls "$TMP")"
t "an unwritable path is an error naming it"
"$SIGIL" convert -t splunk -o "$TMP/no/such/dir/out.txt" "$SRC/examples/rules" 2>"$TMP/err.txt"
rc=$?
[ $rc -ne 0 ] || no "exit 0 for an unwritable path"
grep -q "cannot write $TMP/no/such/dir/out.txt" "$TMP/err.txt" || no "message: $(cat "$TMP/err.txt")"
exit $fail
