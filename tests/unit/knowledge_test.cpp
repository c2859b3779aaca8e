// tests/unit/knowledge_test.cpp — the embedded knowledge tables: ATT&CK lookups and tag
// classification, Windows events, logsources, Splunk data sources, data needed, Atomic tests,
// and the table loader's handling of bad rows.
#include "sigil/knowledge.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

using namespace sigil;

namespace {

const Knowledge& K() {
    return knowledge();
}

std::vector<std::string> tactic_names(const std::vector<const Tactic*>& ts) {
    std::vector<std::string> out;
    for (const Tactic* t : ts) out.emplace_back(t->shortname);
    return out;
}

}  // namespace

TEST(Knowledge, EmbeddedTablesLoadWithoutErrors) {
    for (const Diagnostic& d : K().load_errors())
        ADD_FAILURE() << d.loc.str() << ": " << d.code << ": " << d.message;
    EXPECT_GE(K().all_techniques().size(), 850u);
    EXPECT_EQ(K().all_tactics().size(), 16u);
    EXPECT_GE(K().all_software().size(), 780u);
    EXPECT_GE(K().all_groups().size(), 180u);
    EXPECT_GE(K().all_mitigations().size(), 40u);
    EXPECT_GE(K().all_campaigns().size(), 50u);
    EXPECT_GE(K().all_windows_events().size(), 20000u);
    EXPECT_GE(K().all_logsources().size(), 80u);
    EXPECT_GE(K().all_splunk_data_sources().size(), 200u);
    EXPECT_GE(K().all_data_needed().size(), 200u);
    EXPECT_GE(K().all_atomic_tests().size(), 1800u);
    EXPECT_FALSE(K().sources().empty());
}

TEST(Knowledge, SingletonIsSharedAcrossThreads) {
    std::vector<const Knowledge*> seen(4, nullptr);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&seen, i] {
            seen[i] = &knowledge();
            EXPECT_NE(seen[i]->technique("T1569.002"), nullptr);
        });
    for (auto& t : threads) t.join();
    for (const Knowledge* k : seen) EXPECT_EQ(k, &knowledge());
}

// ------------------------------------------------------------------ techniques

TEST(KnowledgeAttack, TechniqueByIdAnyCase) {
    for (const char* id : {"T1569.002", "t1569.002"}) {
        const Technique* t = K().technique(id);
        ASSERT_NE(t, nullptr) << id;
        EXPECT_EQ(t->id, "T1569.002");
        EXPECT_EQ(t->name, "Service Execution");
        EXPECT_EQ(t->parent_id, "T1569");
        EXPECT_EQ(t->parent_name, "System Services");
        EXPECT_EQ(t->full_name(), "System Services: Service Execution");
        EXPECT_EQ(t->display(), "T1569.002 System Services: Service Execution");
        EXPECT_EQ(tactic_names(t->tactics), std::vector<std::string>{"execution"});
        EXPECT_EQ(t->status, AttackStatus::Active);
        EXPECT_EQ(t->since, 18);
    }
    const Technique* parent = K().technique("T1569");
    ASSERT_NE(parent, nullptr);
    EXPECT_FALSE(parent->is_subtechnique());
    EXPECT_EQ(parent->display(), "T1569 System Services");
    EXPECT_EQ(K().technique("T9999"), nullptr);
    EXPECT_EQ(K().technique(""), nullptr);
}

TEST(KnowledgeAttack, TacticsInMatrixOrder) {
    const Technique* t = K().technique("T1543.003");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->full_name(), "Create or Modify System Process: Windows Service");
    EXPECT_EQ(tactic_names(t->tactics),
              (std::vector<std::string>{"persistence", "privilege-escalation"}));
}

TEST(KnowledgeAttack, RevokedIdsRedirect) {
    TechniqueLookup l = K().resolve_technique("t1035");
    ASSERT_TRUE(l);
    EXPECT_EQ(l.fate, TechniqueFate::Revoked);
    EXPECT_EQ(l.technique->name, "Service Execution");
    ASSERT_NE(l.current, nullptr);
    EXPECT_EQ(l.current->id, "T1569.002");

    // T1077 Windows Admin Shares (the seed's "old one") → SMB/Windows Admin Shares.
    l = K().resolve_technique("T1077");
    ASSERT_NE(l.current, nullptr);
    EXPECT_EQ(l.current->id, "T1021.002");

    // A chain: T1073 → T1574.002 (itself revoked) → T1574.001.
    l = K().resolve_technique("T1073");
    EXPECT_EQ(l.fate, TechniqueFate::Revoked);
    ASSERT_NE(l.current, nullptr);
    EXPECT_EQ(l.current->id, "T1574.001");
}

