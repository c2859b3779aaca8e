#!/bin/bash
# bench/hunt_compare.sh — CPU time (user+sys) and peak RSS of two sigil binaries
# running the same hunt, interleaved: per round, for each binary, a cold run on
# an empty cache directory, then two warm runs on that directory. Prints the
# medians per binary and kind.
# Usage: bench/hunt_compare.sh OLD_SIGIL NEW_SIGIL RULES LOGS [ROUNDS]
set -euo pipefail
OLD=$1 NEW=$2 RULES=$3 LOGS=$4 ROUNDS=${5:-5}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for i in $(seq "$ROUNDS"); do
    for b in old new; do
        bin=$OLD
        [ "$b" = new ] && bin=$NEW
        rm -rf "$T/cache-$b"
        mkdir -p "$T/cache-$b"
        for kind in cold warm warm; do
            /usr/bin/time -f "$b $kind %U %S %M" -a -o "$T/times" env XDG_CACHE_HOME="$T/cache-$b" \
                "$bin" hunt -j 1 --format csv -r "$RULES" "$LOGS" >/dev/null 2>&1
        done
    done
done
python3 - "$T/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for b in ("old", "new"):
    for k in ("cold", "warm"):
        v = sorted(float(r[2]) + float(r[3]) for r in rows if r[0] == b and r[1] == k)
        m = [int(r[4]) for r in rows if r[0] == b and r[1] == k]
        print(f"{b} {k}: CPU median {statistics.median(v):.3f} s (min {v[0]:.2f}, max {v[-1]:.2f}, "
              f"n={len(v)}), peak RSS median {statistics.median(m) / 1024:.0f} MB")
PY
