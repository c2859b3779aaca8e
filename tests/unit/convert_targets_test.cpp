// Unit tests of the conversion targets on hand-built IR and on the seeds'
// PsExec rules: exact query text, case handling, escaping, unsupported
// features reported as per-rule errors.
#include <gtest/gtest.h>

#include <fstream>

#include "sigil/convert.h"
#include "sigil/sigma.h"

using namespace sigil;

namespace {

ExprPtr P(std::string field, Op op, Value v, bool cased = false) {
    Pred p;
    p.field = std::move(field);
    p.op = op;
    p.value = std::move(v);
    p.cased = cased;
    return Expr::make_pred(std::move(p));
}
ExprPtr S(std::string field, Op op, std::string v, bool cased = false) {
    return P(std::move(field), op, Value::string(std::move(v)), cased);
}

Rule rule_of(ExprPtr e) {
    Rule r;
    r.id = "11111111-2222-3333-4444-555555555555";
    r.title = "Test Rule";
    r.conditions.push_back(std::move(e));
    return r;
}

std::string conv(const std::string& target, const Rule& r, std::string* err = nullptr,
                 std::vector<std::string> pipelines = {}, bool defaults = false) {
    ConvertOptions o;
    o.target = target;
    o.pipelines = std::move(pipelines);
    o.default_pipelines = defaults;
    Diagnostics d;
    auto c = Converter::create(o, d);
    EXPECT_TRUE(c) << target;
    if (!c) return "";
    auto rc = c->convert(r);
    if (!rc.errors.empty()) {
        if (err) *err = rc.errors[0].code + ": " + rc.errors[0].message;
        return "";
    }
    return rc.queries.empty() ? "" : rc.queries[0];
}

Rule sample() {
    return rule_of(Expr::make_and({P("EventID", Op::Eq, Value::integer(4688)),
                                   S("Image", Op::EndsWith, "\\cmd.exe"),
                                   Expr::make_or({S("CommandLine", Op::Contains, "/c"),
                                                  S("CommandLine", Op::Contains, "-c")}),
                                   Expr::make_not(S("User", Op::Eq, "SYSTEM"))}));
}

TEST(ConvertTargets, Splunk) {
    EXPECT_EQ(conv("splunk", sample()),
              "EventID=4688 Image=\"*\\\\cmd.exe\" CommandLine IN (\"*/c*\", \"*-c*\") NOT "
              "User=\"SYSTEM\"");
}

TEST(ConvertTargets, SplunkOrBindsTighterThanAnd) {
    Rule r = rule_of(Expr::make_or(
        {Expr::make_and({S("a", Op::Eq, "1"), S("b", Op::Eq, "2")}), S("c", Op::Eq, "3")}));
    EXPECT_EQ(conv("splunk", r), "(a=\"1\" b=\"2\") OR c=\"3\"");
}

TEST(ConvertTargets, SplunkRegexDeferredAndWhereFallback) {
    Pred re;
    re.field = "CommandLine";
    re.op = Op::Regex;
    re.value = Value::string("a\"b\\d");
    re.re_flags = ReIgnoreCase;
    Rule top = rule_of(Expr::make_and({S("Image", Op::EndsWith, "\\x.exe"), Expr::make_pred(re)}));
    EXPECT_EQ(conv("splunk", top), "Image=\"*\\\\x.exe\"\n| regex CommandLine=\"(?i)a\\\"b\\\\d\"");
    Rule nested =
        rule_of(Expr::make_and({S("Image", Op::EndsWith, "\\x.exe"),
                                Expr::make_or({Expr::make_pred(re), S("a", Op::Eq, "b")})}));
    EXPECT_EQ(conv("splunk", nested),
              "Image=\"*\\\\x.exe\"\n| where (isnotnull(CommandLine) AND match(CommandLine, "
              "\"(?i)a\\\"b\\\\d\")) OR (isnotnull(a) AND match(a, \"(?i)^b$\"))");
}

TEST(ConvertTargets, SplunkCased) {
    EXPECT_EQ(conv("splunk", rule_of(S("f", Op::Eq, "AbC", true))), "f=CASE(\"AbC\")");
}

TEST(ConvertTargets, EsQsLegacyQuoting) {
    EXPECT_EQ(conv("es-qs", sample()),
              "EventID:\"4688\" AND Image.keyword:*\\\\cmd.exe AND (CommandLine.keyword:(*\\/c* OR "
              "*\\-c*)) AND (NOT User:\"SYSTEM\")");
}

TEST(ConvertTargets, LuceneCasedIsAnError) {
    std::string err;
    EXPECT_EQ(conv("lucene", rule_of(S("f", Op::Eq, "AbC", true)), &err), "");
    EXPECT_NE(err.find("convert.unsupported"), std::string::npos) << err;
    EXPECT_NE(err.find("Test Rule"), std::string::npos) << err;
}

TEST(ConvertTargets, LuceneRegexTranslation) {
    Pred re;
    re.field = "f";
    re.op = Op::Regex;
    re.value = Value::string("^a\\d+b");
    re.re_flags = ReIgnoreCase;
    EXPECT_EQ(conv("lucene", rule_of(Expr::make_pred(re))), "f:/[aA][0-9]+[bB].*/");
    re.value = Value::string("(?=x)");
    std::string err;
    EXPECT_EQ(conv("lucene", rule_of(Expr::make_pred(re)), &err), "");
    EXPECT_NE(err.find("no Lucene equivalent"), std::string::npos);
}

TEST(ConvertTargets, SqlNullSafeNotAndNumbers) {
    EXPECT_EQ(conv("sql", sample()),
              "SELECT * FROM eventlog WHERE \"EventID\" IN (4688, '4688') AND \"Image\" LIKE "
              "'%\\\\cmd.exe' ESCAPE '\\' AND (\"CommandLine\" LIKE '%/c%' ESCAPE '\\' OR "
              "\"CommandLine\" LIKE '%-c%' ESCAPE '\\') AND NOT coalesce(\"User\" LIKE 'SYSTEM' "
              "ESCAPE '\\', 0)");
    EXPECT_EQ(conv("postgres", rule_of(S("f", Op::Glob, "a?b\\*c_%"))),
              "SELECT * FROM eventlog WHERE \"f\" ILIKE 'a_b*c\\_\\%' ESCAPE '\\'");
    EXPECT_EQ(conv("sql", rule_of(S("f", Op::Glob, "a?b\\*", true))),
              "SELECT * FROM eventlog WHERE \"f\" GLOB 'a?b[*]'");
    EXPECT_EQ(conv("sql", rule_of(P("f", Op::Eq, Value::null()))),
              "SELECT * FROM eventlog WHERE \"f\" IS NULL");
}

TEST(ConvertTargets, SqlKeywordIsAnError) {
    std::string err;
    EXPECT_EQ(conv("sql", rule_of(S("", Op::Contains, "evil")), &err), "");
    EXPECT_NE(err.find("keyword"), std::string::npos);
}

TEST(ConvertTargets, EqlAndEsqlCase) {
    EXPECT_EQ(conv("eql", rule_of(S("f", Op::StartsWith, "Ab"))), "any where f like~ \"Ab*\"");
    EXPECT_EQ(conv("eql", rule_of(S("f", Op::StartsWith, "Ab", true))), "any where f like \"Ab*\"");
    EXPECT_EQ(conv("esql", rule_of(S("f", Op::StartsWith, "Ab"))),
              "from * metadata _id, _index, _version | where starts_with(to_lower(f), \"ab\")");
    EXPECT_EQ(conv("esql", rule_of(S("f", Op::StartsWith, "Ab", true))),
              "from * metadata _id, _index, _version | where starts_with(f, \"Ab\")");
    EXPECT_EQ(conv("esql", rule_of(S("f", Op::Glob, "A\\\\*b"))),
              "from * metadata _id, _index, _version | where to_lower(f) like \"a\\\\\\\\*b\"");
}

TEST(ConvertTargets, KqlEscaping) {
    EXPECT_EQ(conv("kql", rule_of(S("f", Op::Contains, "a b:c"))), "f:*a\\ b\\:c*");
    EXPECT_EQ(conv("kql", rule_of(S("f", Op::Eq, "a \"b\""))), "f:\"a \\\"b\\\"\"");
}

TEST(ConvertTargets, GrepJsonLines) {
    EXPECT_EQ(conv("grep", rule_of(S("Image", Op::EndsWith, "\\cmd.exe"))),
              "grep -P -i '^(?=.*\"Image\":\"(?:[^\"\\\\]|\\\\.)*\\\\\\\\cmd\\.exe\")'");
}

TEST(ConvertTargets, EsDsl) {
    EXPECT_EQ(conv("esdsl", rule_of(Expr::make_not(S("f", Op::Contains, "x*y")))),
              "{\"query\":{\"bool\":{\"must_not\":[{\"wildcard\":{\"f\":{\"value\":\"*x\\\\*y*\","
              "\"case_insensitive\":true}}}]}}}");
}

TEST(ConvertTargets, CidrExpansion) {
    Pred c;
    c.field = "ip";
    c.op = Op::Cidr;
    c.value = Value::string("172.16.0.0/14");
    EXPECT_EQ(conv("sql", rule_of(Expr::make_pred(c))),
              "SELECT * FROM eventlog WHERE (\"ip\" LIKE '172.16.%' ESCAPE '\\' OR \"ip\" LIKE "
              "'172.17.%' ESCAPE '\\' OR \"ip\" LIKE '172.18.%' ESCAPE '\\' OR \"ip\" LIKE "
              "'172.19.%' ESCAPE '\\')");
    EXPECT_EQ(conv("splunk", rule_of(Expr::make_pred(c))), "ip=\"172.16.0.0/14\"");
}

TEST(ConvertTargets, UnresolvedPlaceholderIsAnError) {
    Pred p;
    p.field = "User";
    p.value = Value::string("%Admins%");
    p.placeholders = true;
    std::string err;
    EXPECT_EQ(conv("splunk", rule_of(Expr::make_pred(p)), &err), "");
    EXPECT_NE(err.find("convert.placeholder.unresolved"), std::string::npos);
}

TEST(ConvertTargets, UnknownTargetAndFormat) {
    Diagnostics d;
    ConvertOptions o;
    o.target = "nope";
    EXPECT_FALSE(Converter::create(o, d));
    o.target = "splunk";
    o.format = "ndjson";
    EXPECT_FALSE(Converter::create(o, d));
    EXPECT_EQ(d.size(), 2u);
}

// The seeds' PsExec rules with each target's default pipeline.
class Seeds : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string dir = std::string(SIGIL_SHARED_DIR) + "/reference/psexec/rules/current";
        if (!std::ifstream(dir + "/win_security_susp_psexec.yml")) GTEST_SKIP() << "no shared data";
        load_sigma_paths({dir + "/win_security_susp_psexec.yml"}, coll);
        ASSERT_EQ(coll.rules.size(), 1u);
    }
    std::string run(const std::string& t, const std::string& fmt = "") {
        ConvertOptions o;
        o.target = t;
        o.format = fmt;
        Diagnostics d;
        auto c = Converter::create(o, d);
        auto rc = c->convert(coll.rules[0]);
        EXPECT_TRUE(rc.errors.empty()) << (rc.errors.empty() ? "" : rc.errors[0].message);
        return rc.queries.empty() ? "" : rc.queries[0];
    }
    SigmaCollection coll;
};