TEST(KnowledgeAttack, DeprecatedAndUnknown) {
    TechniqueLookup l = K().resolve_technique("T1026");  // Multiband Communication
    ASSERT_TRUE(l);
    EXPECT_EQ(l.fate, TechniqueFate::Deprecated);
    EXPECT_EQ(l.current, nullptr);

    l = K().resolve_technique("T1999.999");
    EXPECT_FALSE(l);
    EXPECT_EQ(l.fate, TechniqueFate::Unknown);
    EXPECT_STREQ(technique_fate_name(l.fate), "unknown");
}

TEST(KnowledgeAttack, V19Moves) {
    TechniqueLookup l = K().resolve_technique("T1562.001");
    EXPECT_EQ(l.fate, TechniqueFate::Current);  // still valid in v18.1
    ASSERT_NE(l.v19, nullptr);
    EXPECT_EQ(l.v19->id, "T1685");
    EXPECT_EQ(l.v19->name, "Disable or Modify Tools");

    l = K().resolve_technique("T1070.001");
    ASSERT_NE(l.v19, nullptr);
    EXPECT_EQ(l.v19->display(), "T1685.005 Disable or Modify Tools: Clear Windows Event Logs");

    // T1089 was revoked into T1562.001, which v19 moved to T1685.
    l = K().resolve_technique("T1089");
    EXPECT_EQ(l.fate, TechniqueFate::Revoked);
    ASSERT_NE(l.current, nullptr);
    EXPECT_EQ(l.current->id, "T1562.001");
    ASSERT_NE(l.v19, nullptr);
    EXPECT_EQ(l.v19->id, "T1685");

    const Technique* t = K().technique("T1685.005");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->since, 19);
    EXPECT_TRUE(t->tactics.empty());
    EXPECT_EQ(tactic_names(t->tactics_v19), std::vector<std::string>{"defense-impairment"});

    // A v19 sub-technique whose name is not in the local data shows its id only.
    t = K().technique("T1686.002");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->display(), "T1686.002");
    EXPECT_EQ(t->parent_name, "Disable or Modify System Firewall");
}

TEST(KnowledgeAttack, V19TacticsAndConsistency) {
    const Technique* rundll = K().technique("T1218.011");
    ASSERT_NE(rundll, nullptr);
    EXPECT_EQ(tactic_names(rundll->tactics), std::vector<std::string>{"defense-evasion"});
    EXPECT_EQ(tactic_names(rundll->tactics_v19), std::vector<std::string>{"stealth"});
    EXPECT_EQ(tactic_names(rundll->current_tactics()), std::vector<std::string>{"stealth"});
    EXPECT_TRUE(rundll->in_tactic(*K().tactic("stealth")));
    EXPECT_TRUE(rundll->in_tactic(*K().tactic("defense-evasion")));
    EXPECT_FALSE(rundll->in_tactic(*K().tactic("defense-impairment")));
    EXPECT_FALSE(rundll->in_tactic(*K().tactic("execution")));

    // Unknown v19 tactics with Defense Evasion in v18: both v19 successors are accepted.
    const Technique* imp = K().technique("T1562.009");
    ASSERT_NE(imp, nullptr);
    EXPECT_TRUE(imp->tactics_v19.empty());
    EXPECT_TRUE(imp->in_tactic(*K().tactic("defense-impairment")));
    EXPECT_TRUE(imp->in_tactic(*K().tactic("stealth")));

    const Technique* psexec = K().technique("T1569.002");
    EXPECT_TRUE(psexec->in_tactic(*K().tactic("execution")));
    EXPECT_FALSE(psexec->in_tactic(*K().tactic("lateral-movement")));
}

// ------------------------------------------------------------------ tactics, objects

