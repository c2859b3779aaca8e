#!/usr/bin/env bash
# bench/hunt.sh — hunt benchmarks: all SigmaHQ Windows rules over the OTRF JSON
# lines (against a plain simdjson scan) and over hayabusa-sample-evtx (phases,
# then the whole `sigil hunt` with /usr/bin/time -v for CPU and peak RSS).
# Usage: SIGIL_SHARED=../shared bench/hunt.sh [build-dir] [repeats]
set -euo pipefail
BUILD="${1:-build}"
REPEATS="${2:-3}"
SHARED="${SIGIL_SHARED:-../shared}"
RULES="$SHARED/corpus/sigma/rules/windows"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/otrf" "$T/evtx"
tar --zstd -xf "$SHARED/logs/otrf-windows-jsonl.tar.zst" -C "$T/otrf"
tar --zstd -xf "$SHARED/logs/hayabusa-sample-evtx.tar.zst" -C "$T/evtx"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== OTRF JSON lines: phases (CPU seconds, median of $REPEATS)"
"$BUILD/bench_hunt" "$RULES" "$T/otrf" "$REPEATS"
echo "== hayabusa-sample-evtx: phases (CPU seconds, median of $REPEATS)"
"$BUILD/bench_hunt" "$RULES" "$T/evtx" "$REPEATS"
for what in otrf evtx; do
  echo "== sigil hunt -j 1 over $what (whole command: load, compile, match, output)"
  for i in $(seq "$REPEATS"); do
    /usr/bin/time -v "$BUILD/sigil" hunt -q -j 1 -r "$RULES" --format csv "$T/$what" 2> "$T/time.txt" > /dev/null
    awk -F': ' '/Elapsed \(wall/ {w=$2} /User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {r=$2}
      END {printf "wall %s  cpu %.2f s  peak RSS %.0f MB\n", w, u + s, r / 1024}' "$T/time.txt"
  done
done
