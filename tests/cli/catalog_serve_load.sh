#!/usr/bin/env bash
# tests/cli/catalog_serve_load.sh — `sigil catalog serve` under load: bench/serve_load.sh runs
# wrk (loopback, 3 s, 32 connections) over pages, assets and /api/search of the PsExec
# catalog; the test passes when no request failed and the server is still up. No timing is
# asserted (throughput figures are in BENCHMARKS.md). Skips when wrk is not installed.
set -uo pipefail
SIGIL=$1
SRC=${SIGIL_SRC:?}
SHARED=${SIGIL_SHARED:-$SRC/../shared}
RULES=$SHARED/reference/psexec/rules/current
if [ ! -d "$RULES" ]; then echo "skip: no $RULES"; exit 0; fi
if ! command -v wrk >/dev/null; then echo "skip: no wrk"; exit 0; fi
bash "$SRC/bench/serve_load.sh" "$SIGIL" 3 32 2 "$RULES"
