#!/usr/bin/env bash
# bench/evtx_parse.sh — EVTX parsing speed of sigil vs libevtx's evtxexport on
# the hayabusa-sample-evtx corpus: median wall time of RUNS runs each.
# Usage: bench/evtx_parse.sh BUILD_DIR [RUNS=5]
set -euo pipefail
BUILD="${1:?usage: $0 BUILD_DIR [RUNS]}"
RUNS="${2:-5}"
SHARED="${SIGIL_SHARED:-$(dirname "$0")/../../shared}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
tar --zstd -xf "$SHARED/logs/hayabusa-sample-evtx.tar.zst" -C "$TMP"
find "$TMP" -name '*.evtx' -print0 | sort -z > "$TMP/list"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# command... → "wall W s, CPU C s": medians over RUNS runs after one warm-up;
# CPU is user+system of the command and its children (fair on a loaded machine).
time_runs() {
  "$@" >/dev/null 2>&1 || true
  local TIMEFORMAT='%R %U %S' i
  for i in $(seq "$RUNS"); do { time "$@" >/dev/null 2>&1; } 2>&1 | tail -1; done > "$TMP/times"
  echo "wall $(awk '{print $1}' "$TMP/times" | median) s, CPU $(awk '{print $2+$3}' "$TMP/times" | median) s"
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "corpus: $(tr -cd '\0' < "$TMP/list" | wc -c) files, $(du -sm "$TMP" | cut -f1) MB"
echo "sigil parse (flat Events):   $("$BUILD/bench_evtx_parse" "$TMP" "$RUNS")"
echo "sigil evtx dump --format xml:   $(time_runs sh -c "xargs -0 '$BUILD/sigil' evtx dump -q --format xml < '$TMP/list'")"
echo "sigil evtx dump --format jsonl: $(time_runs sh -c "xargs -0 '$BUILD/sigil' evtx dump -q --format jsonl < '$TMP/list'")"
echo "evtxexport -f xml (per file):   $(time_runs sh -c "xargs -0 -n1 evtxexport -f xml < '$TMP/list'")"