TEST(KnowledgeAttack, TacticLookups) {
    const Tactic* lm = K().tactic("lateral-movement");
    ASSERT_NE(lm, nullptr);
    EXPECT_EQ(lm->id, "TA0008");
    EXPECT_EQ(lm->name, "Lateral Movement");
    EXPECT_EQ(K().tactic("lateral_movement"), lm);
    EXPECT_EQ(K().tactic("TA0008"), lm);
    EXPECT_EQ(K().tactic("ta0008"), lm);
    EXPECT_EQ(K().tactic("Lateral Movement"), lm);
    EXPECT_EQ(lm->display(), "TA0008 Lateral Movement");

    const Tactic* de = K().tactic("defense_evasion");
    ASSERT_NE(de, nullptr);
    EXPECT_EQ(de->name, "Defense Evasion");
    EXPECT_EQ(de->retired_in, 19);
    EXPECT_FALSE(de->current());
    const Tactic* stealth = K().tactic("TA0005");  // the id now names Stealth
    ASSERT_NE(stealth, nullptr);
    EXPECT_EQ(stealth->shortname, "stealth");
    EXPECT_EQ(stealth->since, 19);
    const Tactic* di = K().tactic("defense-impairment");
    ASSERT_NE(di, nullptr);
    EXPECT_EQ(di->id, "TA0112");
    EXPECT_EQ(K().tactic("not-a-tactic"), nullptr);

    auto all = K().all_tactics();
    EXPECT_EQ(all.front().shortname, "reconnaissance");
    EXPECT_EQ(all.back().shortname, "impact");
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                               [](const Tactic& a, const Tactic& b) { return a.order < b.order; }));
}

TEST(KnowledgeAttack, SoftwareGroupMitigationCampaign) {
    const AttackObject* s = K().software("S0029");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->name, "PsExec");
    EXPECT_EQ(s->type, "tool");
    EXPECT_EQ(s->kind, AttackObjectKind::Software);
    EXPECT_EQ(s->display(), "S0029 PsExec");
    EXPECT_EQ(K().software("s0002")->name, "Mimikatz");

    const AttackObject* g = K().group("G0007");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->name, "APT28");
    auto aliases = g->alias_list();
    EXPECT_NE(std::find(aliases.begin(), aliases.end(), "Fancy Bear"), aliases.end());

    const AttackObject* m = K().mitigation("m1026");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->name, "Privileged Account Management");
    EXPECT_EQ(K().mitigation("T1035"), nullptr);  // old T-numbered mitigations are dropped

    const AttackObject* c = K().campaign("C0001");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->name, "Frankenstein");
    EXPECT_EQ(K().group("G9999"), nullptr);
}

// ------------------------------------------------------------------ tags

TEST(KnowledgeTags, Technique) {
    AttackTag t = K().classify_tag("attack.t1569.002");
    EXPECT_EQ(t.kind, AttackTagKind::Technique);
    EXPECT_TRUE(t.known);
    EXPECT_EQ(t.id, "T1569.002");
    EXPECT_EQ(t.display, "T1569.002 System Services: Service Execution");
    EXPECT_EQ(t.technique.fate, TechniqueFate::Current);

    t = K().classify_tag("attack.t1035");
    EXPECT_EQ(t.kind, AttackTagKind::Technique);
    EXPECT_TRUE(t.known);
    EXPECT_EQ(t.technique.fate, TechniqueFate::Revoked);
    EXPECT_EQ(t.technique.current->id, "T1569.002");

    t = K().classify_tag("attack.t9999");
    EXPECT_EQ(t.kind, AttackTagKind::Technique);
    EXPECT_FALSE(t.known);
    EXPECT_EQ(t.display, "T9999");
}

TEST(KnowledgeTags, TacticSpellings) {
    AttackTag t = K().classify_tag("attack.execution");
    EXPECT_EQ(t.kind, AttackTagKind::Tactic);
    EXPECT_TRUE(t.known);
    EXPECT_FALSE(t.legacy_spelling);
    EXPECT_EQ(t.id, "TA0002");
    EXPECT_EQ(t.display, "TA0002 Execution");

    t = K().classify_tag("attack.lateral_movement");
    EXPECT_EQ(t.kind, AttackTagKind::Tactic);
    EXPECT_TRUE(t.legacy_spelling);
    EXPECT_EQ(t.tactic->shortname, "lateral-movement");

    t = K().classify_tag("attack.ta0008");
    EXPECT_EQ(t.kind, AttackTagKind::Tactic);
    EXPECT_EQ(t.display, "TA0008 Lateral Movement");

    t = K().classify_tag("attack.stealth");
    EXPECT_EQ(t.kind, AttackTagKind::Tactic);
    EXPECT_EQ(t.display, "TA0005 Stealth");

    // A tactic's display name is not a tag.
    EXPECT_EQ(K().classify_tag("attack.Lateral Movement").kind, AttackTagKind::Unknown);
}

