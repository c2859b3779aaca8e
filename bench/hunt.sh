#!/usr/bin/env bash
# bench/hunt.sh — hunt benchmarks: all SigmaHQ Windows rules over the OTRF JSON
# lines (against a plain simdjson scan) and over hayabusa-sample-evtx (phases,
# then the whole `sigil hunt` cold, warm and --no-cache, with libevtx evtxexport
# parsing the same files in the same run; /usr/bin/time -v for CPU and peak RSS).
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
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# one_run LABEL CMD...: CPU (user+sys) and peak RSS of one run, from /usr/bin/time -v
one_run() {
  /usr/bin/time -v "$@" 2> "$T/time.txt" > /dev/null || true
  awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {r=$2}
    END {printf "%.3f %.0f\n", u + s, r / 1024}' "$T/time.txt"
}
# series LABEL PREP CMD...: REPEATS runs, PREP (a shell snippet) before each;
# prints the median CPU, min–max and the largest peak RSS
series() {
  local label="$1" prep="$2" i
  shift 2
  for i in $(seq "$REPEATS"); do eval "$prep"; one_run "$@"; done > "$T/series.txt"
  printf "%-44s cpu median %s s (%s–%s), peak RSS %s MB\n" "$label" \
    "$(cut -d' ' -f1 "$T/series.txt" | median)" "$(cut -d' ' -f1 "$T/series.txt" | sort -n | head -1)" \
    "$(cut -d' ' -f1 "$T/series.txt" | sort -n | tail -1)" "$(cut -d' ' -f2 "$T/series.txt" | sort -n | tail -1)"
}
export XDG_CACHE_HOME="$T/cache"
find "$T/evtx" -name '*.evtx' -print0 | sort -z > "$T/evtx.list"
for what in evtx otrf; do
  echo "== sigil hunt -j 1 -r rules/windows --format csv over $what (whole command)"
  HUNT=("$BUILD/sigil" hunt -q -j 1 -r "$RULES" --format csv "$T/$what")
  series "cold (empty cache: parse rules, compile)" 'rm -rf "$T/cache"' "${HUNT[@]}"
  series "warm (rules and databases from the cache)" ':' "${HUNT[@]}"
  series "--no-cache" ':' "$BUILD/sigil" hunt --no-cache -q -j 1 -r "$RULES" --format csv "$T/$what"
  if [ "$what" = evtx ] && command -v evtxexport > /dev/null; then
    series "evtxexport -f xml, parse only (per file)" ':' sh -c "xargs -0 -n1 evtxexport -f xml < '$T/evtx.list'"
  fi
done
