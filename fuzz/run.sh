#!/usr/bin/env bash
# fuzz/run.sh — runs the libFuzzer targets of a fuzz build for a fixed time
# each and prints one summary line per target (used by `make fuzz-smoke` and
# `make fuzz-long`; docs/hardening.md).
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]     (default: every fuzz_* in BUILD_DIR/fuzz)
# FUZZ_JOBS=N runs up to N targets at once (default 1), each for SECONDS.
# FUZZ_TIMEOUT=S is libFuzzer's per-input limit in wall seconds (default 10); a
# run niced behind other work needs more, or starved inputs count as hangs.
# Seeds come from fuzz/corpus/<target> (read only); new inputs go to
# BUILD_DIR/fuzz-corpus/<target>, crashes to BUILD_DIR/fuzz-artifacts/<target>/,
# the libFuzzer output to BUILD_DIR/fuzz-logs/<target>.log.
# Exit status 1 when any target found a crash, a leak, a timeout or an OOM.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
secs="$2"
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$build"/fuzz/fuzz_*; do targets+=("$(basename "$f" | sed 's/^fuzz_//')"); done
fi

dict_of() {
  case "$1" in
    sigma_rule | yaml_diff) echo sigma ;;
    sigma_condition) echo condition ;;
    spl_*) echo spl ;;
    pipeline_*) echo pipeline ;;
    jsonl_*) echo json ;;
    evtx_*) echo evtx ;;
    *) echo "" ;;
  esac
}

mkdir -p "$build/fuzz-logs"
export LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# run_one TARGET: runs one target, prints its summary line; returns 1 on failure.
run_one() {
  local t="$1" bin="$build/fuzz/fuzz_$1" work art log args d seeds rc last runs eps cov corp
  [ -x "$bin" ] || { echo "fuzz $t: FAILED: no $bin"; return 1; }
  work="$build/fuzz-corpus/$t"
  art="$build/fuzz-artifacts/$t"
  log="$build/fuzz-logs/$t.log"
  mkdir -p "$work" "$art"
  args=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}" -print_final_stats=1
    -artifact_prefix="$art/")
  d="$(dict_of "$t")"
  [ -n "$d" ] && args+=(-dict="$here/dict/$d.dict")
  case "$t" in
    evtx_*) args+=(-max_len=139264) ;;  # file header + two 64 KiB chunks
    *) args+=(-max_len=16384) ;;
  esac
  seeds=()
  [ -d "$here/corpus/$t" ] && seeds+=("$here/corpus/$t")
  "$bin" "${args[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  # The last status line: "#N  DONE  cov: C ft: F corp: U/SIZE exec/s: E rss: R".
  last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
  runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')"
  eps="$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$')"
  cov="$(echo "$last" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+')"
  corp="$(echo "$last" | grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' | sed 's/corp: //')"
  if [ $rc -ne 0 ]; then
    echo "fuzz $t: FAILED (exit $rc) after ${runs:-?} runs; see $log and $art/"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz invariant)' "$log" | head -3 | sed 's/^/  /'
    return 1
  fi
  echo "fuzz $t: ok ${secs}s runs=${runs:-?} exec/s=${eps:-?} cov=${cov:-?} corpus=${corp:-?}"
}

# Up to FUZZ_JOBS targets at a time; each writes its summary to a file, printed
# in target order at the end, and its exit status decides ours.
jobs_max="${FUZZ_JOBS:-1}"
declare -A pid_of
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  run_one "$t" > "$build/fuzz-logs/$t.summary" 2>&1 &
  pid_of[$t]=$!
done
status=0
for t in "${targets[@]}"; do
  wait "${pid_of[$t]}" || status=1
  cat "$build/fuzz-logs/$t.summary"
done
exit $status
