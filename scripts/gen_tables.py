#!/usr/bin/env python3
"""Generates the compact knowledge tables in data/ from ../shared/data.

Owns: data/*.tsv (every file there is written by this script and nothing else).
Inputs (read only): ATT&CK TSVs, the ATT&CK v19 overlay and id redirects, Windows event
titles, the Sigma logsource map, Splunk data sources, ATC "data needed" and the Atomic Red
Team index. Column meanings are documented in docs/knowledge.md.

How it works: every input is read with the csv module (tab separated, no quoting, except the
Atomic Red Team CSV), normalised (whitespace inside a field collapses to one space, so no
output field ever holds a tab or a newline), filtered to the columns the product uses, sorted
on a stable key and written as UTF-8 with '\\n' line endings. The output is a pure function of
the inputs: running it twice gives byte-identical files, which tests/unit/knowledge_test.cpp
checks against the committed data/.

Derived facts (documented in docs/knowledge.md):
  * ATT&CK v19: the tactics Stealth (TA0005, reuses Defense Evasion's id) and Defense
    Impairment (TA0112) come from v19_overlay.tsv; techniques new in v19 come from the overlay
    and from the Atomic Red Team index (which follows v19), and each technique's v19 tactics
    come from the Atomic Red Team index when it has tests there.
  * Redirects: revoked technique ids -> successor (elastic redirects), v18 -> v19 id changes
    (elastic v18->v19 yaml and the overlay).
  * Audit settings: the Windows advanced audit policy subcategory (or the setting that turns a
    non-Security log on) for well-known events, from Microsoft's public documentation; kept
    in AUDIT_SETTINGS below because no input file carries it.

Usage: scripts/gen_tables.py [--shared DIR] [--out DIR]
"""

import argparse
import csv
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Windows advanced audit policy subcategory per Security event id ("Category > Subcategory"),
# and for other logs the setting that makes the event appear. Facts from Microsoft's
# "Advanced security audit policy settings" and Group Policy documentation.
_AUDIT_SECURITY = {
    "Account Logon > Audit Credential Validation": [4774, 4775, 4776, 4777],
    "Account Logon > Audit Kerberos Authentication Service": [4768, 4771, 4772],
    "Account Logon > Audit Kerberos Service Ticket Operations": [4769, 4770, 4773],
    "Account Management > Audit Computer Account Management": [4741, 4742, 4743],
    "Account Management > Audit Security Group Management": [
        4727, 4728, 4729, 4730, 4731, 4732, 4733, 4734, 4735, 4737, 4754, 4755, 4756, 4757,
        4758, 4764, 4799],
    "Account Management > Audit User Account Management": [
        4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740, 4765, 4766, 4767, 4780, 4781, 4794,
        4798, 5376, 5377],
    "Detailed Tracking > Audit Process Creation": [4688, 4696],
    "Detailed Tracking > Audit Process Termination": [4689],
    "Detailed Tracking > Audit PNP Activity": [6416, 6419, 6420, 6421, 6422, 6423, 6424],
    "Detailed Tracking > Audit DPAPI Activity": [4692, 4693, 4694, 4695],
    "DS Access > Audit Directory Service Access": [4662],
    "DS Access > Audit Directory Service Access, or Object Access > Audit SAM": [4661],
    "DS Access > Audit Directory Service Changes": [5136, 5137, 5138, 5139, 5141],
    "Logon/Logoff > Audit Group Membership": [4627],
    "Logon/Logoff > Audit Logoff": [4634, 4647],
    "Logon/Logoff > Audit Logon": [4624, 4625, 4648, 4675],
    "Logon/Logoff > Audit Other Logon/Logoff Events": [4649, 4778, 4779, 4800, 4801, 4802,
                                                       4803, 5378, 5632, 5633],
    "Logon/Logoff > Audit Special Logon": [4672, 4964],
    "Object Access > Audit Certification Services": [
        4868, 4869, 4870, 4871, 4872, 4873, 4874, 4875, 4876, 4877, 4878, 4879, 4880, 4881,
        4882, 4883, 4884, 4885, 4886, 4887, 4888, 4889, 4890, 4891, 4892, 4893, 4894, 4895,
        4896, 4897, 4898],
    "Object Access > Audit Detailed File Share": [5145],
    "Object Access > Audit File Share": [5140, 5142, 5143, 5144, 5168],
    "Object Access > Audit File System, Registry or Kernel Object (by object type)": [
        4656, 4658, 4660, 4663, 4670],
    "Object Access > Audit Filtering Platform Connection": [5150, 5151, 5154, 5155, 5156,
                                                           5157, 5158, 5159],
    "Object Access > Audit Other Object Access Events": [4691, 4698, 4699, 4700, 4701, 4702,
                                                         5148, 5149, 5888, 5889, 5890],
    "Object Access > Audit Registry": [4657, 5039],
    "Policy Change > Audit Audit Policy Change": [4715, 4719, 4817, 4902, 4904, 4905, 4906,
                                                  4907, 4908, 4912],
    "Policy Change > Audit Authentication Policy Change": [4706, 4707, 4713, 4716, 4717, 4718,
                                                           4739, 4864, 4865, 4866, 4867],
    "Policy Change > Audit Authorization Policy Change": [4703, 4704, 4705, 4911, 4913],
    "Policy Change > Audit MPSSVC Rule-Level Policy Change": [4944, 4945, 4946, 4947, 4948,
                                                              4949, 4950, 4954, 4956, 4957,
                                                              4958],
    "Privilege Use > Audit Sensitive Privilege Use": [4673, 4674],
    "System > Audit Security State Change": [4608, 4616, 4621],
    "System > Audit Security System Extension": [4610, 4611, 4614, 4622, 4697],
    "System > Audit System Integrity": [4612, 4615, 4618, 5038, 5056, 5062, 5057, 5060, 5061,
                                       6281, 6410],
    "(always logged: audit log service events)": [1100, 1102, 1104, 1105, 1108],
    "(Windows 2003 legacy policy: Audit logon events)": [528, 529, 538, 540],
    "(Windows 2003 legacy policy: Audit account logon events)": [672, 673, 675, 680],
}

