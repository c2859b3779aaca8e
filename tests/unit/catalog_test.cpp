// tests/unit/catalog_test.cpp — catalog analyses and outputs: the PsExec rules of the seed
// pages (tactics, techniques, software, event coverage, data needed, triggers, stages,
// exclusions, indicators), search terms, regex alternation, neighbors and duplicates across
// languages, indicator corpus counts, HTML escaping, the rule cache, and catalog builds
// (atomic, incremental, refusing foreign directories, full-text search).
#include "sigil/catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/catalog_internal.h"
#include "catalog/site_internal.h"
#include "sigil/convert.h"
#include "sigil/server.h"
#include "sigil/sigma.h"

using namespace sigil;
namespace fs = std::filesystem;

namespace {

const fs::path kPsexec = fs::path(SIGIL_SHARED_DIR) / "reference/psexec/rules";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() /
               ("sigil_catalog_test_" + std::to_string(getpid()) + "_" + std::to_string(n()++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    static int& n() {
        static int k = 0;
        return k;
    }
    fs::path write(const std::string& name, const std::string& text) const {
        fs::path p = path / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
};

// Loads Sigma texts (name → yaml) into an analysed catalog.
Catalog catalog_of(const std::vector<std::pair<std::string, std::string>>& docs,
                   std::vector<Rule> extra = {}) {
    Catalog c;
    SigmaCollection sc;
    for (auto& [name, text] : docs) load_sigma_text(text, name, sc);
    link_sigma_collection(sc);
    EXPECT_EQ(sc.stats.rules_failed, 0u);
    for (auto& r : sc.rules) {
        c.rules.push_back(r);
        for (auto& [name, text] : docs)
            if (r.loc.file && *r.loc.file == name) c.texts.push_back(text);
        c.files.push_back(r.loc.file ? *r.loc.file : "");
    }
    for (auto& r : extra) {
        c.rules.push_back(r);
        c.texts.push_back("");
        c.files.push_back("");
    }
    analyze_catalog(c, AnalysisOptions{});
    return c;
}

const RuleAnalysis& by_id(const Catalog& c, const std::string& id) {
    for (size_t i = 0; i < c.rules.size(); ++i)
        if (c.rules[i].id == id) return c.analyses[i];
    ADD_FAILURE() << "no rule " << id;
    static RuleAnalysis none;
    return none;
}

size_t index_of(const Catalog& c, const std::string& id) {
    for (size_t i = 0; i < c.rules.size(); ++i)
        if (c.rules[i].id == id) return i;
    return SIZE_MAX;
}

const Indicator* indicator(const RuleAnalysis& a, const std::string& field,
                           const std::string& kind) {
    for (auto& x : a.indicators)
        if (x.field == field && x.kind == kind) return &x;
    return nullptr;
}

std::vector<std::string> values(const Indicator* x) {
    std::vector<std::string> v;
    if (x)
        for (auto& y : x->values) v.push_back(y.value);
    return v;
}

Catalog psexec_catalog(const char* which = "current") {
    Catalog c;
    load_catalog({(kPsexec / which).string()}, c);
    analyze_catalog(c, AnalysisOptions{});
    return c;
}

Pred pred(std::string field, Op op, Value v) {
    Pred p;
    p.field = std::move(field);
    p.op = op;
    p.value = std::move(v);
    return p;
}

}  // namespace

// ------------------------------------------------------------------ the seed pages

TEST(CatalogPsexec, ServiceInstallationLikeTheSeed) {
    if (!fs::exists(kPsexec)) GTEST_SKIP() << "no " << kPsexec;
    Catalog c = psexec_catalog();
    const RuleAnalysis& a = by_id(c, "42c575ea-e41e-41f1-b248-8093c3e82a28");
    // MITRE ATT&CK coverage: Execution | T1569.002 System Services: Service Execution
    ASSERT_EQ(a.tactics.size(), 1u);
    EXPECT_EQ(a.tactics[0].tactic, "Execution");
    EXPECT_EQ(a.tactics[0].tactic_id, "TA0002");
    ASSERT_EQ(a.tactics[0].techniques.size(), 1u);
    EXPECT_EQ(a.tactics[0].techniques[0].display, "T1569.002 System Services: Service Execution");
    ASSERT_EQ(a.software.size(), 1u);
    EXPECT_EQ(a.software[0].display, "S0029 PsExec");
    // Event coverage: Service-Control-Manager 7045
    ASSERT_EQ(a.events.size(), 1u);
    EXPECT_EQ(a.events[0].provider_short, "Service-Control-Manager");
    EXPECT_EQ(a.events[0].event_id, 7045u);
    EXPECT_EQ(a.events[0].title, "A service was installed in the system");
    ASSERT_FALSE(a.data_needed.empty());
    EXPECT_EQ(a.data_needed[0].event_id, 7045u);
    // Stages: the condition, then each search identifier with its YAML
    ASSERT_EQ(a.stages.size(), 3u);
    EXPECT_EQ(a.stages[0].label, "condition");
    EXPECT_EQ(a.stages[0].text, "all of selection_*");
    EXPECT_EQ(a.stages[1].label, "selection_eid");
    EXPECT_NE(a.stages[1].text.find("Provider_Name: 'Service Control Manager'"), std::string::npos);
    EXPECT_EQ(a.stages[2].label, "selection_service");
    EXPECT_NE(a.stages[2].text.find("ImagePath|endswith: '\\PSEXESVC.exe'"), std::string::npos);
    // Indicators: ImagePath ends_with, Provider_Name eq, ServiceName eq
    EXPECT_EQ(values(indicator(a, "ImagePath", "ends_with")),
              std::vector<std::string>{"\\PSEXESVC.exe"});
    EXPECT_EQ(values(indicator(a, "Provider_Name", "eq")),
              std::vector<std::string>{"Service Control Manager"});
    EXPECT_EQ(values(indicator(a, "ServiceName", "eq")), std::vector<std::string>{"PSEXESVC"});
    EXPECT_TRUE(a.exclusions.empty());
    EXPECT_TRUE(a.search_terms.empty());
    // Triggers: the Atomic tests of T1569.002 (PsExec among them)
    bool psexec_test = false;
    for (auto& t : a.triggers)
        if (t.technique == "T1569.002" && t.name.find("PsExec") != std::string::npos)
            psexec_test = true;
    EXPECT_TRUE(psexec_test);
}

TEST(CatalogPsexec, LocalSystemChildLikeTheSeed) {
    if (!fs::exists(kPsexec)) GTEST_SKIP() << "no " << kPsexec;
    Catalog c = psexec_catalog();
    const RuleAnalysis& a = by_id(c, "7c0dcd3d-acf8-4f71-9570-f448b0034f94");
    // Execution | No specific technique
    ASSERT_EQ(a.tactics.size(), 1u);
    EXPECT_EQ(a.tactics[0].tactic, "Execution");
    EXPECT_TRUE(a.tactics[0].techniques.empty());
    // Sysmon 1 Process creation; Security-Auditing 4688 A new process has been created.
    ASSERT_EQ(a.events.size(), 2u);
    EXPECT_EQ(a.events[0].provider_short, "Sysmon");
    EXPECT_EQ(a.events[0].event_id, 1u);
    EXPECT_EQ(a.events[0].title, "Process creation");
    EXPECT_EQ(a.events[1].provider_short, "Security-Auditing");
    EXPECT_EQ(a.events[1].event_id, 4688u);
    EXPECT_NE(a.events[1].title.find("A new process has been created"), std::string::npos);
    EXPECT_EQ(a.stages[0].text, "selection");
    EXPECT_EQ(a.stages[1].label, "selection");
    EXPECT_NE(a.stages[1].text.find("User|contains:"), std::string::npos);
    EXPECT_EQ(values(indicator(a, "ParentImage", "eq")),
              std::vector<std::string>{"C:\\Windows\\PSEXESVC.exe"});
    EXPECT_EQ(values(indicator(a, "User", "contains")),
              (std::vector<std::string>{"AUTHORI", "AUTORI"}));
}

TEST(CatalogPsexec, SuspiciousPsexecExclusionAndDataNeeded) {
    if (!fs::exists(kPsexec)) GTEST_SKIP() << "no " << kPsexec;
    Catalog c = psexec_catalog();
    const RuleAnalysis& a = by_id(c, "c462f537-a1e3-41a6-b5fc-b2c2cef9bf82");
    ASSERT_EQ(a.tactics.size(), 1u);
    EXPECT_EQ(a.tactics[0].tactic, "Lateral Movement");
    EXPECT_EQ(a.tactics[0].techniques.at(0).display,
              "T1021.002 Remote Services: SMB/Windows Admin Shares");
    // Exclusions: RelativeTargetName starts_with PSEXESVC
    ASSERT_EQ(a.exclusions.size(), 1u);
    EXPECT_EQ(a.exclusions[0].field, "RelativeTargetName");
    EXPECT_EQ(a.exclusions[0].kind, "starts_with");
    EXPECT_EQ(a.exclusions[0].values, std::vector<std::string>{"PSEXESVC"});
    // The excluded predicate is not an indicator; the selection's are, in rule order.
    EXPECT_EQ(indicator(a, "RelativeTargetName", "starts_with"), nullptr);
    EXPECT_EQ(values(indicator(a, "RelativeTargetName", "ends_with")),
              (std::vector<std::string>{"-stdin", "-stdout", "-stderr"}));
    EXPECT_EQ(values(indicator(a, "EventID", "eq")), std::vector<std::string>{"5145"});
    ASSERT_EQ(a.events.size(), 1u);
    EXPECT_EQ(a.events[0].provider_short, "Security-Auditing");
    EXPECT_EQ(a.events[0].event_id, 5145u);
    ASSERT_EQ(a.data_needed.size(), 1u);
    EXPECT_EQ(a.data_needed[0].atc_id, "DN_0032_5145_network_share_object_was_accessed_detailed");
    EXPECT_EQ(a.data_needed[0].audit, "Object Access > Audit Detailed File Share");
    EXPECT_GE(a.triggers.size(), 1u);
}

TEST(CatalogPsexec, RevokedTechniqueOfTheOldRuleShowsItsSuccessor) {
    if (!fs::exists(kPsexec)) GTEST_SKIP() << "no " << kPsexec;
    Catalog c = psexec_catalog("tag0.20");
    // PsExec Service Start (2018): attack.t1035, revoked → T1569.002
    const RuleAnalysis& a = by_id(c, "3ede524d-21cc-472d-a3ce-d21b568d8db7");
    ASSERT_EQ(a.techniques.size(), 1u);
    EXPECT_EQ(a.techniques[0].id, "T1569.002");
    EXPECT_EQ(a.techniques[0].tagged, "T1035");
    EXPECT_EQ(a.techniques[0].fate, "revoked");
    EXPECT_EQ(a.tactics.at(0).tactic, "Execution");
    // Suspicious PsExec Execution (2019): T1077 (revoked) and T1021.002 are one technique.
    const RuleAnalysis& b = by_id(c, "c462f537-a1e3-41a6-b5fc-b2c2cef9bf82");
    ASSERT_EQ(b.techniques.size(), 1u);
    EXPECT_EQ(b.techniques[0].id, "T1021.002");
    EXPECT_EQ(b.events.at(0).event_id, 5145u);
}

TEST(CatalogPsexec, RulePageHtmlShowsTheSections) {
    if (!fs::exists(kPsexec)) GTEST_SKIP() << "no " << kPsexec;
    Catalog c = psexec_catalog();
    size_t i = index_of(c, "c462f537-a1e3-41a6-b5fc-b2c2cef9bf82");
    ASSERT_NE(i, SIZE_MAX);
    HtmlRenderer html;
    std::string page = html.rule_page(rule_model(c, i));
    for (const char* s : {"id=\"attack\"",
                          "id=\"events\"",
                          "id=\"data-needed\"",
                          "id=\"triggers\"",
                          "id=\"body\"",
                          "id=\"stages\"",
                          "id=\"exclusions\"",
                          "id=\"indicators\"",
                          "id=\"search-terms\"",
                          "id=\"neighbors\"",
                          "id=\"translations\"",
                          "Lateral Movement",
                          "T1021.002 Remote Services: SMB/Windows Admin Shares",
                          "Security-Auditing",
                          "Event ID 5145",
                          "RelativeTargetName",
                          "starts_with",
                          "PSEXESVC",
                          "Stage 1: selection1",
                          "Stage 2: filter",
                          "Object Access &gt; Audit Detailed File Share"})
        EXPECT_NE(page.find(s), std::string::npos) << s;
    std::string md = rule_markdown(rule_model(c, i));
    EXPECT_NE(md.find("| Lateral Movement | T1021.002 Remote Services: SMB/Windows Admin Shares |"),
              std::string::npos);
    EXPECT_NE(md.find("| RelativeTargetName | starts_with | `PSEXESVC` |"), std::string::npos);
    EXPECT_NE(md.find("| Security-Auditing | 5145 |"), std::string::npos);
}

TEST(CatalogPsexec, ArmoryServiceCreationLikeTheSeed) {
    fs::path f =
        fs::path(SIGIL_SHARED_DIR) / "corpus/armory/detections/endpoint/psexec_service_creation";
    if (!fs::exists(f)) GTEST_SKIP() << "no " << f;
    Catalog c;
    load_catalog({f.string()}, c);
    analyze_catalog(c, AnalysisOptions{});
    const RuleAnalysis& a = by_id(c, "5399.5499");
    EXPECT_EQ(a.slug, "armory-5399.5499");
    std::map<std::string, std::string> rows;
    for (auto& t : a.tactics)
        for (auto& x : t.techniques) rows[t.tactic] += x.display;
    EXPECT_EQ(rows["Execution"], "T1569.002 System Services: Service Execution");
    EXPECT_EQ(rows["Persistence"], "T1543.003 Create or Modify System Process: Windows Service");
    EXPECT_EQ(rows["Privilege Escalation"],
              "T1543.003 Create or Modify System Process: Windows Service");
    ASSERT_EQ(a.events.size(), 1u);
    EXPECT_EQ(a.events[0].provider_short, "Service-Control-Manager");
    EXPECT_EQ(a.events[0].event_id, 7045u);
    std::vector<std::string> labels;
    for (auto& s : a.stages) labels.push_back(s.label);
    EXPECT_EQ(labels, (std::vector<std::string>{"search", "regex", "regex", "regex", "regex",
                                                "eval", "table", "bucket", "stats"}));
    ASSERT_EQ(a.exclusions.size(), 2u);
    EXPECT_EQ(a.exclusions[0].field, "Service_Start_Type");
    EXPECT_EQ(a.exclusions[0].kind, "regex_match");
    EXPECT_EQ(a.exclusions[0].values, (std::vector<std::string>{"4", "disabled"}));
    EXPECT_EQ(a.exclusions[1].field, "Service_Name");
    EXPECT_EQ(a.exclusions[1].values, (std::vector<std::string>{"\\s+", "[\\_\\/\\x5c]"}));
    EXPECT_EQ(values(indicator(a, "EventCode", "eq")), std::vector<std::string>{"7045"});
    EXPECT_EQ(values(indicator(a, "Service_File_Name", "regex_match")),
              std::vector<std::string>{"\\x5c.{8}\\.exe$"});
    EXPECT_EQ(values(indicator(a, "Service_Name", "regex_match")),
              std::vector<std::string>{"(\\w{4}|execsvc)$"});
    ASSERT_EQ(a.search_terms.size(), 2u);
    EXPECT_EQ(a.search_terms[0].stage, 1);
    EXPECT_NE(a.search_terms[0].term.find("TERM"), std::string::npos);
    EXPECT_EQ(a.search_terms[1].term, "\"<EventID>7045<\"");
    // Associations from the description (APT29, Conti, ...)
    bool apt29 = false, conti = false;
    for (auto& g : a.groups) apt29 |= g.display == "G0016 APT29";
    for (auto& x : a.software) conti |= x.display == "S0575 Conti";
    EXPECT_TRUE(apt29);
    EXPECT_TRUE(conti);
}

// ------------------------------------------------------------------ analyses

TEST(CatalogAnalysis, RegexAlternativesSplitAtTopLevelOnly) {
    EXPECT_EQ(split_regex_alternatives("4|disabled"), (std::vector<std::string>{"4", "disabled"}));
    EXPECT_EQ(split_regex_alternatives("\\s+|[\\_\\/\\x5c]"),
              (std::vector<std::string>{"\\s+", "[\\_\\/\\x5c]"}));
    EXPECT_EQ(split_regex_alternatives("(\\w{4}|execsvc)$"),
              std::vector<std::string>{"(\\w{4}|execsvc)$"});
    EXPECT_EQ(split_regex_alternatives("[|]x|y\\|z"), (std::vector<std::string>{"[|]x", "y\\|z"}));
}

// A pipeline rule shaped as the SPL front-end builds them (the seed's Armory rule).
Rule armory_like_rule() {
    Rule r;
    r.source = RuleSource::Armory;
    r.id = "5399.5499";
    r.title = "PSexec Service Creation";
    r.tags = {"T1543.003", "T1569.002"};
    r.description =
        "Detect creation of service for PSexec -- Threat Actor Association: APT29, "
        "Nobody Known -- Software Association: Conti";
    auto stage = [&](const char* cmd, const char* text, ExprPtr e) {
        Stage s;
        s.command = cmd;
        s.text = text;
        s.expr = std::move(e);
        r.stages.push_back(std::move(s));
    };
    stage(
        "search", "`get_endpoint_data` (TERM(EventCode=7045) OR \"<EventID>7045<\")",
        Expr::make_or({Expr::make_pred(pred("EventCode", Op::Eq, Value::integer(7045))),
                       Expr::make_pred(pred("", Op::Contains, Value::string("<EventID>7045<")))}));
    stage("regex", "| regex Service_Start_Type!=\"4|disabled\"",
          Expr::make_not(
              Expr::make_pred(pred("Service_Start_Type", Op::Regex, Value::string("4|disabled")))));
    stage("regex", "| regex Service_Name=\"(\\w{4}|execsvc)$\"",
          Expr::make_pred(pred("Service_Name", Op::Regex, Value::string("(\\w{4}|execsvc)$"))));
    stage("stats", "| stats values(*) as * by _time, host", nullptr);
    return r;
}

TEST(CatalogAnalysis, PipelineRuleStagesExclusionsIndicatorsTermsAndKnowledge) {
    Rule r = armory_like_rule();
    RuleAnalysis a;
    analyze_rule(r, "", a);
    ASSERT_EQ(a.stages.size(), 4u);
    EXPECT_EQ(a.stages[0].number, 1);
    EXPECT_EQ(a.stages[1].label, "regex");
    EXPECT_EQ(a.stages[3].label, "stats");
    ASSERT_EQ(a.exclusions.size(), 1u);
    EXPECT_EQ(a.exclusions[0].field, "Service_Start_Type");
    EXPECT_EQ(a.exclusions[0].kind, "regex_match");
    EXPECT_EQ(a.exclusions[0].values, (std::vector<std::string>{"4", "disabled"}));
    EXPECT_NE(indicator(a, "EventCode", "eq"), nullptr);
    EXPECT_NE(indicator(a, "Service_Name", "regex_match"), nullptr);
    EXPECT_EQ(indicator(a, "Service_Start_Type", "regex_match"), nullptr);
    ASSERT_EQ(a.search_terms.size(), 1u);
    EXPECT_EQ(a.search_terms[0].stage, 1);
    EXPECT_EQ(a.search_terms[0].term, "<EventID>7045<");
    // Execution | T1569.002; Persistence and Privilege Escalation | T1543.003
    std::map<std::string, std::string> rows;
    for (auto& t : a.tactics)
        for (auto& x : t.techniques) rows[t.tactic] += x.id;
    EXPECT_EQ(rows["Execution"], "T1569.002");
    EXPECT_EQ(rows["Persistence"], "T1543.003");
    EXPECT_EQ(rows["Privilege Escalation"], "T1543.003");
    // EventCode maps to EventID: 7045 of the Service Control Manager
    ASSERT_EQ(a.events.size(), 1u);
    EXPECT_EQ(a.events[0].provider_short, "Service-Control-Manager");
    EXPECT_EQ(a.events[0].event_id, 7045u);
    // Associations named in the description
    ASSERT_EQ(a.groups.size(), 2u);
    EXPECT_EQ(a.groups[0].display, "G0016 APT29");
    EXPECT_EQ(a.groups[1].display, "Nobody Known");
    ASSERT_EQ(a.software.size(), 1u);
    EXPECT_EQ(a.software[0].display, "S0575 Conti");
}

TEST(CatalogAnalysis, KeywordsAreSearchTermsNotIndicators) {
    Catalog c = catalog_of({{"k.yml", R"(title: Keywords
id: 11111111-0000-0000-0000-000000000001
logsource: {product: windows, service: system}
detection:
    keywords:
        - 'psexesvc'
        - 'remcom'
    selection:
        EventID: 7045
    condition: keywords and selection
)"}});
    const RuleAnalysis& a = c.analyses[0];
    ASSERT_EQ(a.search_terms.size(), 2u);
    EXPECT_EQ(a.search_terms[0].stage, 1);
    EXPECT_EQ(a.search_terms[0].term, "psexesvc");
    EXPECT_EQ(a.search_terms[1].term, "remcom");
    ASSERT_EQ(a.indicators.size(), 1u);
    EXPECT_EQ(a.indicators[0].field, "EventID");
}

TEST(CatalogAnalysis, CanonicalPredicatesRelateSigmaAndCimFields) {
    Pred sigma = pred("Image", Op::EndsWith, Value::string("\\PsExec.exe"));
    Pred cim = pred("Processes.process_name", Op::Eq, Value::string("psexec.exe"));
    Pred glob = pred("Image", Op::Glob, Value::string("*\\\\psexec.exe"));
    EXPECT_EQ(canonical_pred(sigma), canonical_pred(cim));
    EXPECT_EQ(canonical_pred(sigma), canonical_pred(glob));
    EXPECT_EQ(canonical_pred(sigma).field, "image:basename");
    Pred path = pred("Processes.process_path", Op::Eq, Value::string("C:\\x.exe"));
    Pred image = pred("Image", Op::Eq, Value::string("c:\\X.EXE"));
    EXPECT_EQ(canonical_pred(path), canonical_pred(image));
    EXPECT_EQ(canonical_pred(pred("CommandLine", Op::Contains, Value::string("-s"))),
              canonical_pred(pred("Processes.process", Op::Contains, Value::string("-s"))));
    EXPECT_FALSE(canonical_pred(pred("Image", Op::EndsWith, Value::string("\\a\\b.exe"))) ==
                 canonical_pred(pred("process_name", Op::Eq, Value::string("b.exe"))));
    bool documented = false;
    for (auto& f : field_aliases())
        if (f.sigma == "ParentImage" && f.other == "Processes.parent_process_path")
            documented = true;
    EXPECT_TRUE(documented);
}

const char* kBase = R"(title: Base
id: 22222222-0000-0000-0000-000000000001
logsource: {product: windows, category: process_creation}
detection:
    selection:
        Image|endswith: '\psexec.exe'
    condition: selection
)";
const char* kStricter = R"(title: Stricter
id: 22222222-0000-0000-0000-000000000002
logsource: {product: windows, category: process_creation}
detection:
    selection:
        Image|endswith: '\psexec.exe'
        CommandLine|contains: ' -s '
    filter:
        User: 'admin'
    condition: selection and not filter
)";
const char* kSame = R"(title: Same Logic
id: 22222222-0000-0000-0000-000000000003
logsource: {category: process_creation, product: windows}
detection:
    a:
        Image|endswith: '\PSEXEC.EXE'
    condition: a
)";
const char* kOr = R"(title: Either Tool
id: 22222222-0000-0000-0000-000000000004
logsource: {product: windows, category: process_creation}
detection:
    selection:
        Image|endswith:
            - '\psexec.exe'
            - '\paexec.exe'
    condition: selection
)";
const char* kOther = R"(title: Other Source
id: 22222222-0000-0000-0000-000000000005
logsource: {product: windows, category: file_event}
detection:
    selection:
        Image|endswith: '\psexec.exe'
    condition: selection
)";

