#!/usr/bin/env bash
# tests/cli/catalog_cli.sh — `sigil catalog build` and `sigil catalog serve` as users run
# them: the PsExec rules of the seed pages become a site, a rebuild reuses it, the server
# serves pages and /api/search, binds loopback, and refuses path traversal.
set -uo pipefail
SIGIL=$1
SRC=${SIGIL_SRC:?}
SHARED=${SIGIL_SHARED:-$SRC/../shared}
RULES=$SHARED/reference/psexec/rules/current
if [ ! -d "$RULES" ]; then echo "skip: no $RULES"; exit 0; fi
fail=0
t() { printf '%-60s' "$1"; }
ok() { echo ok; }
ko() { echo "FAIL: $*"; fail=1; }
TMP=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

t "build writes the site, markdown, json, sqlite, layer, csv"
"$SIGIL" catalog build "$RULES" -o "$TMP/site" 2>"$TMP/err"; rc=$?
page=$TMP/site/rules/sigma-42c575ea-e41e-41f1-b248-8093c3e82a28
[ $rc -eq 0 ] && [ -f "$page.html" ] && [ -f "$page.md" ] && [ -f "$page.json" ] \
  && [ -f "$TMP/site/catalog.sqlite" ] && [ -f "$TMP/site/navigator-layer.json" ] \
  && [ -f "$TMP/site/rules.csv" ] && [ -f "$TMP/site/techniques/T1569.002.html" ] \
  && [ -f "$TMP/site/events/service_control_manager-7045.html" ] && ok || ko "rc=$rc $(cat "$TMP/err")"

t "rule page shows the seed's values"
grep -q 'T1569.002 System Services: Service Execution' "$page.html" \
  && grep -q 'Service-Control-Manager' "$page.html" && grep -q 'Event ID 7045' "$page.html" \
  && grep -q 'S0029 PsExec' "$page.html" && grep -q 'Stage 1: selection_eid' "$page.html" \
  && ok || ko "sections missing"

t "json page and csv carry the analyses"
python3 - "$page.json" "$TMP/site/rules.csv" <<'PY' && ok || ko "json/csv"
import json, sys, csv
m = json.load(open(sys.argv[1]))
assert m["tactics"][0]["tactic"] == "Execution"
assert any(i["field"] == "ImagePath" and i["kind"] == "ends_with" for i in m["indicators"])
assert m["events"][0]["event_id"] == 7045
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
r = [x for x in rows if x["title"] == "PsExec Service Installation"][0]
assert r["event_ids"] == "7045" and r["techniques"] == "T1569.002" and r["level"] == "medium"
PY

t "sqlite database has FTS5 and the documented tables"
python3 - "$TMP/site/catalog.sqlite" <<'PY' && ok || ko "sqlite"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("select count(*) from rules_fts where rules_fts match 'psexesvc'").fetchone()[0]
assert n >= 3, n
t = db.execute("select technique_id from rule_techniques t join rules r on r.rowid=t.rule "
               "where r.rule_id='42c575ea-e41e-41f1-b248-8093c3e82a28'").fetchall()
assert t == [("T1569.002",)], t
assert db.execute("select value from meta where key='schema_version'").fetchone()[0] == "1"
PY

t "rebuild without changes reuses every page"
out=$("$SIGIL" catalog build "$RULES" -o "$TMP/site" 2>&1)
grep -q '(6 from cache)' <<<"$out" && grep -q ' 0 files written' <<<"$out" && ok || ko "$out"

t "build refuses a directory that is not a catalog"
mkdir -p "$TMP/other" && echo keep >"$TMP/other/file"
"$SIGIL" catalog build "$RULES" -o "$TMP/other" >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && [ "$(cat "$TMP/other/file")" = keep ] && ok || ko "rc=$rc"

t "serve binds loopback and serves the site"
"$SIGIL" catalog serve "$TMP/site" --port 0 2>"$TMP/serve.err" &
SERVER=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.err")
  [ -n "$port" ] && break; sleep 0.1
done
base="http://127.0.0.1:$port"
code=$(curl -s -o "$TMP/index.html" -w '%{http_code}' "$base/")
[ -n "$port" ] && [ "$code" = 200 ] && grep -q 'id="q"' "$TMP/index.html" && ok || ko "port=$port code=$code"

t "/api/search finds the PsExec rules"
curl -s "$base/api/search?q=psexec" >"$TMP/search.json"
python3 - "$TMP/search.json" <<'PY' && ok || ko "$(cat "$TMP/search.json")"
import json, sys
j = json.load(open(sys.argv[1]))
titles = [r["title"] for r in j["results"]]
assert j["count"] >= 5, j
assert "PsExec Service Installation" in titles, titles
assert all(r["url"].startswith("/rules/") for r in j["results"])
PY

t "path traversal and private files are refused"
c1=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$base/../../etc/passwd")
c2=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$base/rules/%2e%2e/%2e%2e/etc/passwd")
c3=$(curl -s -o /dev/null -w '%{http_code}' "$base/.sigil/manifest")
c4=$(curl -s -o /dev/null -w '%{http_code}' "$base/rules/nope.html")
c5=$(curl -s -o /dev/null -w '%{http_code}' "$base/rules/sigma-42c575ea-e41e-41f1-b248-8093c3e82a28.json")
[ "$c1" != 200 ] && [ "$c2" = 403 ] && [ "$c3" = 403 ] && [ "$c4" = 404 ] && [ "$c5" = 200 ] \
  && ok || ko "$c1 $c2 $c3 $c4 $c5"

t "serve stops on SIGTERM"
kill -TERM "$SERVER"; wait "$SERVER"; rc=$?; SERVER=""
[ $rc -eq 0 ] && ok || ko "rc=$rc"
exit $fail
