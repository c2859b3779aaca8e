#!/usr/bin/env bash
# bench/catalog_build.sh — `sigil catalog build` over the full corpus (Sigma rules*, Splunk
# security_content, Armory): a first build into an empty directory (fresh), a full build over
# the previous catalog (--full: a new tree swapped in, the old one removed), a rebuild with
# nothing changed, and a rebuild after one rule changed. Prints the median CPU time (user+sys)
# and wall time of RUNS runs each.
# Usage: [STEPS="fresh full nochange onechange"] bench/catalog_build.sh [SIGIL] [RUNS] [SIGIL2...]
# (defaults: build/sigil, 3)
# With SIGIL2 (and more), the binaries run side by side (alternating, each on its own output
# dir), so a before/after comparison sees the same machine load.
# The corpus is copied to a temporary directory so one rule can be edited.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
SIGIL=${1:-$SRC/build/sigil}
RUNS=${2:-3}
CORPUS=${SIGIL_SHARED:-$SRC/../shared}/corpus
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/rules"
for d in rules rules-threat-hunting rules-emerging-threats rules-placeholder rules-compliance; do
  cp -r "$CORPUS/sigma/$d" "$TMP/rules/sigma-$d"
done
cp -r "$CORPUS/splunk-security-content/detections" "$TMP/rules/ssc"
cp -r "$CORPUS/armory/detections" "$TMP/rules/armory"
RULE=$TMP/rules/sigma-rules/windows/builtin/system/service_control_manager/win_system_service_install_sysinternals_psexec.yml
measure() {  # label, then the command; appends "cpu wall" to $TMP/$label
  local label=$1; shift
  /usr/bin/time -f "%U %S %e" -o "$TMP/t" "$@" >/dev/null 2>&1
  awk '{printf "%.3f %.3f\n", $1 + $2, $3}' "$TMP/t" >>"$TMP/$label"
}
median() { sort -n -k"$2" "$TMP/$1" | awk -v k="$2" '{a[NR]=$k} END {print a[int((NR+1)/2)]}'; }
BINS=("$SIGIL")
BINS+=("${@:3}")
# STEPS=onechange measures only the one-rule-changed rebuild (after one unmeasured full build
# per binary), for more runs of the figure that matters at a smaller cost.
STEPS=${STEPS:-fresh full nochange onechange}
# fresh: each run writes a new directory, kept until the end, and all fresh runs come first:
# on ext4 without a journal (this machine), creating files right after many were deleted
# costs more system time (the inode allocator skips recently freed inodes one by one), and
# the other steps delete whole trees.
if [[ " $STEPS " == *" fresh "* ]]; then
  for i in $(seq "$RUNS"); do
    for b in "${!BINS[@]}"; do
      measure "fresh$b" "${BINS[$b]}" catalog build "$TMP/rules" -o "$TMP/fresh$b-$i"
    done
  done
fi
if [[ " $STEPS " != *" full "* ]]; then
  for b in "${!BINS[@]}"; do
    "${BINS[$b]}" catalog build "$TMP/rules" -o "$TMP/site$b" --full >/dev/null 2>&1
  done
fi
for i in $(seq "$RUNS"); do
  if [[ " $STEPS " == *" full "* ]]; then
    for b in "${!BINS[@]}"; do
      measure "full$b" "${BINS[$b]}" catalog build "$TMP/rules" -o "$TMP/site$b" --full
    done
  fi
  if [[ " $STEPS " == *" nochange "* ]]; then
    for b in "${!BINS[@]}"; do
      measure "nochange$b" "${BINS[$b]}" catalog build "$TMP/rules" -o "$TMP/site$b"
    done
  fi
  sed -i "s/^title: .*/title: PsExec Service Installation $i/" "$RULE"
  for b in "${!BINS[@]}"; do
    measure "onechange$b" "${BINS[$b]}" catalog build "$TMP/rules" -o "$TMP/site$b"
  done
done
rules=$("$SIGIL" catalog build "$TMP/rules" -o "$TMP/site0" --format json 2>/dev/null |
  python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["rules"], "rules from", j["files"], "files")')
echo "catalog build over $rules; median of $RUNS runs (CPU = user+sys seconds, wall seconds)"
for b in "${!BINS[@]}"; do
  echo "${BINS[$b]}"
  for l in $STEPS; do
    printf '  %-10s CPU %6.2f s   wall %6.2f s\n' "$l" "$(median $l$b 1)" "$(median $l$b 2)"
  done
done