const Neighbor* neighbor(const Catalog& c, const std::string& of, const std::string& to,
                         NeighborKind k) {
    const RuleAnalysis& a = by_id(c, of);
    for (auto& n : a.neighbors)
        if (c.rules[n.rule].id == to && n.kind == k) return &n;
    return nullptr;
}

TEST(CatalogNeighbors, StricterBroaderDuplicate) {
    Catalog c = catalog_of({{"base.yml", kBase},
                            {"stricter.yml", kStricter},
                            {"same.yml", kSame},
                            {"or.yml", kOr},
                            {"other.yml", kOther}});
    const std::string base = "22222222-0000-0000-0000-000000000001";
    const std::string strict = "22222222-0000-0000-0000-000000000002";
    const std::string same = "22222222-0000-0000-0000-000000000003";
    const std::string either = "22222222-0000-0000-0000-000000000004";
    const std::string other = "22222222-0000-0000-0000-000000000005";
    const Neighbor* n = neighbor(c, base, strict, NeighborKind::Stricter);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->filters, 2u);  // CommandLine contains, NOT(User = admin)
    n = neighbor(c, strict, base, NeighborKind::Broader);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->filters, 2u);
    EXPECT_NE(neighbor(c, base, same, NeighborKind::Duplicate), nullptr);
    EXPECT_NE(neighbor(c, same, base, NeighborKind::Duplicate), nullptr);
    // The Or rule is broader than the base: one of its alternatives is the base.
    EXPECT_NE(neighbor(c, either, base, NeighborKind::Stricter), nullptr);
    EXPECT_NE(neighbor(c, base, either, NeighborKind::Broader), nullptr);
    EXPECT_NE(neighbor(c, either, strict, NeighborKind::Stricter), nullptr);
    // Another log source is no neighbor.
    EXPECT_TRUE(by_id(c, other).neighbors.empty());
    EXPECT_EQ(neighbor(c, base, other, NeighborKind::Stricter), nullptr);
}

