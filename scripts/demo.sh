#!/usr/bin/env bash
# make demo: runs sigil's main jobs on the data shipped in examples/.
set -uo pipefail
SIGIL=${1:-build/sigil}
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

say "Check the example rules (clean)" "sigil check examples/rules"
"$SIGIL" check examples/rules

say "Check rules with mistakes: every problem with file:line:col" "sigil check examples/broken"
"$SIGIL" check examples/broken || true

say "Translate the rules into Splunk and Elasticsearch queries" \
    "sigil convert -t splunk examples/rules; sigil convert -t es-qs examples/rules"
"$SIGIL" convert -t splunk examples/rules
"$SIGIL" convert -t es-qs examples/rules

say "Hunt the example logs with the compiled engine" "sigil hunt -r examples/rules examples/events"
"$SIGIL" hunt -r examples/rules examples/events

say "The same with the reference interpreter (exact, slow)" \
    "sigil eval -r examples/rules examples/events/sysmon_sample.jsonl"
"$SIGIL" eval -r examples/rules examples/events/sysmon_sample.jsonl

OUT=${DEMO_OUT:-build/demo-catalog}
say "Build the detection wiki for the example rules" "sigil catalog build examples/rules -o $OUT"
"$SIGIL" catalog build examples/rules -o "$OUT" && ls "$OUT" | head -20
echo
echo "Browse it with: $SIGIL catalog serve $OUT   (http://127.0.0.1:8080/)"