TEST_F(Seeds, SuspiciousPsexecExecution) {
    EXPECT_EQ(run("splunk"),
              "source=\"WinEventLog:Security\" EventCode=5145 ShareName=\"\\\\\\\\\\*\\\\IPC$\" "
              "RelativeTargetName IN (\"*-stdin\", \"*-stdout\", \"*-stderr\") NOT "
              "RelativeTargetName=\"PSEXESVC*\"");
    EXPECT_EQ(run("es-qs"),
              "winlog.channel:\"Security\" AND ((winlog.event_id:\"5145\" AND "
              "winlog.event_data.ShareName:\"\\\\\\\\\\*\\\\IPC$\" AND "
              "(winlog.event_data.RelativeTargetName.keyword:(*\\-stdin OR *\\-stdout OR "
              "*\\-stderr))) AND (NOT winlog.event_data.RelativeTargetName.keyword:PSEXESVC*))");
    EXPECT_EQ(
        run("logpoint"),
        "event_source=\"Microsoft-Windows-Security-Auditing\" ((event_id=\"5145\" "
        "ShareName=\"\\\\\\\\\\*\\\\IPC$\" (RelativeTargetName IN [\"*-stdin\", \"*-stdout\", "
        "\"*-stderr\"])) (-RelativeTargetName=\"PSEXESVC*\"))");
    std::string w = run("watcher");
    EXPECT_EQ(w.rfind("curl -s -XPUT -H 'Content-Type: application/json' --data-binary @- "
                      "localhost:9200/_watcher/watch/c462f537-a1e3-41a6-b5fc-b2c2cef9bf82 <<EOF\n{",
                      0),
              0u);
    auto j = nlohmann::json::parse(run("watcher", "watch"));
    EXPECT_EQ(j["metadata"]["title"], "Suspicious PsExec Execution");
    EXPECT_EQ(j["input"]["search"]["request"]["indices"][0], "winlogbeat-*");
}

}  // namespace

