// tests/unit/spl_loader_test.cpp — security_content and Armory YAML into
// rules: metadata, macros from YAML, positions inside YAML scalars, YAML
// problems, and the PsExec rule of the seeds.
#include <gtest/gtest.h>

#include <filesystem>

#include "sigil/spl.h"

using namespace sigil;

namespace {

std::vector<std::string> commands(const Rule& r) {
    std::vector<std::string> c;
    for (auto& s : r.stages) c.push_back(s.command);
    return c;
}

std::string custom(const Rule& r, const char* key) {
    for (auto& [k, v] : r.custom)
        if (k == key) return v;
    return {};
}

bool has_code(const SplCollection& c, const char* code) {
    for (auto& d : c.diagnostics)
        if (d.code == code) return true;
    return false;
}

bool has_tag(const Rule& r, const char* t) {
    return std::find(r.tags.begin(), r.tags.end(), t) != r.tags.end();
}

const char* kSsc = R"(name: Detect Something
id: 11111111-2222-3333-4444-555555555555
version: 2
date: '2024-05-01'
author: Someone, Splunk
status: production
type: TTP
data_source:
- Sysmon EventID 1
description: Finds something.
search: '| tstats `security_content_summariesonly` count from datamodel=Endpoint.Processes
  where Processes.process_name=psexec.exe
  Processes.process="*-accepteula*" by Processes.dest | `drop_dm_object_name(Processes)`
  | `security_content_ctime(firstTime)` | `detect_something_filter`'
how_to_implement: Ingest logs.
known_false_positives: Administrators.
references:
- https://example.com/a
tags:
  analytic_story:
  - Story A
  mitre_attack_id:
  - T1569.002
  - T1021
  cve:
  - CVE-2021-44228
  required_fields:
  - Processes.dest
  security_domain: endpoint
)";

const char* kMacroCtime = R"(arguments:
  - field
definition: 'convert timeformat="%Y-%m-%dT%H:%M:%S" ctime($field$)'
description: convert epoch time to string
name: security_content_ctime
)";

const char* kMacroSummaries = R"(definition: summariesonly=true allow_old_summaries=true
name: security_content_summariesonly
)";

const char* kDataSource = R"(name: Sysmon EventID 1
id: b375f4d1
source: XmlWinEventLog:Microsoft-Windows-Sysmon/Operational
sourcetype: xmlwineventlog
)";

const char* kArmorySpl = R"(id: '1.2'
title: Armory SPL
description: 'Looks for things.'
logic_format: Splunk
logic: '`get_endpoint_data` process_name="cmd.exe"
  | where match(process, "(?i)whoami")'
techniques:
- execution:command and scripting interpreter:windows command shell
- defense-evasion:masquerading
technique_id:
- T1059.003
data_category:
- Process creation
references:
- https://example.com/b
)";

const char* kArmorySql = R"(id: '3.4'
title: Armory SQL
description: 'Looks for things in SQL.'
logic_format: snowflake
logic: 'select * from crowdstrikefdr_process where event_time > dateadd(hour, -2, sysdate())
  and process ilike ''%rundll32%'' and regexp_like(process, ''.*(lsass|comsvcs).*'', ''i'')'
techniques:
- credential-access:os credential dumping:lsass memory
technique_id:
- T1003.001
data_category:
- EDR
references: []
)";

}  // namespace

