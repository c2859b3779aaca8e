#!/usr/bin/env bash
# make demo: runs sigil's main jobs on the data shipped in examples/.
set -uo pipefail
SIGIL=${1:-build/sigil}
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

say "Check the example rules (clean)" "sigil check examples/rules"
"$SIGIL" check examples/rules

say "Check a rule with mistakes: every problem with file:line:col" "sigil check examples/broken"
"$SIGIL" check examples/broken || true

say "Run the example rules over example Sysmon events (reference interpreter)" \
    "sigil eval -r examples/rules examples/events/sysmon_sample.jsonl"
"$SIGIL" eval -r examples/rules examples/events/sysmon_sample.jsonl

if "$SIGIL" --help 2>&1 | grep -q ' hunt'; then
  say "Hunt the example logs with the compiled engine" "sigil hunt -r examples/rules examples/events"
  "$SIGIL" hunt -r examples/rules examples/events
fi
echo
