#!/usr/bin/env python3
"""fuzz/make_seeds.py — rebuilds the seed corpora fuzz/corpus/<target>/ from
the project's own fixtures: the Sigma conformance cases
(tests/fixtures/conformance), examples/rules and examples/broken, the YAML
fast-path cases, and the SPL queries and Splunk YAML texts written in
tests/unit/spl_*_test.cpp. EVTX seeds are written by the unit test
HardeningEvtxSeeds.Write (tests/unit/hardening_evtx_test.cpp) when
SIGIL_WRITE_EVTX_SEEDS names a directory; pass the sigil_tests binary with
--tests to refresh them as well.

Seeds are named by the SHA-1 of their content (as libFuzzer names units), so
rerunning the script is idempotent. Usage:
    python3 fuzz/make_seeds.py [--tests build/sigil_tests]
"""
import argparse
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
MAX_SEED = 16 * 1024  # keep the checked-in corpora small


def write_seeds(target, seeds):
    d = os.path.join(CORPUS, target)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    n = 0
    for s in seeds:
        b = s.encode("utf-8") if isinstance(s, str) else s
        if not b or len(b) > MAX_SEED:
            continue
        name = hashlib.sha1(b).hexdigest()
        path = os.path.join(d, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(b)
            n += 1
    print(f"{target}: {n} seeds")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def conformance_rules():
    """The `rule` text of each conformance case, with the runner's defaults."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/conformance/*.yml"))):
        for case in yaml.safe_load(read(path)) or []:
            text = case.get("rule")
            if not isinstance(text, str):
                continue
            if "\n---" not in text and not text.startswith("---"):
                if not re.search(r"^title:", text, re.M) and "(no title: key)" not in text:
                    text = "title: conformance case\n" + text
                if not re.search(r"^(logsource|correlation):", text, re.M):
                    text = "logsource: {product: test}\n" + text
            out.append(text)
    return out


def example_files():
    paths = glob.glob(os.path.join(ROOT, "examples/rules/*.yml"))
    paths += glob.glob(os.path.join(ROOT, "examples/broken/*.yml"))
    return [read(p) for p in sorted(paths)]


def conditions(texts):
    out = set()
    for t in texts:
        for m in re.finditer(r"^\s*condition:\s*(.+)$", t, re.M):
            v = m.group(1).strip()
            if v[:1] in "'\"" and v[-1:] == v[:1]:
                v = v[1:-1]
            if v and v[0] not in "[{|>":
                out.add(v)
    out |= {"1 of sel* and not 1 of filter_*", "all of them", "any of selection_*",
            "sel | count() by User > 5", "not (sel or keywords) and sel2",
            "((sel))", "sel and", "", "fuzz_rule and sel1", "1 of *"}
    return sorted(out)


def cpp_string_literals(src):
    """Ordinary "..." and raw R"(...)" literals of a C++ file, decoded."""
    out = []
    for m in re.finditer(r'R"([^(\s]*)\((.*?)\)\1"|"((?:[^"\\\n]|\\.)*)"', src, re.S):
        if m.group(2) is not None:
            out.append(m.group(2))
            continue
        raw = m.group(3)
        try:
            out.append(bytes(raw, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8"))
        except (UnicodeDecodeError, UnicodeEncodeError):
            out.append(raw)
    return out


def spl_queries():
    src = read(os.path.join(ROOT, "tests/unit/spl_parser_test.cpp"))
    out = []
    for m in re.finditer(r'run_(?:spl|sql)\(\s*((?:R"\(.*?\)"|"(?:[^"\\\n]|\\.)*"\s*)+)', src, re.S):
        out.append("".join(cpp_string_literals(m.group(1))))
    loader = read(os.path.join(ROOT, "tests/unit/spl_loader_test.cpp"))
    for lit in cpp_string_literals(loader):
        for q in re.finditer(r"^(?:search|logic|definition): (.*)$", lit, re.M):
            out.append(q.group(1).strip("'|>"))
    return out


def spl_yaml_texts():
    loader = read(os.path.join(ROOT, "tests/unit/spl_loader_test.cpp"))
    return [t for t in cpp_string_literals(loader) if re.search(r"^\w+:", t, re.M)]


def yaml_texts(rules):
    src = read(os.path.join(ROOT, "tests/unit/yaml_fast_test.cpp"))
    lits = [t for t in cpp_string_literals(src) if ":" in t or t.startswith("-")]
    return rules + lits


def jsonl_texts():
    """Event documents: the example logs line by line and whole, and the JSON
    literals of the reader's unit tests. The first byte picks the layout."""
    docs = []
    for path in sorted(glob.glob(os.path.join(ROOT, "examples/events/*.jsonl"))):
        text = read(path)
        docs.append(text)
        docs += [line for line in text.splitlines() if line.strip()]
    src = read(os.path.join(ROOT, "tests/unit/jsonl_reader_test.cpp"))
    docs += [t for t in cpp_string_literals(src) if t.lstrip()[:1] in ("{", "[")]
    return [bytes([i % 4]) + d.encode("utf-8") for i, d in enumerate(docs)]


def pipeline_texts():
    """Pipeline YAML: the built-in pipelines' text pieces and the pipelines
    written in the pipeline and convert unit tests."""
    out = []
    for src in ("src/pipeline/builtin.cpp", "tests/unit/pipeline_test.cpp",
                "tests/unit/convert_targets_test.cpp"):
        path = os.path.join(ROOT, src)
        if os.path.exists(path):
            out += [t for t in cpp_string_literals(read(path))
                    if re.search(r"^\s*(-\s*)?(type|transformations|name|postprocessing):", t, re.M)]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", help="sigil_tests binary: also regenerate the EVTX seeds")
    args = ap.parse_args()
    rules = conformance_rules() + example_files()
    write_seeds("sigma_rule", rules)
    write_seeds("sigma_condition", conditions(rules))
    write_seeds("yaml_diff", yaml_texts(rules))
    write_seeds("spl_query", spl_queries())
    write_seeds("spl_yaml", spl_yaml_texts())
    write_seeds("jsonl_lines", jsonl_texts())
    write_seeds("pipeline_yaml", pipeline_texts())
    if args.tests:
        d = os.path.join(CORPUS, "evtx_bytes")
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        env = dict(os.environ, SIGIL_WRITE_EVTX_SEEDS=d)
        subprocess.run([args.tests, "--gtest_filter=HardeningEvtxSeeds.*"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        print(f"evtx_bytes: {len(os.listdir(d))} seeds")
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(CORPUS, "*/*")))
    print(f"total {total} bytes")
    if total > 2 * 1024 * 1024:
        sys.exit("corpus over 2 MB: trim the seeds")


if __name__ == "__main__":
    main()