TEST(SplLoader, SecurityContentDetection) {
    SplCollection c;
    load_splunk_text(kMacroCtime, "macros/security_content_ctime.yml", c);
    load_splunk_text(kMacroSummaries, "macros/security_content_summariesonly.yml", c);
    load_splunk_text(kDataSource, "data_sources/sysmon_eventid_1.yml", c);
    load_splunk_text(kSsc, "detections/endpoint/detect_something.yml", c);
    EXPECT_EQ(c.stats.macros, 2u);
    EXPECT_EQ(c.stats.data_sources, 1u);
    ASSERT_EQ(c.rules.size(), 1u);
    const Rule& r = c.rules[0];
    EXPECT_EQ(r.source, RuleSource::SplunkSecurityContent);
    EXPECT_EQ(r.id, "11111111-2222-3333-4444-555555555555");
    EXPECT_EQ(r.title, "Detect Something");
    EXPECT_EQ(r.status, "production");
    EXPECT_EQ(r.date, "2024-05-01");
    EXPECT_EQ(r.author, "Someone, Splunk");
    EXPECT_EQ(custom(r, "type"), "TTP");
    EXPECT_EQ(custom(r, "analytic_story"), "[Story A]");
    EXPECT_EQ(custom(r, "datamodel_used"), "Endpoint.Processes");
    EXPECT_TRUE(has_tag(r, "attack.t1569.002"));
    EXPECT_TRUE(has_tag(r, "attack.t1021"));
    EXPECT_TRUE(has_tag(r, "cve.2021-44228"));
    EXPECT_EQ(r.falsepositives, std::vector<std::string>{"Administrators."});
    EXPECT_EQ(r.fields, std::vector<std::string>{"Processes.dest"});
    bool src = false;
    for (auto& [k, v] : r.logsource.custom)
        if (k == "sourcetype" && v == "xmlwineventlog") src = true;
    EXPECT_TRUE(src);
    EXPECT_EQ(commands(r), (std::vector<std::string>{"tstats", "rename", "convert", "search"}));
    ASSERT_EQ(r.conditions.size(), 1u);
    EXPECT_EQ(to_string(r.conditions[0]),
              "Processes.process_name = \"psexec.exe\" and Processes.process contains "
              "\"-accepteula\"");
    // positions: the predicates are on lines 12 and 13 of the file
    std::vector<const Pred*> preds;
    collect_preds(r.conditions[0], preds);
    ASSERT_EQ(preds.size(), 2u);
    EXPECT_EQ(preds[0]->loc.line, 12u);
    EXPECT_EQ(preds[0]->loc.col, 9u);
    EXPECT_EQ(preds[1]->loc.line, 13u);
    EXPECT_EQ(preds[1]->loc.col, 3u);
    EXPECT_EQ(*preds[1]->loc.file, "detections/endpoint/detect_something.yml");
    EXPECT_EQ(r.stages[0].loc.line, 11u);
    EXPECT_EQ(r.stages[0].loc.col, 10u);
    EXPECT_EQ(r.condition_text.size(), 1u);
}

TEST(SplLoader, SecurityContentNewerSchema) {
    // 2025 schema: creation/modification dates and an `rba:` block
    const char* y = R"(name: Newer Rule
id: 22222222-0000-0000-0000-000000000000
creation_date: '2025-01-02'
modification_date: '2025-03-04'
status: Production
type: Anomaly
description: d
search: '`sysmon` EventCode=10 TargetImage=*lsass.exe'
rba:
  message: Access to lsass on $dest$
  risk_objects:
  - field: dest
    type: system
    score: 40
tags:
  analytic_story:
  - Credential Dumping
  mitre_attack_id:
  - T1003.001
)";
    SplCollection c;
    load_splunk_text(y, "newer.yml", c);
    ASSERT_EQ(c.rules.size(), 1u);
    const Rule& r = c.rules[0];
    EXPECT_EQ(r.date, "2025-01-02");
    EXPECT_EQ(r.modified, "2025-03-04");
    EXPECT_EQ(r.status, "production");
    EXPECT_EQ(custom(r, "type"), "Anomaly");
    EXPECT_EQ(custom(r, "rba"),
              "{message: Access to lsass on $dest$, risk_objects: [{field: dest, type: system, "
              "score: 40}]}");
    EXPECT_TRUE(has_tag(r, "attack.t1003.001"));
    EXPECT_EQ(custom(r, "macros"), "sysmon");  // no macros loaded: kept as a unit
    EXPECT_EQ(to_string(r.conditions[0]), "EventCode = 10 and TargetImage endswith \"lsass.exe\"");
}