TEST(KnowledgeTags, ObjectsAndOthers) {
    AttackTag t = K().classify_tag("attack.s0029");
    EXPECT_EQ(t.kind, AttackTagKind::Software);
    EXPECT_TRUE(t.known);
    EXPECT_EQ(t.display, "S0029 PsExec");
    ASSERT_NE(t.object, nullptr);
    EXPECT_EQ(t.object->name, "PsExec");

    t = K().classify_tag("attack.g0007");
    EXPECT_EQ(t.kind, AttackTagKind::Group);
    EXPECT_EQ(t.display, "G0007 APT28");

    t = K().classify_tag("attack.m1026");
    EXPECT_EQ(t.kind, AttackTagKind::Mitigation);
    EXPECT_EQ(t.display, "M1026 Privileged Account Management");

    t = K().classify_tag("attack.c0001");
    EXPECT_EQ(t.kind, AttackTagKind::Campaign);
    EXPECT_TRUE(t.known);

    t = K().classify_tag("attack.ds0005");
    EXPECT_EQ(t.kind, AttackTagKind::DataSource);
    EXPECT_EQ(t.id, "DS0005");
    EXPECT_FALSE(t.known);

    t = K().classify_tag("attack.s9999");
    EXPECT_EQ(t.kind, AttackTagKind::Software);
    EXPECT_FALSE(t.known);

    EXPECT_EQ(K().classify_tag("attack.nonsense").kind, AttackTagKind::Unknown);
    EXPECT_EQ(K().classify_tag("attack.t10").kind, AttackTagKind::Unknown);
    EXPECT_EQ(K().classify_tag("attack.").kind, AttackTagKind::Unknown);
    EXPECT_EQ(K().classify_tag("cve.2021-44228").kind, AttackTagKind::NotAttack);
    EXPECT_EQ(K().classify_tag("").kind, AttackTagKind::NotAttack);
    EXPECT_STREQ(attack_tag_kind_name(AttackTagKind::DataSource), "data source");
}

// ------------------------------------------------------------------ events

TEST(KnowledgeEvents, TitlesByProviderShortProviderOrChannel) {
    const WindowsEvent* e = K().windows_event("Security", 4688);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->title, "A new process has been created");
    EXPECT_EQ(e->provider, "Microsoft-Windows-Security-Auditing");
    EXPECT_EQ(e->provider_short, "Security-Auditing");
    EXPECT_EQ(K().windows_event("Microsoft-Windows-Security-Auditing", 4688), e);
    EXPECT_EQ(K().windows_event("security-auditing", 4688), e);

    e = K().windows_event("Sysmon", 1);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->title, "Process creation");
    EXPECT_EQ(e->channel, "Microsoft-Windows-Sysmon/Operational");
    EXPECT_EQ(K().windows_event("Microsoft-Windows-Sysmon/Operational", 1), e);

    e = K().windows_event("Service-Control-Manager", 7045);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->provider, "Service Control Manager");
    EXPECT_EQ(e->title, "A service was installed in the system");
    EXPECT_EQ(K().windows_event("System", 7045), e);

    // Security 1102 comes from the Eventlog provider; the channel finds it.
    e = K().windows_event("Security", 1102);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->provider, "Microsoft-Windows-Eventlog");

    EXPECT_EQ(K().windows_event("Security", 999999), nullptr);
    EXPECT_EQ(K().windows_event("No Such Log", 1), nullptr);
    EXPECT_FALSE(K().windows_events("System", 7045).empty());
}

TEST(KnowledgeEvents, ShortProviderName) {
    EXPECT_EQ(provider_short_name("Service Control Manager"), "Service-Control-Manager");
    EXPECT_EQ(provider_short_name("Microsoft-Windows-Security-Auditing"), "Security-Auditing");
    EXPECT_EQ(provider_short_name("Microsoft-Windows-Windows Defender"), "Windows-Defender");
    EXPECT_EQ(provider_short_name("PowerShell"), "PowerShell");
}

