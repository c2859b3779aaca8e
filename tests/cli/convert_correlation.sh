#!/usr/bin/env bash
# tests/cli/convert_correlation.sh — a correlation rule is never dropped silently by
# `sigil convert`: without -s it is an error naming the rule and the feature (exit 1) while its
# base rule is still converted; with -s it is counted as skipped with the reason (exit 0).
set -uo pipefail
SIGIL=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
t() { echo "--- $*"; }
no() { echo "FAIL: $*"; fail=1; }
cat >"$TMP/brute.yml" <<'YAML'
title: Failed Logon
name: failed_logon
id: 5e7c3a52-7d4e-4a39-9d0c-1f0b7b0a1c01
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Many Failed Logons From One Source
id: 5e7c3a52-7d4e-4a39-9d0c-1f0b7b0a1c02
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 5m
  condition: {gte: 10}
YAML
for target in splunk kql; do
  t "$target: the correlation is an error, the base rule is converted"
  "$SIGIL" convert -t "$target" "$TMP/brute.yml" >"$TMP/out.txt" 2>"$TMP/err.txt"
  rc=$?
  [ $rc -eq 1 ] || no "$target: exit $rc, expected 1"
  grep -q "brute.yml:[0-9]*:[0-9]*: error convert.unsupported.correlation: rule 'Many Failed Logons From One Source': correlation rules (event_count) are not converted by the $target target" "$TMP/err.txt" ||
    no "$target: message: $(cat "$TMP/err.txt")"
  grep -q "4625" "$TMP/out.txt" || no "$target: base rule missing: $(cat "$TMP/out.txt")"
  grep -q "1 rules converted (1 queries), 1 failed" "$TMP/err.txt" || no "$target: summary: $(cat "$TMP/err.txt")"
  t "$target -s: counted as skipped with the reason"
  "$SIGIL" convert -s -t "$target" "$TMP/brute.yml" >/dev/null 2>"$TMP/err.txt"
  rc=$?
  [ $rc -eq 0 ] || no "$target -s: exit $rc"
  grep -q "skipped 1: correlation rules (event_count) are not converted" "$TMP/err.txt" ||
    no "$target -s: summary: $(cat "$TMP/err.txt")"
done
exit $fail