TEST(SplLoader, ArmorySplAndSql) {
    SplCollection c;
    load_splunk_text(kArmorySpl, "armory/a.yml", c);
    load_splunk_text(kArmorySql, "armory/b.yml", c);
    ASSERT_EQ(c.rules.size(), 2u);
    const Rule& a = c.rules[0];
    EXPECT_EQ(a.source, RuleSource::Armory);
    EXPECT_EQ(a.id, "1.2");
    EXPECT_EQ(a.title, "Armory SPL");
    EXPECT_TRUE(has_tag(a, "attack.t1059.003"));
    EXPECT_TRUE(has_tag(a, "attack.execution"));
    EXPECT_TRUE(has_tag(a, "attack.defense_evasion"));
    EXPECT_EQ(custom(a, "macros"), "get_endpoint_data");
    EXPECT_EQ(commands(a), (std::vector<std::string>{"search", "where"}));
    EXPECT_EQ(to_string(a.conditions[0]),
              "process_name = \"cmd.exe\" and process regex \"whoami\" /i");
    const Rule& b = c.rules[1];
    EXPECT_EQ(commands(b), std::vector<std::string>{"select"});
    EXPECT_EQ(custom(b, "table"), "crowdstrikefdr_process");
    EXPECT_EQ(to_string(b.conditions[0]),
              "process contains \"rundll32\" and process regex \"(lsass|comsvcs)\" /i");
    EXPECT_EQ(c.stats.armory_rules, 2u);
    EXPECT_EQ(c.stats.armory_sql_rules, 1u);
    EXPECT_EQ(c.stats.with_predicates, 2u);
}

TEST(SplLoader, YamlProblems) {
    SplCollection c;
    load_splunk_text("search: [unclosed\n", "bad.yml", c);
    EXPECT_TRUE(has_code(c, "spl.yaml.parse"));
    EXPECT_EQ(c.rules.size(), 0u);
    EXPECT_GT(c.diagnostics[0].loc.line, 0u);

    // a quoted scalar continuing at column 0: loaded, with a warning
    SplCollection d;
    load_splunk_text("name: X\nid: x\nsearch: 'a=1\n| where b>2'\ntags: {}\n", "indent.yml", d);
    EXPECT_TRUE(has_code(d, "spl.yaml.indent"));
    ASSERT_EQ(d.rules.size(), 1u);
    EXPECT_EQ(to_string(d.rules[0].conditions[0]), "a = 1 and b > 2");

    SplCollection e;
    load_splunk_text("id: '1'\ntitle: T\nlogic_format: KQL\nlogic: 'x'\n", "kql.yml", e);
    EXPECT_TRUE(has_code(e, "spl.logic_format.unknown"));
    EXPECT_EQ(e.stats.rules_failed, 1u);

    SplCollection f;
    load_splunk_text("name: X\nsearch:\n  - a\n", "list.yml", f);
    EXPECT_TRUE(has_code(f, "spl.rule.no_query"));

    SplCollection g;
    load_splunk_text("- just\n- a list\n", "other.yml", g);
    EXPECT_EQ(g.stats.skipped_documents, 1u);
    EXPECT_TRUE(g.diagnostics.empty());

    SplCollection h;
    load_splunk_paths({"/nonexistent/path/x"}, h);
    EXPECT_TRUE(has_code(h, "spl.io.missing"));
}

