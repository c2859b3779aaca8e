#!/usr/bin/env python3
"""Per-target agreement of `sigil convert` with two public converters.

For each (reference tool, reference target) -> sigil target pair, runs
`sigil convert -t TARGET -f json` over the reference corpus once, then compares
every rule both sides converted, after normalization:

  exact   whitespace collapsed
  loose   also: parentheses, quotes and `.keyword` removed, case folded,
          backslash runs collapsed to one, `<TABLE_NAME>` replaced by our table
          (structure-insensitive: catches differences of field names, values,
          escaping of letters, operators)

It also reports how many rules each side converted. Prints a Markdown table
(the one in docs/convert.md). Usage:
  scripts/compare_references.py [--sigil build/sigil] [--shared ../shared]
"""
import argparse, json, os, re, subprocess, sys

PAIRS = [
    # (reference dir, reference file, sigil target, extra args, extractor)
    ("legacy-sigmac", "splunk", "splunk", [], None),
    ("legacy-sigmac", "es-qs", "es-qs", [], None),
    ("legacy-sigmac", "kibana", "kibana", ["-p", "winlogbeat"], "kibana"),
    ("legacy-sigmac", "xpack-watcher", "es-qs", [], "watcher"),
    ("legacy-sigmac", "graylog", "graylog", [], None),
    ("legacy-sigmac", "logpoint", "logpoint", [], None),
    ("legacy-sigmac", "powershell", "powershell", [], None),
    ("legacy-sigmac", "grep", "grep", ["-O", "mode=plain"], None),
    ("legacy-sigmac", "sqlite", "sql", [], None),
    ("pysigma", "splunk", "splunk", [], None),
    ("pysigma", "lucene", "lucene", [], None),
    ("pysigma", "eql", "eql", [], None),
    ("pysigma", "esql", "esql", [], None),
    ("pysigma", "sqlite", "sql", [], None),
]


def extract(kind, q):
    try:
        if kind == "kibana":
            obj = json.loads(q)[0]["_source"]["kibanaSavedObjectMeta"]["searchSourceJSON"]
            return json.loads(obj)["query"]["query_string"]["query"]
        if kind == "watcher":
            return json.loads(q)["metadata"]["query"]
    except Exception:
        return None
    return q


def norm_exact(q):
    return re.sub(r"\s+", " ", q).strip()


def norm_loose(q):
    q = q.replace("<TABLE_NAME>", "eventlog").replace(".keyword", "")
    q = re.sub(r"[()\"'`\[\]]", "", q)
    q = re.sub(r"\\+", "\\\\", q)
    q = re.sub(r"\s+", " ", q).strip().lower()
    return q


def load_ref(path):
    out = {}
    txt = subprocess.run(["zstdcat", path], capture_output=True, check=True).stdout.decode()
    for line in txt.splitlines():
        d = json.loads(line)
        out[d["rule_path"]] = d
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sigil", default=os.path.join(os.path.dirname(__file__), "..", "build", "sigil"))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    a = ap.parse_args()
    corpus = os.path.realpath(os.path.join(a.shared, "corpus", "sigma"))
    refdir = os.path.join(a.shared, "reference", "conversions")
    cache = {}
    print("| reference | target | ref converted | sigil converted | both | exact | loose |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for tool, rtarget, target, extra, kind in PAIRS:
        ref = load_ref(os.path.join(refdir, tool, rtarget + ".jsonl.zst"))
        key = (target, tuple(extra))
        if key not in cache:
            dirs = sorted({p.split("/")[0] for p in ref})
            args = [a.sigil, "convert", "-t", target, "-f", "json", *extra,
                    *[os.path.join(corpus, d) for d in dirs]]
            res = subprocess.run(args, capture_output=True)
            ours = {}
            for obj in json.loads(res.stdout.decode() or "[]"):
                rel = os.path.relpath(os.path.realpath(obj["path"]), corpus)
                ours.setdefault(rel, []).append(obj["query"])
            cache[key] = ours
        ours = cache[key]
        ref_ok = {p: d for p, d in ref.items() if d.get("ok")}
        both = exact = loose = 0
        for p, d in ref_ok.items():
            if p not in ours:
                continue
            rq = extract(kind, d["query"]) if kind else d["query"]
            if rq is None:
                continue
            both += 1
            oq = "\n".join(ours[p])
            if norm_exact(rq) == norm_exact(oq):
                exact += 1
            if norm_loose(rq) == norm_loose(oq):
                loose += 1
        conv = sum(1 for p in ref if p in ours)
        pct = lambda n: f"{n} ({100.0 * n / both:.1f}%)" if both else "0"
        print(f"| {tool} | {rtarget} → {target} {' '.join(extra)} | {len(ref_ok)} of {len(ref)} | "
              f"{conv} of {len(ref)} | {both} | {pct(exact)} | {pct(loose)} |")


if __name__ == "__main__":
    main()