// `fieldref|cased` compares as written; the plain field references ignore case
// (lower()/to_lower()). Targets without a case-sensitive form say so.
TEST(ConvertTargets, FieldRefCased) {
    EXPECT_EQ(conv("splunk", rule_of(S("a", Op::FieldRef, "b"))), "*\n| where lower(a)=lower(b)");
    EXPECT_EQ(conv("splunk", rule_of(S("a", Op::FieldRef, "b", true))), "*\n| where a=b");
    EXPECT_EQ(conv("splunk", rule_of(S("a", Op::FieldRefStartsWith, "b", true))),
              "*\n| where substr(a, 1, len(b))=b");
    EXPECT_EQ(conv("splunk", rule_of(S("a", Op::FieldRefEndsWith, "b", true))),
              "*\n| where substr(a, -len(b))=b");
    std::string err;
    EXPECT_EQ(conv("splunk", rule_of(S("a", Op::FieldRefContains, "b", true)), &err), "");
    EXPECT_NE(err.find("case-sensitive field references (fieldref_contains cased)"),
              std::string::npos)
        << err;
    EXPECT_EQ(conv("esql", rule_of(S("a", Op::FieldRef, "b"))),
              "from * metadata _id, _index, _version | where to_lower(a)==to_lower(b)");
    EXPECT_EQ(conv("esql", rule_of(S("a", Op::FieldRef, "b", true))),
              "from * metadata _id, _index, _version | where a==b");
    EXPECT_EQ(conv("eql", rule_of(S("a", Op::FieldRef, "b", true))), "any where a == b");
    EXPECT_EQ(conv("sql", rule_of(S("a", Op::FieldRef, "b", true))),
              "SELECT * FROM eventlog WHERE \"a\" = \"b\"");
    err.clear();
    EXPECT_EQ(conv("lucene", rule_of(S("a", Op::FieldRef, "b", true)), &err), "");
    EXPECT_NE(err.find("field references (fieldref)"), std::string::npos) << err;
}