# (channel, event id or None for every event of the channel) -> setting.
_AUDIT_OTHER = [
    ("Microsoft-Windows-PowerShell/Operational", 4103,
     "Group Policy: Windows PowerShell > Turn on Module Logging"),
    ("Microsoft-Windows-PowerShell/Operational", 4104,
     "Group Policy: Windows PowerShell > Turn on PowerShell Script Block Logging"),
    ("PowerShellCore/Operational", 4103,
     "Group Policy: PowerShell Core > Turn on Module Logging"),
    ("PowerShellCore/Operational", 4104,
     "Group Policy: PowerShell Core > Turn on PowerShell Script Block Logging"),
    ("Windows PowerShell", 800, "Group Policy: Windows PowerShell > Turn on Module Logging"),
    ("Microsoft-Windows-Sysmon/Operational", None,
     "Sysmon installed, with this event enabled in its configuration"),
    ("Microsoft-Windows-TaskScheduler/Operational", None,
     "Enable the Microsoft-Windows-TaskScheduler/Operational log (off by default)"),
    ("Microsoft-Windows-DriverFrameworks-UserMode/Operational", None,
     "Enable the Microsoft-Windows-DriverFrameworks-UserMode/Operational log (off by default)"),
    ("Microsoft-Windows-CAPI2/Operational", None,
     "Enable the Microsoft-Windows-CAPI2/Operational log (off by default)"),
    ("Microsoft-Windows-NTLM/Operational", 8001,
     "Security Options: Network security: Restrict NTLM: Audit outgoing NTLM traffic"),
    ("Microsoft-Windows-NTLM/Operational", 8002,
     "Security Options: Network security: Restrict NTLM: Audit Incoming NTLM Traffic"),
    ("Microsoft-Windows-NTLM/Operational", 8004,
     "Security Options: Network security: Restrict NTLM: Audit NTLM authentication in this "
     "domain"),
    ("Microsoft-Windows-DNS-Server/Analytical", None,
     "Enable the DNS Server analytic log (off by default)"),
    ("Microsoft-Windows-LDAP-Client/Debug", None,
     "Enable the LDAP client debug ETW trace (off by default)"),
]


def audit_setting(channel, event_id):
    """The audit or logging setting for (channel, event id), or "" when not known."""
    if channel == "Security":
        return _AUDIT_BY_EID.get(event_id, "")
    for ch, eid, setting in _AUDIT_OTHER:
        if ch == channel and (eid is None or eid == event_id):
            return setting
    return ""


_AUDIT_BY_EID = {}
for _setting, _eids in _AUDIT_SECURITY.items():
    for _eid in _eids:
        _AUDIT_BY_EID[_eid] = _setting

_WS = re.compile(r"\s+")


