#!/usr/bin/env bash
# bench/check.sh — `sigil check` over the 3,780 rule files of SigmaHQ rules*:
# median wall, CPU (user+sys) and peak RSS of N runs, plus the load average
# (these machines are shared; CPU time is the steadier figure).
set -euo pipefail
SIGIL=${1:-build/sigil}
N=${N:-7}
S=${SIGIL_SHARED:-$(dirname "$0")/../../shared}/corpus/sigma
dirs=("$S/rules" "$S/rules-threat-hunting" "$S/rules-emerging-threats" "$S/rules-placeholder" "$S/rules-compliance")
for i in $(seq "$N"); do
  /usr/bin/time -f "%e %U %S %M" "$SIGIL" check -q "${dirs[@]}" 2>&1 >/dev/null | tail -1
done | python3 -c '
import sys, statistics as st
rows=[list(map(float,l.split())) for l in sys.stdin if l.strip()]
w=st.median(r[0] for r in rows); c=st.median(r[1]+r[2] for r in rows); m=st.median(r[3] for r in rows)
print(f"runs {len(rows)}  wall median {w:.3f} s  cpu(user+sys) median {c:.3f} s  peak RSS median {m/1024:.1f} MB")'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores;$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