// A ConverterSet runs each distinct pipeline chain once per rule and gives
// every target what its own Converter gives.
TEST(ConvertTargets, ConverterSetEqualsOneConverterPerTarget) {
    std::vector<ConvertOptions> opts;
    for (auto& t : convert_targets()) {
        ConvertOptions o;
        o.target = t;
        opts.push_back(o);
    }
    Diagnostics d;
    auto set = ConverterSet::create(opts, d);
    ASSERT_TRUE(set);
    ASSERT_EQ(set->size(), opts.size());
    // none, splunk-windows, winlogbeat, ecs-windows, logpoint-windows
    EXPECT_EQ(set->chain_count(), 5u);

    std::vector<Rule> rules;
    rules.push_back(sample());
    Rule win = rule_of(Expr::make_and(
        {S("Image", Op::EndsWith, "\\psexec.exe"), S("CommandLine", Op::Contains, "-accepteula")}));
    win.logsource.product = "windows";
    win.logsource.category = "process_creation";
    rules.push_back(win);
    Rule sec = rule_of(P("EventID", Op::Eq, Value::integer(4624)));
    sec.logsource.product = "windows";
    sec.logsource.service = "security";
    rules.push_back(sec);
    Rule empty;
    empty.title = "no condition";
    rules.push_back(empty);
    Rule corr = sample();
    corr.kind = RuleKind::Correlation;
    rules.push_back(corr);

    for (size_t ri = 0; ri < rules.size(); ++ri) {
        auto together = set->convert(rules[ri]);
        ASSERT_EQ(together.size(), opts.size());
        for (size_t i = 0; i < opts.size(); ++i) {
            auto one = Converter::create(opts[i], d);
            ASSERT_TRUE(one);
            RuleConversion alone = one->convert(rules[ri]);
            EXPECT_EQ(together[i].queries, alone.queries) << opts[i].target << " rule " << ri;
            EXPECT_EQ(together[i].skipped, alone.skipped) << opts[i].target;
            EXPECT_EQ(together[i].rule, &rules[ri]);
            ASSERT_EQ(together[i].errors.size(), alone.errors.size()) << opts[i].target;
            for (size_t k = 0; k < alone.errors.size(); ++k)
                EXPECT_EQ(together[i].errors[k].message, alone.errors[k].message);
        }
    }
    // the Windows rule really went through the targets' pipelines
    auto r = set->convert(rules[1]);
    EXPECT_NE(r[2].queries.at(0).find("winlog."), std::string::npos) << r[2].queries[0];
    EXPECT_NE(r[15].queries.at(0).find("process.executable"), std::string::npos)
        << r[15].queries[0];
}