TEST(KnowledgeEvents, SigmaLogsources) {
    auto rows = K().logsource("windows", "process_creation", "sysmon");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]->channel, "Microsoft-Windows-Sysmon/Operational");
    EXPECT_EQ(rows[0]->provider, "Microsoft-Windows-Sysmon");
    EXPECT_EQ(rows[0]->event_ids, std::vector<uint32_t>{1});
    EXPECT_EQ(rows[0]->pipeline, "sysmon");

    // Without a service: Sysmon 1 and Security 4688.
    rows = K().logsource("windows", "process_creation", "");
    std::map<std::string, std::vector<uint32_t>> by_channel;
    for (auto* r : rows) by_channel[std::string(r->channel)] = r->event_ids;
    EXPECT_EQ(by_channel["Microsoft-Windows-Sysmon/Operational"], std::vector<uint32_t>{1});
    EXPECT_EQ(by_channel["Security"], std::vector<uint32_t>{4688});

    rows = K().logsource("windows", "registry_event", "sysmon");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]->event_ids, (std::vector<uint32_t>{12, 13, 14}));

    // A service alone: its channel, every event.
    rows = K().logsource("windows", "", "security");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]->channel, "Security");
    EXPECT_TRUE(rows[0]->event_ids.empty());

    rows = K().logsource("windows", "", "powershell");
    EXPECT_EQ(rows.size(), 2u);  // Windows PowerShell and PowerShell Core

    EXPECT_TRUE(K().logsource("linux", "process_creation", "").empty());
    EXPECT_TRUE(K().logsource("windows", "no_such_category", "").empty());
}

TEST(KnowledgeEvents, SplunkDataSources) {
    const SplunkDataSource* d = K().splunk_data_source("Sysmon EventID 1");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->provider, "Microsoft-Windows-Sysmon");
    EXPECT_EQ(d->channel, "Microsoft-Windows-Sysmon/Operational");
    ASSERT_TRUE(d->event_id.has_value());
    EXPECT_EQ(*d->event_id, 1u);

    d = K().splunk_data_source("windows event log security 4688");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->channel, "Security");
    EXPECT_EQ(d->event_id.value_or(0), 4688u);

    d = K().splunk_data_source("AWS CloudTrail");
    ASSERT_NE(d, nullptr);
    EXPECT_FALSE(d->event_id.has_value());
    EXPECT_EQ(d->sourcetype, "aws:cloudtrail");
    EXPECT_EQ(K().splunk_data_source("No Such Source"), nullptr);
}

TEST(KnowledgeEvents, DataNeeded) {
    const DataNeeded* d = K().data_needed("Security", 4688);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->audit, "Detailed Tracking > Audit Process Creation");
    EXPECT_EQ(d->atc_id.substr(0, 8), "DN_0002_");

    d = K().data_needed("Security", 5145);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->atc_id, "DN_0032_5145_network_share_object_was_accessed_detailed");
    EXPECT_EQ(d->audit, "Object Access > Audit Detailed File Share");

    // By provider too; a Security event ATC has no page for still has its audit setting.
    d = K().data_needed("Microsoft-Windows-Security-Auditing", 4689);
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(d->atc_id.empty());
    EXPECT_EQ(d->audit, "Detailed Tracking > Audit Process Termination");

    d = K().data_needed("Microsoft-Windows-PowerShell/Operational", 4104);
    ASSERT_NE(d, nullptr);
    EXPECT_NE(d->audit.find("Script Block Logging"), std::string_view::npos);

    d = K().data_needed("System", 7045);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->provider, "Service Control Manager");
    EXPECT_EQ(K().data_needed("Security", 1), nullptr);
}

// ------------------------------------------------------------------ atomic