TEST(CatalogNeighbors, AcrossLanguagesThroughTheFieldTable) {
    // A tstats rule on the CIM process name, as the SPL front-end represents it.
    Rule spl;
    spl.source = RuleSource::SplunkSecurityContent;
    spl.id = "aaaaaaaa-0000-0000-0000-000000000001";
    spl.title = "Splunk PsExec";
    Stage s;
    s.command = "tstats";
    s.text =
        "| tstats count from datamodel=Endpoint.Processes where "
        "Processes.process_name=psexec.exe by Processes.dest";
    s.expr = Expr::make_pred(pred("Processes.process_name", Op::Eq, Value::string("psexec.exe")));
    spl.stages.push_back(s);
    Catalog c = catalog_of({{"base.yml", kBase}, {"stricter.yml", kStricter}}, {spl});
    const std::string base = "22222222-0000-0000-0000-000000000001";
    // The Sigma rule also names product windows, which the tstats rule leaves open.
    const Neighbor* n = neighbor(c, spl.id, base, NeighborKind::Stricter);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->filters, 1u);
    EXPECT_NE(neighbor(c, base, spl.id, NeighborKind::Broader), nullptr);
    // Indicator counts go across languages too: base's Image value is used by 2 other rules.
    const RuleAnalysis& a = by_id(c, base);
    const Indicator* x = indicator(a, "Image", "ends_with");
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->values.at(0).corpus, 2u);
    EXPECT_EQ(x->values[0].by_source[size_t(RuleSource::Sigma)], 1u);
    EXPECT_EQ(x->values[0].by_source[size_t(RuleSource::SplunkSecurityContent)], 1u);
    EXPECT_EQ(x->values[0].corpus_text(), "corpus 2 (sigma 1, splunk 1)");
}

