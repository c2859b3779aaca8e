#!/usr/bin/env python3
"""conformance_report.py — writes docs/conformance.md: which Sigma checklist
IDs the conformance suite covers, and with which files.

Inputs (python3 standard library only):
  * the checklist (default ../shared/spec/sigma-checklist.md, or --checklist):
    one item per line, `- [ ] **ID**: ...`, under `## (a) Title (PREFIX)`
    section headings. A compound item such as `MOD-LT / MOD-LTE` or
    `VALID-TAG-CAR / CVE` names several IDs; it counts as covered when every
    one of them is.
  * fixtures: tests/fixtures/conformance/*.yml, cases start with `- id: ID`;
  * unit tests: `// covers: ID ID ...` comments in tests/unit/*.cpp (and any
    other test file under tests/, for the converter's tests).

IDs that the loader and interpreter cannot test (pipelines, back-end
rendering, engine windows, data tables) are listed with the reason from
NOT_FRONT_END below; PIPE-* and BK-* count as "covered by convert tests" only
when some test file names them in a `covers:` comment.

Usage: scripts/conformance_report.py [--checklist PATH] [--out PATH] [--check]
  --check   exit 1 if a fixture or test names an ID the checklist lacks.
"""
import argparse
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# IDs outside PIPE-*/BK-* that are not front-end behaviour, with the reason.
# "convert" items are checked like PIPE/BK: covered once a test names them.
NOT_FRONT_END = {
    "LOG-TAX-WINDOWS-CATEGORIES": ("data", "taxonomy table; no loader behaviour (any category loads)"),
    "LOG-TAX-WINDOWS-SERVICES": ("data", "taxonomy table (service to channel); no loader behaviour"),
    "LOG-TAX-OTHER": ("data", "taxonomy table; no loader behaviour"),
    "LOG-TAX-NETWORK-GENERIC": ("data", "taxonomy table; no loader behaviour"),
    "LOG-TO-INDEX": ("convert", "log sources select indexes through pipelines"),
    "META-LEVEL-ORDER": ("convert", "ordering used by pipeline rule_attribute conditions"),
    "META-YAML-FORMAT": (None, ""),
    "MOD-CIDR-EXPAND": ("convert", "wildcard expansion for back-ends without CIDR support"),
    "COLL-REFERENCE-ORDER": ("convert", "conversion order of referenced rules"),
    "FILT-PIPELINE": ("convert", "pipelines applied to injected filter detections"),
    "PH-VALUE-LIST": ("convert", "value_placeholders pipeline transformation"),
    "PH-WILDCARD": ("convert", "wildcard_placeholders pipeline transformation"),
    "PH-QUERY-EXPR": ("convert", "query_expression_placeholders pipeline transformation"),
    "PH-INCLUDE-EXCLUDE": ("convert", "placeholder transformation options"),
    "PH-EXTERNAL": ("convert", "file/http/command placeholders"),
    "PH-UNRESOLVED-ERROR": ("convert", "a conversion-time error; the reference interpreter never "
                            "matches an unresolved placeholder (placeholders.yml)"),
    "CORR-WINDOW": ("engine", "sliding windows are the engine's"),
    "CORR-UNSUPPORTED-MUST-ERROR": ("convert", "back-ends that cannot express a correlation"),
}


def parse_checklist(path):
    """Returns [(section_title, [item]), ...]; item = (label, [ids])."""
    sections = []
    head = re.compile(r"^## \(([a-z])\) (.+)$")
    item = re.compile(r"^- \[[ x]\] \*\*([^*]+)\*\*")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = head.match(line.rstrip())
            if m:
                sections.append((f"({m.group(1)}) {m.group(2)}", []))
                continue
            m = item.match(line)
            if m and sections:
                label = m.group(1).strip()
                sections[-1][1].append((label, expand_ids(label)))
    return sections


def expand_ids(label):
    """`MOD-LT / MOD-LTE` -> both; `VALID-TAG-CAR / CVE` -> VALID-TAG-CAR, VALID-TAG-CVE;
    `PIPE-RC-IS-SIGMA-RULE / IS-SIGMA-CORRELATION-RULE` -> PIPE-RC-IS-SIGMA-CORRELATION-RULE."""
    parts = [p.strip() for p in label.split("/")]
    first = parts[0]
    ids = [first]
    comps = first.split("-")
    section = comps[0] + "-"
    for p in parts[1:]:
        if p.startswith(section):
            ids.append(p)
            continue
        head = p.split("-")[0]
        # replace from the component of `first` that the suffix starts with,
        # else the same number of trailing components
        at = next((k for k in range(1, len(comps)) if comps[k] == head), None)
        if at is None:
            at = max(1, len(comps) - len(p.split("-")))
        ids.append("-".join(comps[:at] + [p]))
    return ids