def clean(value):
    """One-line field: whitespace runs become one space, ends trimmed."""
    return _WS.sub(" ", value or "").strip()


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def write_tsv(out_dir, name, header, rows):
    path = os.path.join(out_dir, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            assert len(row) == len(header), (name, row)
            fields = [clean(str(v)) for v in row]
            f.write("\t".join(fields) + "\n")
    return path


def id_key(tid):
    """Sort key for ATT&CK ids: prefix letters, then numbers (T1003 < T1003.001 < T1004)."""
    m = re.match(r"^([A-Z]+)(\d+)(?:\.(\d+))?$", tid)
    if not m:
        return (tid, 0, -1)
    return (m.group(1), int(m.group(2)), int(m.group(3) or -1))


def status_of(row):
    if row.get("revoked") == "1":
        return "revoked"
    if row.get("deprecated") == "1":
        return "deprecated"
    return "active"


# ----------------------------------------------------------------------------- ATT&CK


def gen_attack(shared, out):
    attack = os.path.join(shared, "data", "attack")
    atomic_rows = read_atomic(shared)

    # Tactics: v18 table plus the v19 overlay. Defense Evasion keeps its row, marked retired
    # in v19; Stealth takes its id TA0005 and Defense Impairment is new (TA0112).
    tactics = []
    for r in read_tsv(os.path.join(attack, "tactics.tsv")):
        tactics.append([r["tactic_id"], r["shortname"], r["name"], "18", ""])
    overlay = read_tsv(os.path.join(attack, "v19_overlay.tsv"))
    for r in overlay:
        if r["kind"] != "tactic":
            continue
        m = re.match(r"^(.*?)\s*\(shortname ([a-z-]+)", r["name"])
        if not m:
            sys.exit("v19_overlay.tsv: cannot read tactic name %r" % r["name"])
        name, short = m.group(1), m.group(2)
        tactics.append([r["id"], short, name, "19", ""])
        if "Defense Evasion retired" in r["name"]:
            for t in tactics:
                if t[1] == "defense-evasion":
                    t[4] = "19"
    # Matrix order: v18 order, each v19 tactic placed right after the one it splits from.
    ordered = []
    for t in tactics:
        if t[3] == "18":
            ordered.append(t)
            if t[1] == "defense-evasion":
                ordered += [v for v in tactics if v[3] == "19"]
    tactic_rows = [[t[0], t[1], t[2], i, t[3], t[4]] for i, t in enumerate(ordered)]
    write_tsv(out, "attack_tactics.tsv",
              ["id", "shortname", "name", "order", "since", "retired_in"], tactic_rows)

    # Techniques (v18 bundle).
    techniques = {}
    for r in read_tsv(os.path.join(attack, "techniques.tsv")):
        techniques[r["technique_id"]] = {
            "name": r["name"], "tactics": r["tactics"].split(",") if r["tactics"] else [],
            "status": status_of(r), "since": "18"}

    # v19 tactics evidence from the Atomic Red Team index (one row per tactic and test).
    atomic_tactics, atomic_names = {}, {}
    for r in atomic_rows:
        tid = r["Technique #"]
        atomic_tactics.setdefault(tid, set()).add(r["Tactic"])
        atomic_names.setdefault(tid, clean(r["Technique Name"]))

    # v19 id changes: yaml (authoritative names) and the overlay (adds ids seen in Sigma).
    redirects = {}  # (from, reason) -> to

    def add_v19(tid, name, source_ids):
        if tid not in techniques:
            techniques[tid] = {"name": name, "tactics": [], "status": "active", "since": "19"}
        elif not techniques[tid]["name"]:
            techniques[tid]["name"] = name
        for old in source_ids:
            if old and old != tid:
                redirects[(old, "v19")] = tid

    for old, new, name in read_v18_to_v19(os.path.join(attack, "elastic_attack_v18_to_v19.yaml")):
        if new:
            add_v19(new, name, [old])
        else:
            redirects[(old, "v19")] = ""
    for r in overlay:
        if r["kind"] != "technique":
            continue
        name = "" if r["name"].startswith("(name unknown") else r["name"]
        add_v19(r["id"], name, [s.strip() for s in r["replaces_v18"].split(",")])
    # Techniques only the (v19) Atomic index knows, and names it supplies for overlay ids.
    for tid, full in atomic_names.items():
        short = full.split(": ", 1)[1] if "." in tid and ": " in full else full
        if tid not in techniques:
            techniques[tid] = {"name": short, "tactics": [], "status": "active", "since": "19"}
        elif not techniques[tid]["name"]:
            techniques[tid]["name"] = short

    # Revoked ids -> successors.
    with open(os.path.join(attack, "elastic_attack_technique_redirects.json"),
              encoding="utf-8") as f:
        for old, new in json.load(f)["mapping"].items():
            reason = "revoked" if techniques.get(old, {}).get("status") == "revoked" else "moved"
            redirects[(old, reason)] = new
    # A v19 row that repeats a revoked redirect adds nothing.
    for (old, reason), new in list(redirects.items()):
        if reason == "v19" and redirects.get((old, "revoked")) == new:
            del redirects[(old, reason)]

    # v19 tactics: Atomic evidence; else unchanged when ATT&CK v19 had no reason to move the
    # technique (no defense-evasion in v18); else a v19-only sub-technique takes its parent's;
    # else unknown (empty).
    def v19_tactics(tid, t):
        if tid in atomic_tactics:
            return sorted(atomic_tactics[tid], key=tactic_order(tactic_rows))
        if t["since"] == "18" and "defense-evasion" not in t["tactics"]:
            return t["tactics"]
        parent = tid.split(".")[0]
        if t["since"] == "19" and parent != tid and parent in atomic_tactics:
            return sorted(atomic_tactics[parent], key=tactic_order(tactic_rows))
        return []

    rows = []
    for tid in sorted(techniques, key=id_key):
        t = techniques[tid]
        rows.append([tid, t["name"], ",".join(t["tactics"]), ",".join(v19_tactics(tid, t)),
                     t["status"], t["since"]])
    write_tsv(out, "attack_techniques.tsv",
              ["id", "name", "tactics", "tactics_v19", "status", "since"], rows)

    rows = [[old, new, reason] for (old, reason), new in redirects.items()]
    rows.sort(key=lambda r: (id_key(r[0]), r[2]))
    write_tsv(out, "attack_redirects.tsv", ["from", "to", "reason"], rows)

    # Software, groups, mitigations (M ids only: the T-numbered ones are deprecated
    # pre-2019 mitigation objects that would shadow technique ids), campaigns.
    rows = [[r["software_id"], r["name"], r["type"], r["aliases"], status_of(r)]
            for r in read_tsv(os.path.join(attack, "software.tsv"))]
    write_tsv(out, "attack_software.tsv", ["id", "name", "type", "aliases", "status"],
              sorted(rows, key=lambda r: id_key(r[0])))
    rows = [[r["group_id"], r["name"], r["aliases"], status_of(r)]
            for r in read_tsv(os.path.join(attack, "groups.tsv"))]
    write_tsv(out, "attack_groups.tsv", ["id", "name", "aliases", "status"],
              sorted(rows, key=lambda r: id_key(r[0])))
    rows = [[r["mitigation_id"], r["name"], status_of(r)]
            for r in read_tsv(os.path.join(attack, "mitigations.tsv"))
            if r["mitigation_id"].startswith("M")]
    write_tsv(out, "attack_mitigations.tsv", ["id", "name", "status"],
              sorted(rows, key=lambda r: id_key(r[0])))
    rows = [[r["campaign_id"], r["name"], r["aliases"], status_of(r)]
            for r in read_tsv(os.path.join(attack, "campaigns.tsv"))]
    write_tsv(out, "attack_campaigns.tsv", ["id", "name", "aliases", "status"],
              sorted(rows, key=lambda r: id_key(r[0])))

    # Atomic Red Team tests: one row per test (the index repeats a test under each tactic).
    tests = {}
    for r in atomic_rows:
        guid = r["Test GUID"].strip().lower()
        tests.setdefault(guid, [r["Technique #"], int(r["Test #"]), r["Test Name"], guid,
                                r["Executor Name"]])
    rows = sorted(tests.values(), key=lambda r: (id_key(r[0]), r[1], r[3]))
    write_tsv(out, "atomic_tests.tsv", ["technique", "number", "name", "guid", "executor"], rows)


def tactic_order(tactic_rows):
    order = {t[1]: t[3] for t in tactic_rows}
    return lambda short: (order.get(short, 99), short)


def read_atomic(shared):
    path = os.path.join(shared, "data", "atomic-red-team", "index.csv")
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_v18_to_v19(path):
    """(old id, new id or "" when dropped, new name) from elastic's attack_v18_to_v19.yaml.

    The file is a two-level mapping (section -> old id -> {id, name, reference} or null);
    a tiny indentation reader is enough and keeps the script stdlib-only.
    """
    out, current, fields = [], None, {}

    def flush():
        if current is not None:
            out.append((current, fields.get("id", ""), fields.get("name", "")))

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m2 = re.match(r"^  (T[0-9.]+):\s*(null|~)?\s*$", line)
            m4 = re.match(r"^    (\w+):\s*(.*)$", line)
            if m2:
                flush()
                current, fields = m2.group(1), {}
            elif m4 and current is not None:
                fields[m4.group(1)] = m4.group(2).strip().strip("'\"")
            elif not line.startswith(" "):
                flush()
                current, fields = None, {}
    flush()
    return out


# ----------------------------------------------------------------------------- events

# Titles that only name a task or a number and add nothing over "Event ID N".
_PLACEHOLDER_TITLE = re.compile(r"^(task_\d+|Event \d+|None|)$")
_TITLE_SOURCE = {"hayabusa": "h", "ossem-dd": "o", "atc-data": "a", "ossem-dd(task)": "t"}


def gen_events(shared, out):
    events = os.path.join(shared, "data", "events")

    rows = []
    for r in read_tsv(os.path.join(events, "windows_events.tsv")):
        if _PLACEHOLDER_TITLE.match(r["title"].strip()):
            continue
        provider = "" if r["provider"].startswith("(channel:") else r["provider"]
        rows.append([provider, int(r["event_id"]), r["channel"], r["title"],
                     _TITLE_SOURCE.get(r["title_source"], "?")])
    rows.sort(key=lambda r: (r[0].lower(), r[0], r[1], r[2]))
    write_tsv(out, "windows_events.tsv", ["provider", "event_id", "channel", "title", "src"],
              rows)

    pipelines = {"pySigma sigma/pipelines/common.py windows_logsource_mapping": "common",
                 "pySigma-pipeline-sysmon": "sysmon", "pySigma-pipeline-windows": "windows",
                 "pySigma-pipeline-windows (windows_audit_pipeline)": "windows_audit"}
    rows = []
    for r in read_tsv(os.path.join(events, "sigma_logsource_map.tsv")):
        rows.append([r["product"], r["category"], r["service"], r["channel"], r["provider"],
                     r["event_ids"], pipelines.get(r["source"], clean(r["source"]))])
    # The input order is meaningful (pipeline order); keep it.
    write_tsv(out, "sigma_logsources.tsv",
              ["product", "category", "service", "channel", "provider", "event_ids",
               "pipeline"], rows)

    rows = []
    for r in read_tsv(os.path.join(events, "splunk_data_sources.tsv")):
        m = re.match(r"^(?:Xml)?WinEventLog:(.+)$", r["source"], re.I)
        channel = m.group(1) if m else ""
        rows.append([r["data_source_name"], r["source"], r["sourcetype"], channel,
                     r["provider_from_example"], r["event_id"]])
    rows.sort(key=lambda r: (r[0].lower(), r[0]))
    write_tsv(out, "splunk_data_sources.tsv",
              ["name", "source", "sourcetype", "channel", "provider", "event_id"], rows)

    # Data needed: ATC's list, each row with its audit setting, plus the Security events that
    # have a known audit subcategory but no ATC page (their atc_id is empty).
    rows, seen = [], set()
    for r in read_tsv(os.path.join(events, "atc_data_needed_windows.tsv")):
        eid = int(r["event_id"])
        rows.append([r["channel"], r["provider"], eid, r["data_needed_id"],
                     audit_setting(r["channel"], eid)])
        seen.add((r["channel"], eid))
    for eid in sorted(_AUDIT_BY_EID):
        if ("Security", eid) not in seen:
            rows.append(["Security", "Microsoft-Windows-Security-Auditing", eid, "",
                         audit_setting("Security", eid)])
    rows.sort(key=lambda r: (r[0], r[2], r[1], r[3]))
    write_tsv(out, "data_needed.tsv", ["channel", "provider", "event_id", "atc_id", "audit"],
              rows)


def gen_sources(shared, out):
    """Where the tables come from: one row per upstream, for the catalog's about page."""
    rows = []
    with open(os.path.join(shared, "data", "attack", "VERSION.txt"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"attack_version=([\d.]+) \(mitre/cti commit ([0-9a-f]+)", text)
    if m:
        rows.append(["mitre/cti", "ATT&CK " + m.group(1) + " + v19 overlay", m.group(2)])
    with open(os.path.join(shared, "data", "events", "SOURCES.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and "/" in parts[0] and re.match(r"^[0-9a-f]{40}$", parts[1]):
                rows.append([parts[0], "events", parts[1]])
    write_tsv(out, "sources.tsv", ["upstream", "what", "revision"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"),
                    help="the shared/ folder (default: ../shared next to the repo)")
    ap.add_argument("--out", default=os.path.join(REPO, "data"), help="output folder")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.shared, "data")):
        sys.exit("gen_tables: %s/data not found" % args.shared)
    os.makedirs(args.out, exist_ok=True)
    gen_attack(args.shared, args.out)
    gen_events(args.shared, args.out)
    gen_sources(args.shared, args.out)


if __name__ == "__main__":
    main()