TEST(CatalogNeighbors, NearDuplicates) {
    std::string a = R"(title: Near A
id: 33333333-0000-0000-0000-000000000001
logsource: {product: windows, category: process_creation}
detection:
    selection:
        Image|endswith: '\tool.exe'
        CommandLine|contains|all: [' -a ', ' -b ', ' -c ', ' -d ', ' -e ', ' -f ']
    condition: selection
)";
    std::string b = a;
    b.replace(b.find("Near A"), 6, "Near B");
    b.replace(b.find("0001"), 4, "0002");
    b.replace(b.find(" -f "), 4, " -g ");
    Catalog c = catalog_of({{"a.yml", a}, {"b.yml", b}});
    const Neighbor* n =
        neighbor(c, "33333333-0000-0000-0000-000000000001", "33333333-0000-0000-0000-000000000002",
                 NeighborKind::NearDuplicate);
    ASSERT_NE(n, nullptr);
    EXPECT_NEAR(n->similarity, 8.0 / 10.0, 1e-9);  // 8 shared of 10 predicates
}

// The rule page writer (rule_html.cpp) must give the rule.mustache template's output byte for
// byte, and rule_json_text nlohmann's dump: edge cases (no tags, no references, a correlation,
// translations off, an empty stage text, quotes and entities), the PsExec seed rules with
// translations, and a slice of the corpus when it is present.
TEST(CatalogWriters, EqualTheReference) {
    HtmlRenderer html;
    auto same = [&](const Catalog& c) {
        for (size_t i = 0; i < c.rules.size(); ++i) {
            nlohmann::json m = rule_model(c, i);
            ASSERT_EQ(rule_json_text(m),
                      m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                << c.rules[i].title;
            std::string want = html.rule_page_template(m), got = html.rule_page(m);
            ASSERT_FALSE(want.empty());
            if (got == want) continue;
            size_t k = 0;
            while (k < got.size() && k < want.size() && got[k] == want[k]) ++k;
            FAIL() << c.rules[i].title << ": differs at byte " << k
                   << "\nwant: " << want.substr(k > 80 ? k - 80 : 0, 200)
                   << "\ngot:  " << got.substr(k > 80 ? k - 80 : 0, 200);
        }
    };
    Catalog edge = catalog_of({{"a.yml", R"(title: 'Quotes '' " & <x>'
id: 44444444-0000-0000-0000-000000000010
logsource: {product: windows, category: process_creation}
detection:
    selection:
        CommandLine|contains: 'a'
    condition: selection
)"},
                               {"b.yml", R"(title: Broader
id: 44444444-0000-0000-0000-000000000011
status: test
description: d
references: [not a url, 'https://example.com/a?b=1&c=2']
falsepositives: ['', x]
tags: [attack.execution, attack.t1059.001, attack.s0002, attack.g0007, car.2016-04-002]
author: me
date: 2024-01-01
modified: 2024-02-01
level: high
logsource: {product: windows, category: process_creation, definition: 'needs <x>'}
detection:
    selection:
        Image|endswith: '\cmd.exe'
    filter:
        User: SYSTEM
    keywords: [evil]
    condition: selection and not filter or keywords
)"},
                               {"c.yml", R"(title: Correlated
id: 44444444-0000-0000-0000-000000000012
correlation:
    type: event_count
    rules: [44444444-0000-0000-0000-000000000011]
    group-by: [User]
    timespan: 5m
    condition: {gte: 3}
)"}});
    same(edge);
    if (!fs::exists(kPsexec)) GTEST_SKIP() << "no " << kPsexec;
    Catalog ps;
    load_catalog({(kPsexec / "current").string()}, ps);
    AnalysisOptions o;
    o.translate = default_translator();
    analyze_catalog(ps, o);
    same(ps);
    fs::path corpus = fs::path(SIGIL_SHARED_DIR) / "corpus";
    std::vector<std::string> dirs;
    for (const char* d :
         {"sigma/rules/windows/builtin", "sigma/rules/linux/auditd",
          "sigma/rules-threat-hunting/windows/process_creation",
          "splunk-security-content/detections/network", "armory/detections/application"})
        if (fs::exists(corpus / d)) dirs.push_back((corpus / d).string());
    if (dirs.empty()) return;
    Catalog c;
    load_catalog(dirs, c);
    analyze_catalog(c, o);
    ASSERT_GT(c.rules.size(), 200u);
    same(c);
}

TEST(CatalogWriters, JsonTextEdgeCases) {
    using nlohmann::json;
    json j = {{"ctl", std::string("a\x01\b\t\n\f\r\x1f\x7f\"\\/z")},
              {"utf8", "é € 😀 \xEF\xBF\xBD"},
              {"bad", "x\xC3(\xE0\x80\xAF\xED\xA0\x80\xF4\x90\x80\x80\xFFy"},
              {"num", {0, -1, 18446744073709551615ull, 0.0, 0.8571428571428571, 1e-7, 1e300}},
              {"nested", {{"b", json::array()}, {"a", json::object()}, {"c", nullptr}}},
              {"bool", {true, false}}};
    EXPECT_EQ(rule_json_text(j), j.dump(-1, ' ', false, json::error_handler_t::replace));
    EXPECT_NE(rule_json_text(j).find("\\u0001"), std::string::npos);
}

TEST(CatalogHtml, EveryRuleValueIsEscaped) {
    Catalog c = catalog_of({{"x.yml", R"(title: 'Evil <script>alert(1)</script> & "q"'
id: 44444444-0000-0000-0000-000000000001
description: '<img src=x onerror=alert(2)>'
references:
    - 'javascript:alert(3)'
    - 'https://example.com/?a=1&b=<2>'
logsource: {product: windows, category: process_creation}
detection:
    selection:
        CommandLine|contains: '<b>bold</b>'
    condition: selection
)"}});
    HtmlRenderer html;
    std::string page = html.rule_page(rule_model(c, 0));
    EXPECT_EQ(page.find("<script>alert"), std::string::npos);
    EXPECT_EQ(page.find("<img src=x"), std::string::npos);
    EXPECT_EQ(page.find("<b>bold"), std::string::npos);
    EXPECT_EQ(page.find("href=\"javascript:"), std::string::npos);
    EXPECT_NE(page.find("Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"),
              std::string::npos);
    EXPECT_NE(page.find("&lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
    EXPECT_NE(page.find("href=\"https://example.com/?a=1&amp;b=&lt;2&gt;\""), std::string::npos);
}

// ------------------------------------------------------------------ cache and builds

TEST(CatalogCache, RoundTripKeepsRulesAndTranslations) {
    if (!fs::exists(kPsexec)) GTEST_SKIP() << "no " << kPsexec;
    Catalog c;
    load_catalog({(kPsexec / "current").string(), (kPsexec / "tag0.20").string()}, c);
    ASSERT_GE(c.rules.size(), 9u);
    std::vector<CachedFile> files(1);
    files[0].path = "x.yml";
    files[0].hash = 42;
    files[0].rules = c.rules;
    files[0].translations.assign(c.rules.size(),
                                 files[0].keep(encode_translations({{"splunk", "q", ""}})));
    files[0].translated.assign(c.rules.size(), 1);
    files[0].logic_hashes.assign(c.rules.size(), 7);
    Diagnostic d;
    d.code = "x.y";
    d.message = "m";
    files[0].diagnostics.push_back(d);
    TempDir t;
    std::string p = (t.path / "rules.cache").string();
    ASSERT_TRUE(write_rule_cache(p, files));
    std::vector<CachedFile> back;
    ASSERT_TRUE(read_rule_cache(p, back));
    ASSERT_EQ(back.size(), 1u);
    ASSERT_EQ(back[0].rules.size(), c.rules.size());
    for (size_t i = 0; i < c.rules.size(); ++i) {
        const Rule& a = c.rules[i];
        const Rule& b = back[0].rules[i];
        EXPECT_EQ(a.title, b.title);
        EXPECT_EQ(a.tags, b.tags);
        EXPECT_EQ(a.logsource.service, b.logsource.service);
        EXPECT_EQ(a.condition_text, b.condition_text);
        EXPECT_EQ(a.detections.size(), b.detections.size());
        EXPECT_TRUE(same_logic(normalize(a.expr()), normalize(b.expr()))) << a.title;
        EXPECT_EQ(a.loc.line, b.loc.line);
    }
    std::vector<Translation> tr;
    ASSERT_TRUE(decode_translations(back[0].translations[0], tr));
    ASSERT_EQ(tr.size(), 1u);
    EXPECT_EQ(tr[0].target, "splunk");
    EXPECT_EQ(tr[0].query, "q");
    EXPECT_EQ(back[0].logic_hashes[0], 7u);
    EXPECT_EQ(back[0].diagnostics[0].code, "x.y");
    // A truncated cache is rejected as a whole.
    std::string bytes = slurp(p);
    std::ofstream(p, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    EXPECT_FALSE(read_rule_cache(p, back));
}

TEST(CatalogCache, TrueAndFalseConditionsRoundTrip) {
    // A pipeline rule without filtering logic has the condition `true`; the cache once lost
    // its place after one, so no Splunk rule was ever read back from it.
    Rule r;
    r.source = RuleSource::SplunkSecurityContent;
    r.title = "no filter";
    r.conditions = {Expr::make_true()};
    r.stages.push_back({"stats", "| stats count", Expr::make_false(), {}});
    Rule r2;
    r2.title = "after";
    r2.conditions = {Expr::make_false()};
    std::vector<CachedFile> files(1);
    files[0].path = "x.yml";
    files[0].rules = {r, r2};
    TempDir t;
    std::string p = (t.path / "rules.cache").string();
    ASSERT_TRUE(write_rule_cache(p, files));
    std::vector<CachedFile> back;
    ASSERT_TRUE(read_rule_cache(p, back));
    ASSERT_EQ(back[0].rules.size(), 2u);
    EXPECT_EQ(back[0].rules[0].conditions[0]->kind, ExprKind::True);
    EXPECT_EQ(back[0].rules[0].stages[0].expr->kind, ExprKind::False);
    EXPECT_EQ(back[0].rules[1].title, "after");
    EXPECT_EQ(back[0].rules[1].conditions[0]->kind, ExprKind::False);
}

TEST(CatalogBuild, AtomicIncrementalAndSearchable) {
    TempDir t;
    t.write("rules/base.yml", kBase);
    t.write("rules/stricter.yml", kStricter);
    t.write("rules/or.yml", kOr);
    std::atomic<int> translated{0};
    CatalogBuildOptions o;
    o.paths = {(t.path / "rules").string()};
    o.out_dir = (t.path / "site").string();
    o.analysis.translate = [&](const Rule& r) {
        ++translated;
        return std::vector<Translation>{{"splunk", "Image=\"*\\\\" + r.title + "\"", ""}};
    };
    CatalogBuildReport r1 = build_catalog(o);
    ASSERT_TRUE(r1.ok) << (r1.diagnostics.empty() ? "" : r1.diagnostics[0].message);
    EXPECT_EQ(r1.rules, 3u);
    EXPECT_EQ(translated.load(), 3);
    fs::path site = t.path / "site";
    for (const char* f :
         {"index.html", "search-index.js", "matrix.html", "logsources.html", "rules.csv",
          "navigator-layer.json", "catalog.sqlite", "assets/style.css", "assets/app.js",
          "events/index.html", "rules/sigma-22222222-0000-0000-0000-000000000001.html",
          "rules/sigma-22222222-0000-0000-0000-000000000001.md",
          "rules/sigma-22222222-0000-0000-0000-000000000001.json"})
        EXPECT_TRUE(fs::exists(site / f)) << f;
    std::string page = slurp(site / "rules/sigma-22222222-0000-0000-0000-000000000001.html");
    EXPECT_NE(page.find("Stricter</a>"), std::string::npos);
    EXPECT_NE(page.find("Image=&quot;*\\\\Base&quot;"), std::string::npos);  // translation
    EXPECT_NE(slurp(site / "rules.csv").find("\"Base\""), std::string::npos);
    EXPECT_NE(slurp(site / "navigator-layer.json").find("\"domain\": \"enterprise-attack\""),
              std::string::npos);

    // Nothing changed: every page is reused, nothing is translated again.
    CatalogBuildReport r2 = build_catalog(o);
    ASSERT_TRUE(r2.ok);
    EXPECT_EQ(r2.files_cached, 3u);
    EXPECT_EQ(r2.pages_written, 0u);
    EXPECT_GT(r2.pages_reused, 10u);
    EXPECT_EQ(translated.load(), 3);

    // One rule changes: its pages are rewritten, and the rules whose neighbors changed.
    std::string changed = kStricter;
    changed.replace(changed.find("title: Stricter"), 15, "title: Stricter Now");
    t.write("rules/stricter.yml", changed);
    CatalogBuildReport r3 = build_catalog(o);
    ASSERT_TRUE(r3.ok);
    EXPECT_EQ(r3.files_cached, 2u);
    EXPECT_EQ(translated.load(), 4);
    EXPECT_NE(
        slurp(site / "rules/sigma-22222222-0000-0000-0000-000000000002.html").find("Stricter Now"),
        std::string::npos);
    EXPECT_NE(slurp(site / "rules/sigma-22222222-0000-0000-0000-000000000001.html")
                  .find("Stricter Now</a>"),
              std::string::npos);
    EXPECT_LT(r3.pages_written, r1.pages_written);
    // The database follows: full-text search finds the new title.
    std::string js = catalog_search_json((site / "catalog.sqlite").string(), "stricter now", 10);
    EXPECT_NE(js.find("\"title\":\"Stricter Now\""), std::string::npos) << js;
    js = catalog_search_json((site / "catalog.sqlite").string(), "psexec.exe", 10);
    EXPECT_NE(js.find("\"count\":3"), std::string::npos) << js;
    // FTS syntax in user input is taken as words.
    js = catalog_search_json((site / "catalog.sqlite").string(), "NEAR( \"x OR", 10);
    EXPECT_EQ(js.find("\"error\""), std::string::npos) << js;

    // A removed rule disappears from pages and the database.
    fs::remove(t.path / "rules/or.yml");
    CatalogBuildReport r4 = build_catalog(o);
    ASSERT_TRUE(r4.ok);
    EXPECT_FALSE(fs::exists(site / "rules/sigma-22222222-0000-0000-0000-000000000004.html"));
    js = catalog_search_json((site / "catalog.sqlite").string(), "either", 10);
    EXPECT_NE(js.find("\"count\":0"), std::string::npos) << js;
    // No temporary directory is left beside the catalog.
    for (auto& e : fs::directory_iterator(t.path))
        EXPECT_EQ(e.path().filename().string().find("site.tmp-"), std::string::npos);
}

TEST(CatalogBuild, InterruptedBuildLeavesThePreviousCatalog) {
    TempDir t;
    t.write("rules/base.yml", kBase);
    CatalogBuildOptions o;
    o.paths = {(t.path / "rules").string()};
    o.out_dir = (t.path / "site").string();
    ASSERT_TRUE(build_catalog(o).ok);
    std::string before = slurp(t.path / "site/index.html");
    // A build that died half-way leaves only its temporary directory, which the next build
    // removes; the catalog itself was never touched.
    fs::create_directories(t.path / "site.tmp-abcdef/rules");
    std::ofstream(t.path / "site.tmp-abcdef/index.html") << "partial";
    EXPECT_EQ(slurp(t.path / "site/index.html"), before);
    ASSERT_TRUE(build_catalog(o).ok);
    EXPECT_FALSE(fs::exists(t.path / "site.tmp-abcdef"));
}

TEST(CatalogBuild, JournalFinishesACommittedBuildAndDropsAnUncommittedOne) {
    TempDir t;
    t.write("rules/base.yml", kBase);
    CatalogBuildOptions o;
    o.paths = {(t.path / "rules").string()};
    o.out_dir = (t.path / "site").string();
    ASSERT_TRUE(build_catalog(o).ok);
    fs::path site = t.path / "site";
    std::string csv = slurp(site / "rules.csv");
    // An incremental build that died before its commit point: only staged files exist.
    t.write("site/.sigil/staging-aaaaaa/0", "uncommitted");
    // One that died after it: the journal lists a move not yet done and a deletion.
    t.write("site/.sigil/staging-bbbbbb/0", "committed page");
    t.write("site/.sigil/journal",
            "sigil-catalog-journal 1\nR .sigil/staging-bbbbbb/0\tindex.html\nD "
            "logsources.html\nD ../outside.txt\n");
    t.write("outside.txt", "keep");
    ASSERT_TRUE(recover_catalog_dir(site.string()));
    EXPECT_EQ(slurp(site / "index.html"), "committed page");
    EXPECT_FALSE(fs::exists(site / "logsources.html"));
    EXPECT_TRUE(fs::exists(t.path / "outside.txt"));  // entries never leave the catalog
    EXPECT_FALSE(fs::exists(site / ".sigil/journal"));
    EXPECT_FALSE(fs::exists(site / ".sigil/staging-aaaaaa"));
    EXPECT_FALSE(fs::exists(site / ".sigil/staging-bbbbbb"));
    EXPECT_EQ(slurp(site / "rules.csv"), csv);
    // Replaying again changes nothing.
    EXPECT_TRUE(recover_catalog_dir(site.string()));

    // An incremental build commits through the journal and leaves nothing behind; a page
    // that the manifest records but that is missing on disk is written again.
    std::string changed = kBase;
    changed.replace(changed.find("title: Base"), 11, "title: Base Two");
    t.write("rules/base.yml", changed);
    CatalogBuildReport r = build_catalog(o);
    ASSERT_TRUE(r.ok);
    EXPECT_NE(slurp(site / "rules.csv").find("Base Two"), std::string::npos);
    EXPECT_TRUE(fs::exists(site / "logsources.html"));
    for (auto& e : fs::directory_iterator(site / ".sigil"))
        EXPECT_EQ(e.path().filename().string().rfind("staging-", 0), std::string::npos) << e.path();
    EXPECT_FALSE(fs::exists(site / ".sigil/journal"));
}

namespace {
long long rule_rows(const fs::path& db) {
    sqlite3* h = nullptr;
    long long n = -1;
    if (sqlite3_open(db.c_str(), &h) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(h, "SELECT count(*) FROM rules", -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return n;
}
}  // namespace

// An incremental build updates catalog.sqlite in place and commits it after its journal: a
// build that died between the two leaves SQLite's hot journal, and the journal's moves must
// then not be applied (the database is rolled back, so the catalog stays the previous one).
TEST(CatalogBuild, JournalOfAnUncommittedDatabaseIsDropped) {
    TempDir t;
    t.write("rules/base.yml", kBase);
    t.write("rules/stricter.yml", kStricter);
    CatalogBuildOptions o;
    o.paths = {(t.path / "rules").string()};
    o.out_dir = (t.path / "site").string();
    ASSERT_TRUE(build_catalog(o).ok);
    fs::path site = t.path / "site";
    ASSERT_EQ(rule_rows(site / "catalog.sqlite"), 2);
    std::string index = slurp(site / "index.html");
    // A child process deletes the rows in an uncommitted transaction and dies.
    pid_t pid = fork();
    if (pid == 0) {
        sqlite3* h = nullptr;
        sqlite3_open((site / "catalog.sqlite").c_str(), &h);
        sqlite3_exec(h,
                     "PRAGMA journal_mode=DELETE; PRAGMA cache_size=1; BEGIN; DELETE FROM rules;",
                     nullptr, nullptr, nullptr);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(fs::exists(site / "catalog.sqlite-journal"));
    t.write("site/.sigil/staging-cccccc/0", "new page");
    t.write("site/.sigil/journal",
            "sigil-catalog-journal 1\nQ catalog.sqlite\nR .sigil/staging-cccccc/0\tindex.html\n");
    ASSERT_TRUE(recover_catalog_dir(site.string()));
    EXPECT_EQ(slurp(site / "index.html"), index);
    EXPECT_FALSE(fs::exists(site / ".sigil/journal"));
    EXPECT_FALSE(fs::exists(site / ".sigil/staging-cccccc"));
    EXPECT_FALSE(fs::exists(site / "catalog.sqlite-journal"));
    EXPECT_EQ(rule_rows(site / "catalog.sqlite"), 2);

    // Committed (no SQLite journal left): the moves are applied.
    t.write("site/.sigil/staging-dddddd/0", "new page");
    t.write("site/.sigil/journal",
            "sigil-catalog-journal 1\nQ catalog.sqlite\nR .sigil/staging-dddddd/0\tindex.html\n");
    ASSERT_TRUE(recover_catalog_dir(site.string()));
    EXPECT_EQ(slurp(site / "index.html"), "new page");

    // A real incremental build changes the rows in place and leaves no journal behind.
    std::string changed = kBase;
    changed.replace(changed.find("title: Base"), 11, "title: Base Two");
    t.write("rules/base.yml", changed);
    ASSERT_TRUE(build_catalog(o).ok);
    EXPECT_FALSE(fs::exists(site / "catalog.sqlite-journal"));
    EXPECT_EQ(rule_rows(site / "catalog.sqlite"), 2);
    EXPECT_NE(slurp(site / "rules.csv").find("Base Two"), std::string::npos);
}

TEST(CatalogBuild, RefusesToReplaceAForeignDirectory) {
    TempDir t;
    t.write("rules/base.yml", kBase);
    t.write("mine/notes.txt", "precious");
    CatalogBuildOptions o;
    o.paths = {(t.path / "rules").string()};
    o.out_dir = (t.path / "mine").string();
    CatalogBuildReport r = build_catalog(o);
    EXPECT_FALSE(r.ok);
    ASSERT_FALSE(r.diagnostics.empty());
    EXPECT_EQ(r.diagnostics.back().code, "catalog.out.not_catalog");
    EXPECT_EQ(slurp(t.path / "mine/notes.txt"), "precious");
}

TEST(CatalogBuild, BrokenRulesAreReportedAndTheRestIsBuilt) {
    TempDir t;
    t.write("rules/base.yml", kBase);
    t.write("rules/broken.yml", "title: [unclosed\n");
    t.write("rules/ssc.yml", "name: X\nsearch: '| tstats count'\n");
    CatalogBuildOptions o;
    o.paths = {(t.path / "rules").string()};
    o.out_dir = (t.path / "site").string();
    CatalogBuildReport r = build_catalog(o);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.rules, 2u);  // base.yml and the Splunk rule
    bool yaml = false;
    for (auto& d : r.diagnostics)
        if (d.loc.file && d.loc.file->find("broken.yml") != std::string::npos) yaml = true;
    EXPECT_TRUE(yaml);
}

// Cached per-rule analyses (and their corpus inputs) are keyed by the rule's file and linked
// conditions: a Sigma filter in another file that changes must reach the rule's analysis.
TEST(CatalogBuild, CachedAnalysesFollowFiltersAndMatchAFullBuild) {
    TempDir t;
    t.write("rules/base.yml", kBase);
    t.write("rules/stricter.yml", kStricter);
    t.write("rules/or.yml", kOr);
    auto filter = [&](const char* user) {
        t.write("rules/0_filter.yml",
                std::string("title: no admin\nlogsource: {product: windows}\nfilter:\n  rules: "
                            "[22222222-0000-0000-0000-000000000001]\n  sel: {User: ") +
                    user + "}\n  condition: not sel\n");
    };
    filter("admin");
    CatalogBuildOptions o;
    o.paths = {(t.path / "rules").string()};
    o.out_dir = (t.path / "site").string();
    o.sqlite = false;
    ASSERT_TRUE(build_catalog(o).ok);
    filter("operator");  // only the filter file changes; base.yml's analysis must follow
    CatalogBuildReport inc = build_catalog(o);
    ASSERT_TRUE(inc.ok);
    EXPECT_EQ(inc.files_cached, 3u);
    CatalogBuildOptions full = o;
    full.out_dir = (t.path / "full").string();
    full.incremental = false;
    ASSERT_TRUE(build_catalog(full).ok);
    const std::string base = "rules/sigma-22222222-0000-0000-0000-000000000001";
    std::string page = slurp(t.path / "site" / (base + ".json"));
    EXPECT_NE(page.find("operator"), std::string::npos);
    EXPECT_EQ(page.find("admin"), std::string::npos);
    size_t compared = 0;
    for (auto& e : fs::recursive_directory_iterator(t.path / "full")) {
        if (!e.is_regular_file() || e.path().string().find("/.sigil/") != std::string::npos)
            continue;
        fs::path rel = fs::relative(e.path(), t.path / "full");
        EXPECT_EQ(slurp(e.path()), slurp(t.path / "site" / rel)) << rel;
        ++compared;
    }
    EXPECT_GT(compared, 10u);
}

TEST(CatalogCache, AnalysisEncodingRoundTrips) {
    Catalog c = catalog_of({{"base.yml", kBase}, {"stricter.yml", kStricter}, {"or.yml", kOr}});
    CanonicalHashes hashes;
    for (size_t i = 0; i < c.rules.size(); ++i) {
        RuleAnalysis fresh;
        analyze_rule(c.rules[i], c.texts[i], fresh);
        CorpusInputs in = corpus_inputs(c.rules[i], fresh, hashes);
        std::string bytes = encode_analysis(fresh, in);
        RuleAnalysis back;
        CorpusInputs in2;
        ASSERT_TRUE(decode_analysis(bytes, back, in2));
        EXPECT_EQ(back.slug, fresh.slug);
        EXPECT_EQ(back.stages.size(), fresh.stages.size());
        EXPECT_EQ(back.indicators.size(), fresh.indicators.size());
        EXPECT_EQ(in2.indicator_set, in.indicator_set);
        EXPECT_EQ(in2.shape.preds, in.shape.preds);
        EXPECT_EQ(in2.shape.usable, in.shape.usable);
        ASSERT_TRUE(fresh.logic);
        EXPECT_EQ(in.logic_hash, fresh.logic->hash);
        EXPECT_EQ(in2.logic_hash, in.logic_hash);
        EXPECT_EQ(encode_analysis(back, in2), bytes);
        EXPECT_FALSE(decode_analysis(bytes.substr(0, bytes.size() - 1), back, in2));
    }
}

// The default translator converts through one ConverterSet; each target's query or error must
// equal what a Converter of that target alone gives (as `sigil convert -t T`).
TEST(CatalogTranslations, EqualOneConverterPerTarget) {
    if (!fs::exists(kPsexec)) GTEST_SKIP() << "no " << kPsexec;
    Catalog c;
    load_catalog({(kPsexec / "current").string(), (kPsexec / "tag0.20").string()}, c);
    Translator tr = default_translator();
    std::vector<std::unique_ptr<Converter>> single;
    for (auto t : translation_targets()) {
        ConvertOptions o;
        o.target = std::string(t);
        Diagnostics d;
        single.push_back(Converter::create(o, d));
        ASSERT_TRUE(single.back()) << t;
    }
    size_t sigma = 0, queries = 0;
    for (const Rule& r : c.rules) {
        std::vector<Translation> got = tr(r);
        if (r.source != RuleSource::Sigma || r.kind != RuleKind::Detection) {
            EXPECT_TRUE(got.empty()) << r.title;
            continue;
        }
        ++sigma;
        ASSERT_EQ(got.size(), translation_targets().size()) << r.title;
        for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].target, translation_targets()[i]);
            RuleConversion rc = single[i]->convert(r);
            std::string want;
            for (size_t q = 0; q < rc.queries.size(); ++q) want += (q ? "\n" : "") + rc.queries[q];
            if (rc.ok()) {
                ++queries;
                EXPECT_EQ(got[i].query, want) << r.title << " " << got[i].target;
                EXPECT_EQ(got[i].error, "") << r.title << " " << got[i].target;
            } else {
                EXPECT_EQ(got[i].query, "") << r.title << " " << got[i].target;
                EXPECT_FALSE(got[i].error.empty()) << r.title << " " << got[i].target;
                if (!rc.errors.empty()) {
                    EXPECT_EQ(got[i].error, rc.errors[0].message);
                }
            }
        }
    }
    EXPECT_GT(sigma, 0u);
    EXPECT_GT(queries, sigma);  // most targets express the PsExec rules
}
