#!/usr/bin/env bash
# bench/catalog_compare.sh — checks that two sigil binaries write the same catalog of the full
# corpus (Sigma rules*, Splunk security_content, Armory): a full build, a rebuild after one
# rule changed, and a second rebuild after a rule of another file changed. Every output file
# is hashed (SHA-256; catalog.sqlite through its SQL dump; the build's own records in .sigil/
# are left out, they carry each binary's fingerprint) and the lists are compared.
# Usage: bench/catalog_compare.sh BEFORE AFTER     (exit 0 when identical, 1 otherwise)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BEFORE=$1
AFTER=$2
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
RULE2=$(find "$TMP/rules/sigma-rules/windows/process_creation" -name '*.yml' | sort | sed -n 1p)
cp "$RULE" "$TMP/rule.orig"
cp "$RULE2" "$TMP/rule2.orig"
hash_tree() {  # dir → sorted "sha256  path" lines
  (cd "$1" && find . -path ./.sigil -prune -o -type f ! -name catalog.sqlite -print0 |
    xargs -0 sha256sum | sort -k2
   printf '%s  ./catalog.sqlite.dump\n' \
     "$(sqlite3 catalog.sqlite .dump | sha256sum | cut -d' ' -f1)")
}
status=0
for step in full onechange twochanges; do
  case $step in
    full) cp "$TMP/rule.orig" "$RULE"; cp "$TMP/rule2.orig" "$RULE2"; flag=--full ;;
    onechange) sed -i 's/^title: .*/title: PsExec Service Installation changed/' "$RULE"; flag= ;;
    twochanges) sed -i 's/^title: \(.*\)/title: \1 (changed)/' "$RULE2"; flag= ;;
  esac
  for b in before after; do
    bin=$BEFORE
    [ $b = after ] && bin=$AFTER
    # stderr: the diagnostics and the summary line, without its CPU figures and the path
    "$bin" catalog build "$TMP/rules" -o "$TMP/site-$b" $flag 2>&1 >/dev/null |
      sed -e 's/; CPU seconds.*//' -e "s#site-$b#site#g" >"$TMP/err-$b"
    hash_tree "$TMP/site-$b" >"$TMP/$step-$b.sha"
  done
  n=$(wc -l <"$TMP/$step-after.sha")
  if cmp -s "$TMP/$step-before.sha" "$TMP/$step-after.sha" &&
    cmp -s "$TMP/err-before" "$TMP/err-after"; then
    echo "$step: identical ($n files, diagnostics identical)"
  else
    echo "$step: DIFFERENT"
    diff "$TMP/$step-before.sha" "$TMP/$step-after.sha" | head -20 || true
    diff "$TMP/err-before" "$TMP/err-after" | head -5 || true
    status=1
  fi
done
exit $status