TEST(SplLoader, PathsLoadMacrosFirstAndIgnoreThreadCount) {
    namespace fs = std::filesystem;
    fs::path root = fs::temp_directory_path() / ("sigil_spl_" + std::to_string(::getpid()));
    fs::create_directories(root / "detections" / "endpoint");
    fs::create_directories(root / "macros");
    auto write = [](const fs::path& p, const char* s) {
        FILE* f = std::fopen(p.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fputs(s, f);
        std::fclose(f);
    };
    write(root / "macros" / "m.yml", "definition: (a=1 OR a=2)\nname: pick\n");
    write(root / "detections" / "endpoint" / "d1.yml", "name: D1\nid: '1'\nsearch: '`pick` b=3'\n");
    write(root / "detections" / "endpoint" / "d2.yml", "name: D2\nid: '2'\nsearch: 'c=4'\n");
    SplCollection one, two;
    // only the detections folder is given: the sibling macros/ folder is found
    load_splunk_paths({(root / "detections").string()}, one, 1);
    load_splunk_paths({(root / "detections").string(), (root / "detections").string()}, two, 4);
    ASSERT_EQ(one.rules.size(), 2u);
    ASSERT_EQ(two.rules.size(), 2u);
    EXPECT_EQ(to_string(one.rules[0].conditions[0]), "(a = 1 or a = 2) and b = 3");
    for (size_t i = 0; i < 2; ++i)
        EXPECT_EQ(to_string(one.rules[i].conditions[0]), to_string(two.rules[i].conditions[0]));
    fs::remove_all(root);
}

TEST(SplLoader, DoubleQuotedEscapedLineBreak) {
    // `\` at the end of a line inside "..." joins the lines (libfyaml 0.7.12
    // gets this wrong; the loader decodes such scalars itself)
    const char* y =
        "name: T\nid: t\nsearch: \"a=1 | where match(x,\\\"a\\\\\\\n"
        "  s+\\\") | `t_filter`\"\n";
    SplCollection c;
    load_splunk_text(y, "dq.yml", c);
    ASSERT_EQ(c.rules.size(), 1u);
    EXPECT_EQ(c.rules[0].condition_text[0], "a=1 | where match(x,\"a\\s+\") | `t_filter`");
    EXPECT_EQ(to_string(c.rules[0].conditions[0]), "a = 1 and x regex \"a\\\\s+\"");
    EXPECT_EQ(commands(c.rules[0]), (std::vector<std::string>{"search", "where", "search"}));
}

TEST(SplLoader, SearchTermsAttribute) {
    SplCollection c;
    load_splunk_text("name: T\nid: t\nsearch: 'evil \"two words\" | search x=1 TERM(a.b)'\n",
                     "t.yml", c);
    ASSERT_EQ(c.rules.size(), 1u);
    auto terms = spl_search_terms(c.rules[0]);
    ASSERT_EQ(terms.size(), 3u);
    EXPECT_EQ(terms[0].stage, 1u);
    EXPECT_EQ(terms[0].term, "evil");
    EXPECT_EQ(terms[1].term, "\"two words\"");
    EXPECT_EQ(terms[2].stage, 2u);
    EXPECT_EQ(terms[2].term, "TERM(a.b)");
}

// The Splunk PsExec rule of the seeds (Armory "PSexec Service Creation"): the
// stages, predicates, exclusions and search terms the seed page shows.
TEST(SplSeeds, PsexecServiceCreation) {
    std::string path = std::string(SIGIL_SHARED_DIR) +
                       "/corpus/armory/detections/endpoint/psexec_service_creation/"
                       "psexec_service_creation-splunk-winevent.yml";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared corpus not present";
    SplCollection c;
    load_splunk_paths({path}, c);
    ASSERT_EQ(c.rules.size(), 1u);
    const Rule& r = c.rules[0];
    EXPECT_EQ(r.id, "5399.5499");
    EXPECT_EQ(r.title, "PSexec Service Creation");
    EXPECT_TRUE(has_tag(r, "attack.t1543.003"));
    EXPECT_TRUE(has_tag(r, "attack.t1569.002"));
    EXPECT_TRUE(has_tag(r, "attack.persistence"));
    EXPECT_TRUE(has_tag(r, "attack.execution"));

    const std::vector<std::pair<std::string, std::string>> want = {
        {"search",
         "`get_endpoint_data` `get_endpoint_data_winevent` (TERM(EventCode=7045) OR "
         "\"<EventID>7045<\")"},
        {"regex", "| regex Service_Start_Type!=\"4|disabled\""},
        {"regex", "| regex Service_Name!=\"\\s+|[\\_\\/\\x5c]\""},
        {"regex", "| regex Service_Name=\"(\\w{4}|execsvc)$\""},
        {"regex", "| regex Service_File_Name=\"\\x5c.{8}\\.exe$\""},
        {"eval", "| eval service_name=Service_File_Name"},
        {"table",
         "| table _time, host, user signature_id, user, dest_host, process_id, process_name, "
         "process_path, process, parent_process_id, parent_process_name, parent_process_path, "
         "event_id, src, service_name"},
        {"bucket", "| bin span=1s"},
        {"stats", "| stats values(*) as * by _time, host"},
    };
    ASSERT_EQ(r.stages.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(r.stages[i].command, want[i].first) << "stage " << i + 1;
        EXPECT_EQ(r.stages[i].text, want[i].second) << "stage " << i + 1;
    }
    // filtering stages carry their logic
    for (size_t i : {0, 1, 2, 3, 4}) EXPECT_NE(r.stages[i].expr, nullptr) << i;
    for (size_t i : {5, 6, 7, 8}) EXPECT_EQ(r.stages[i].expr, nullptr) << i;

    // the condition: a conjunction whose NOT conjuncts are the exclusions
    ASSERT_EQ(r.conditions.size(), 1u);
    const ExprPtr& e = r.conditions[0];
    ASSERT_EQ(e->kind, ExprKind::And);
    ASSERT_EQ(e->kids.size(), 5u);
    EXPECT_EQ(to_string(e->kids[0]), "EventCode = 7045 or <keyword> contains \"<EventID>7045<\"");
    std::vector<std::pair<std::string, std::string>> excluded, indicators;
    for (auto& k : e->kids) {
        if (k->kind == ExprKind::Not && k->kids[0]->kind == ExprKind::Pred) {
            excluded.emplace_back(k->kids[0]->pred->field, k->kids[0]->pred->value.s);
            EXPECT_EQ(k->kids[0]->pred->op, Op::Regex);
        } else if (k->kind == ExprKind::Pred) {
            indicators.emplace_back(k->pred->field, k->pred->value.s);
            EXPECT_EQ(k->pred->op, Op::Regex);
        }
    }
    EXPECT_EQ(excluded,
              (std::vector<std::pair<std::string, std::string>>{
                  {"Service_Start_Type", "4|disabled"}, {"Service_Name", "\\s+|[\\_\\/\\x5c]"}}));
    EXPECT_EQ(indicators, (std::vector<std::pair<std::string, std::string>>{
                              {"Service_Name", "(\\w{4}|execsvc)$"},
                              {"Service_File_Name", "\\x5c.{8}\\.exe$"}}));
    std::vector<const Pred*> preds;
    collect_preds(e, preds);
    ASSERT_FALSE(preds.empty());
    EXPECT_EQ(preds[0]->field, "EventCode");
    EXPECT_EQ(preds[0]->op, Op::Eq);
    EXPECT_EQ(preds[0]->value.i, 7045);
    EXPECT_EQ(preds[0]->loc.line, 8u);  // the `logic:` scalar starts on line 8

    // search terms: stage 1, the TERM() unit and the quoted raw-text phrase
    auto terms = spl_search_terms(r);
    ASSERT_EQ(terms.size(), 2u);
    EXPECT_EQ(terms[0].stage, 1u);
    EXPECT_EQ(terms[0].term, "TERM(EventCode=7045)");
    EXPECT_EQ(terms[1].stage, 1u);
    EXPECT_EQ(terms[1].term, "\"<EventID>7045<\"");
    EXPECT_EQ(custom(r, "macros"), "get_endpoint_data, get_endpoint_data_winevent");
}