def fixture_refs(root):
    refs = {}
    for path in sorted(glob.glob(os.path.join(root, "tests/fixtures/conformance/*.yml"))):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^- id:\s*(\S+)", line)
                if m:
                    refs.setdefault(m.group(1), {}).setdefault(rel, 0)
                    refs[m.group(1)][rel] += 1
    return refs


def test_refs(root):
    refs = {}
    for path in sorted(glob.glob(os.path.join(root, "tests/**/*"), recursive=True)):
        if not os.path.isfile(path) or "/fixtures/conformance/" in path:
            continue
        rel = os.path.relpath(path, root)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        for m in re.finditer(r"covers:\s*([A-Z0-9 \-]+)", text):
            for ident in m.group(1).split():
                if re.match(r"^[A-Z]+(-[A-Z0-9]+)+$", ident):
                    refs.setdefault(ident, set()).add(rel)
    return refs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checklist", default=os.path.join(ROOT, "..", "shared", "spec", "sigma-checklist.md"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "conformance.md"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()

    sections = parse_checklist(args.checklist)
    fx = fixture_refs(ROOT)
    ut = test_refs(ROOT)
    known = {i for _, items in sections for _, ids in items for i in ids}
    known |= {label for _, items in sections for label, _ in items}

    def where(ident):
        w = [f"{f} ({n})" for f, n in sorted(fx.get(ident, {}).items())]
        w += sorted(ut.get(ident, set()))
        return w

    out = []
    totals = []
    grand = [0, 0, 0]  # covered, not front-end, items
    conv_cov = 0  # converter items covered by convert tests
    body = []
    for title, items in sections:
        covered = other = 0
        rows = []
        for label, ids in items:
            files = []
            for i in ids + ([label] if len(ids) > 1 else []):
                files += where(i)
            all_cov = all(where(i) or where(label) for i in ids)
            kind, why = NOT_FRONT_END.get(ids[0], (None, ""))
            prefix = ids[0].split("-")[0]
            if prefix in ("PIPE", "BK") and kind is None:
                kind, why = "convert", "converter / pipeline feature"
            if all_cov:
                status = "covered by convert tests" if kind == "convert" else "covered"
                conv_cov += kind == "convert"
                covered += 1
            elif kind == "convert":
                status = "not covered (convert)"
                other += 1
            elif kind:
                status = f"not covered ({kind})"
                other += 1
            else:
                status = "**not covered**"
            note = why if not all_cov else ""
            rows.append(f"| {label} | {status} | {', '.join(sorted(set(files)))}{' — ' + note if note else ''} |")
        totals.append((title, covered, other, len(items)))
        grand[0] += covered
        grand[1] += other
        grand[2] += len(items)
        body.append(f"\n## {title}\n\n{covered} of {len(items)} covered"
                    f"{f', {other} belong to the converter, engine or data tables' if other else ''}.\n")
        body.append("| ID | status | where |\n|---|---|---|")
        body.extend(rows)

    out.append("# Sigma conformance\n")
    out.append("Generated by `scripts/conformance_report.py` from the checklist "
               "(`shared/spec/sigma-checklist.md`), the fixtures in "
               "`tests/fixtures/conformance/` (run by `tests/unit/conformance_test.cpp`) and "
               "`// covers:` comments in `tests/unit/`. Do not edit by hand.\n")
    out.append("An ID is *covered* when at least one fixture case or unit test names it "
               "(compound items need all their IDs). Items the loader and reference "
               "interpreter cannot test are marked with where they belong: `convert` "
               "(pipelines, back-end rendering), `engine`, or `data` (taxonomy tables).\n")
    out.append("## Totals\n")
    out.append("| section | covered | converter/engine/data | items |\n|---|---|---|---|")
    for title, c, o, n in totals:
        out.append(f"| {title} | {c} | {o} | {n} |")
    out.append(f"| **all** | **{grand[0]}** | {grand[1]} | {grand[2]} |\n")
    missing = grand[2] - grand[0] - grand[1]
    out.append(f"Front-end items (all but converter/engine/data, less those covered by "
               f"convert tests): {grand[2] - grand[1] - conv_cov}; covered: {grand[0] - conv_cov}; "
               f"not covered: {missing}.\n")
    out.extend(body)

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")

    unknown = sorted((set(fx) | set(ut)) - known)
    for u in unknown:
        print(f"warning: {u} is not a checklist ID ({', '.join(where(u))})", file=sys.stderr)
    print(f"{args.out}: {grand[0]}/{grand[2]} items covered, {grand[1]} converter/engine/data, "
          f"{missing} front-end items not covered", file=sys.stderr)
    return 1 if (args.check and unknown) else 0


if __name__ == "__main__":
    sys.exit(main())