TEST(KnowledgeAtomic, ExactRedirectedParent) {
    AtomicLookup a = K().atomic_tests("T1569.002");
    EXPECT_EQ(a.match, AtomicMatch::Exact);
    EXPECT_EQ(a.technique, "T1569.002");
    ASSERT_GE(a.tests.size(), 8u);
    EXPECT_EQ(a.tests[1].number, 2);
    EXPECT_EQ(a.tests[1].name, "Use PsExec to execute a command on a remote host");
    EXPECT_EQ(a.tests[1].guid, "873106b7-cfed-454b-8680-fa9f6400431c");
    EXPECT_EQ(a.tests[1].executor, "command_prompt");
    for (const AtomicTest& t : a.tests) EXPECT_EQ(t.technique, "T1569.002");

    a = K().atomic_tests("t1035");  // revoked → T1569.002
    EXPECT_EQ(a.match, AtomicMatch::Redirected);
    EXPECT_EQ(a.technique, "T1569.002");

    a = K().atomic_tests("T1562.001");  // moved to T1685 by v19, where the tests are now
    EXPECT_EQ(a.match, AtomicMatch::Redirected);
    EXPECT_EQ(a.technique, "T1685");

    a = K().atomic_tests("T1059.008");  // no tests of its own: the parent's
    EXPECT_EQ(a.match, AtomicMatch::Parent);
    EXPECT_EQ(a.technique, "T1059");
    ASSERT_FALSE(a.tests.empty());
    EXPECT_EQ(a.tests[0].technique, "T1059");

    a = K().atomic_tests("T9999");
    EXPECT_EQ(a.match, AtomicMatch::None);
    EXPECT_TRUE(a.tests.empty());
}

TEST(KnowledgeAtomic, UnderParent) {
    auto all = K().atomic_tests_under("T1059");
    size_t own = K().atomic_tests("T1059").tests.size();
    size_t ps = K().atomic_tests("T1059.001").tests.size();
    EXPECT_GT(all.size(), own + ps);
    for (const AtomicTest& t : all)
        EXPECT_TRUE(t.technique == "T1059" || t.technique.substr(0, 6) == "T1059.") << t.technique;
    EXPECT_EQ(K().atomic_tests_under("T1059.001").size(), ps);
    EXPECT_TRUE(K().atomic_tests_under("T9999").empty());
}

// ------------------------------------------------------------------ loader

TEST(KnowledgeLoader, BadRowsAreReportedAndSkipped) {
    std::map<std::string, std::string, std::less<>> tables;
    // Start from the embedded tables, then break a few.
    for (const char* name :
         {"attack_tactics.tsv", "attack_techniques.tsv", "attack_redirects.tsv",
          "attack_software.tsv", "attack_groups.tsv", "attack_mitigations.tsv",
          "attack_campaigns.tsv", "windows_events.tsv", "sigma_logsources.tsv",
          "splunk_data_sources.tsv", "data_needed.tsv", "atomic_tests.tsv", "sources.tsv"})
        tables[name] = std::string(embedded_table(name));
    tables["attack_techniques.tsv"] +=
        "T7777\tShort row\n"
        "T7778\tBad status\texecution\t\tmaybe\t18\n"
        "T7779\tBad tactic\tno-such-tactic\t\tactive\t18\n";
    tables["windows_events.tsv"] += "Prov\tnot-a-number\tChan\tTitle\to\n";
    tables["attack_groups.tsv"] = "wrong\theader\n";
    tables.erase("sources.tsv");

    Knowledge k([&](std::string_view name) -> std::string_view {
        auto it = tables.find(name);
        return it == tables.end() ? std::string_view() : std::string_view(it->second);
    });
    std::map<std::string, int> codes;
    for (const Diagnostic& d : k.load_errors()) {
        ++codes[d.code];
        EXPECT_NE(d.loc.file, nullptr);
    }
    EXPECT_EQ(codes["knowledge.table.bad_row"], 2);
    EXPECT_EQ(codes["knowledge.table.bad_reference"], 1);
    EXPECT_EQ(codes["knowledge.table.bad_number"], 1);
    EXPECT_EQ(codes["knowledge.table.bad_header"], 1);
    EXPECT_EQ(codes["knowledge.table.missing"], 1);
    // The rest still loads.
    EXPECT_NE(k.technique("T1569.002"), nullptr);
    EXPECT_EQ(k.technique("T7777"), nullptr);
    EXPECT_NE(k.technique("T7779"), nullptr);  // kept, without the unknown tactic
    EXPECT_TRUE(k.all_groups().empty());
    EXPECT_EQ(k.group("G0007"), nullptr);
    EXPECT_NE(k.windows_event("Security", 4688), nullptr);
}
