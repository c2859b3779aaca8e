// tests/unit/sigma_correlation_test.cpp — Sigma correlation rules (CORR-*) at
// the front-end level: they load as RuleKind::Correlation with every field
// parsed, and references resolve across the collection. Counting and windows
// belong to the engine; load errors with locations are fixtures in
// tests/fixtures/conformance/correlations.yml.
#include <gtest/gtest.h>

#include <string>

#include "sigil/sigma.h"

using namespace sigil;

namespace {

const char* kBase =
    "title: failed logon\n"
    "id: 0e1f1d9c-3b7a-41ee-be56-0242ac120001\n"
    "name: failed_logon\n"
    "logsource: {product: windows, service: security}\n"
    "detection: {sel: {EventID: 4625}, condition: sel}\n"
    "---\n"
    "title: successful logon\n"
    "name: successful_logon\n"
    "logsource: {product: windows, service: security}\n"
    "detection: {sel: {EventID: 4624}, condition: sel}\n";

struct Loaded {
    SigmaCollection c;
    std::string diags;
    bool has(const std::string& code) const {
        for (auto& d : c.diagnostics)
            if (d.code == code) return true;
        return false;
    }
    bool errors() const {
        for (auto& d : c.diagnostics)
            if (d.severity == Severity::Error) return true;
        return false;
    }
    // The correlation with this title (must exist).
    const Rule& corr(const std::string& title) const {
        for (auto& r : c.rules)
            if (r.kind == RuleKind::Correlation && r.title == title) return r;
        ADD_FAILURE() << "no correlation '" << title << "'\n" << diags;
        static Rule none;
        return none;
    }
};

Loaded load(const std::string& corr_docs) {
    Loaded l;
    load_sigma_text(std::string(kBase) + "---\n" + corr_docs, "corr.yml", l.c);
    link_sigma_collection(l.c);
    for (auto& d : l.c.diagnostics) l.diags += d.loc.str() + " " + d.code + ": " + d.message + "\n";
    return l;
}

// covers: CORR-DOC CORR-META CORR-EVENT-COUNT CORR-GROUPBY CORR-LEVEL
TEST(SigmaCorrelation, EventCountWithMetadata) {
    auto l = load(
        "title: brute force\n"
        "id: 0e1f1d9c-3b7a-41ee-be56-0242ac120099\n"
        "name: brute_force\n"
        "status: test\n"
        "description: many failures for one user\n"
        "author: sigil\n"
        "references: [https://example.org]\n"
        "date: 2024-01-05\n"
        "modified: 2024-02-01\n"
        "taxonomy: sigma\n"
        "falsepositives: typos\n"
        "level: high\n"
        "correlation:\n"
        "  type: event_count\n"
        "  rules: [failed_logon]\n"
        "  group-by: [TargetUserName, IpAddress]\n"
        "  timespan: 90m\n"
        "  condition: {gte: 10}\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    const Rule& r = l.corr("brute force");
    ASSERT_TRUE(r.correlation);
    const Correlation& c = *r.correlation;
    EXPECT_EQ(r.kind, RuleKind::Correlation);
    EXPECT_EQ(r.id, "0e1f1d9c-3b7a-41ee-be56-0242ac120099");
    EXPECT_EQ(r.name, "brute_force");
    EXPECT_EQ(r.status, "test");
    EXPECT_EQ(r.level, "high");
    EXPECT_EQ(r.author, "sigil");
    EXPECT_EQ(r.date, "2024-01-05");
    EXPECT_EQ(r.modified, "2024-02-01");
    ASSERT_EQ(r.falsepositives.size(), 1u);  // a string is allowed for correlations
    EXPECT_EQ(r.falsepositives[0], "typos");
    EXPECT_TRUE(r.logsource.empty());
    EXPECT_TRUE(r.conditions.empty());
    EXPECT_EQ(c.type, Correlation::Type::EventCount);
    EXPECT_EQ(c.rules, std::vector<std::string>{"failed_logon"});
    EXPECT_EQ(c.group_by, (std::vector<std::string>{"TargetUserName", "IpAddress"}));
    EXPECT_EQ(c.timespan_seconds, 5400u);
    EXPECT_EQ(c.timespan_text, "90m");
    ASSERT_EQ(c.condition.size(), 1u);
    EXPECT_EQ(c.condition[0].first, CmpOp::Gte);
    EXPECT_EQ(c.condition[0].second, 10);
    EXPECT_FALSE(c.generate);
}

// covers: CORR-TYPE
TEST(SigmaCorrelation, EveryTypeParses) {
    struct T {
        const char* text;
        Correlation::Type type;
        const char* cond;
    } types[] = {
        {"event_count", Correlation::Type::EventCount, "{gt: 1}"},
        {"value_count", Correlation::Type::ValueCount, "{field: User, gt: 1}"},
        {"temporal", Correlation::Type::Temporal, ""},
        {"temporal_ordered", Correlation::Type::TemporalOrdered, ""},
        {"value_sum", Correlation::Type::ValueSum, "{field: Bytes, gt: 1}"},
        {"value_avg", Correlation::Type::ValueAvg, "{field: Bytes, gt: 1}"},
        {"value_percentile", Correlation::Type::ValuePercentile, "{field: Bytes, gt: 1}"},
        {"value_median", Correlation::Type::ValueMedian, "{field: Bytes, gt: 1}"},
    };
    for (auto& t : types) {
        SCOPED_TRACE(t.text);
        std::string doc = std::string("title: c\ncorrelation:\n  type: ") + t.text +
                          "\n  rules: [failed_logon, successful_logon]\n  timespan: 5m\n";
        if (*t.cond) doc += std::string("  condition: ") + t.cond + "\n";
        auto l = load(doc);
        ASSERT_FALSE(l.errors()) << l.diags;
        EXPECT_EQ(l.corr("c").correlation->type, t.type);
        EXPECT_STREQ(Correlation::type_name(t.type), t.text);
    }
}

// covers: CORR-TYPE CASE-ENUM-METADATA
TEST(SigmaCorrelation, TypeIsCaseInsensitiveWithAWarning) {
    auto l = load(
        "title: c\ncorrelation:\n  type: Event_Count\n  rules: failed_logon\n"
        "  timespan: 5m\n  condition: {gt: 1}\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    EXPECT_EQ(l.corr("c").correlation->type, Correlation::Type::EventCount);
    EXPECT_TRUE(l.has("sigma.meta.enum_case")) << l.diags;
}

// covers: CORR-RULES CORR-RULES-RESOLVE
TEST(SigmaCorrelation, RulesByNameIdOrSingleString) {
    auto l = load(
        "title: c\ncorrelation:\n  type: event_count\n"
        "  rules: 0E1F1D9C-3B7A-41EE-BE56-0242AC120001\n"
        "  timespan: 1d\n  condition: {gt: 1}\n"
        "---\ntitle: d\ncorrelation:\n  type: temporal\n"
        "  rules: [0e1f1d9c-3b7a-41ee-be56-0242ac120001, successful_logon]\n"
        "  timespan: 30s\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    EXPECT_EQ(l.corr("c").correlation->rules.size(), 1u);
    EXPECT_EQ(l.corr("c").correlation->timespan_seconds, 86400u);
    EXPECT_EQ(l.corr("d").correlation->rules.size(), 2u);
    EXPECT_EQ(l.corr("d").correlation->timespan_seconds, 30u);
}

// covers: CORR-RULES-RESOLVE
TEST(SigmaCorrelation, UnknownReferenceIsAnError) {
    auto l = load(
        "title: c\ncorrelation:\n  type: event_count\n  rules: [nope]\n"
        "  timespan: 1h\n  condition: {gt: 1}\n");
    EXPECT_TRUE(l.has("sigma.correlation.unknown_rule")) << l.diags;
}

// covers: CORR-GROUPBY
TEST(SigmaCorrelation, GroupByIsOptionalAndMayBeAString) {
    auto l = load(
        "title: c\ncorrelation:\n  type: event_count\n  rules: failed_logon\n"
        "  group-by: User\n  timespan: 1h\n  condition: {gt: 1}\n"
        "---\ntitle: d\ncorrelation:\n  type: event_count\n  rules: failed_logon\n"
        "  timespan: 1h\n  condition: {gt: 1}\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    EXPECT_EQ(l.corr("c").correlation->group_by, std::vector<std::string>{"User"});
    EXPECT_TRUE(l.corr("d").correlation->group_by.empty());
}

// covers: CORR-TIMESPAN
TEST(SigmaCorrelation, TimespanUnits) {
    struct {
        const char* text;
        uint64_t seconds;
        bool ext;
    } spans[] = {{"45s", 45, false},    {"90m", 5400, false}, {"2h", 7200, false},
                 {"7d", 604800, false}, {"1w", 604800, true}, {"1M", 2629746, true},
                 {"1y", 31556952, true}};
    for (auto& s : spans) {
        SCOPED_TRACE(s.text);
        auto l =
            load(std::string("title: c\ncorrelation:\n  type: event_count\n  rules: failed_logon\n"
                             "  timespan: ") +
                 s.text + "\n  condition: {gt: 1}\n");
        ASSERT_FALSE(l.errors()) << l.diags;
        EXPECT_EQ(l.corr("c").correlation->timespan_seconds, s.seconds);
        EXPECT_EQ(l.has("sigma.correlation.timespan_unit"), s.ext) << l.diags;
    }
    for (const char* bad : {"1H", "h", "10", "1.5h", "-5m", "5 m"}) {
        SCOPED_TRACE(bad);
        auto l =
            load(std::string("title: c\ncorrelation:\n  type: event_count\n  rules: failed_logon\n"
                             "  timespan: '") +
                 bad + "'\n  condition: {gt: 1}\n");
        EXPECT_TRUE(l.has("sigma.correlation.timespan")) << l.diags;
    }
}

// covers: CORR-COND-OPS
TEST(SigmaCorrelation, ConditionOperators) {
    struct {
        const char* key;
        CmpOp op;
    } ops[] = {{"gt", CmpOp::Gt},   {"gte", CmpOp::Gte}, {"lt", CmpOp::Lt},
               {"lte", CmpOp::Lte}, {"eq", CmpOp::Eq},   {"neq", CmpOp::Neq}};
    for (auto& o : ops) {
        SCOPED_TRACE(o.key);
        auto l =
            load(std::string("title: c\ncorrelation:\n  type: event_count\n  rules: failed_logon\n"
                             "  timespan: 1h\n  condition: {") +
                 o.key + ": 7}\n");
        ASSERT_FALSE(l.errors()) << l.diags;
        const auto& cond = l.corr("c").correlation->condition;
        ASSERT_EQ(cond.size(), 1u);
        EXPECT_EQ(cond[0].first, o.op);
        EXPECT_EQ(cond[0].second, 7);
    }
}

// covers: CORR-COND-RANGE CORR-COND-INT
TEST(SigmaCorrelation, RangeAndFloatThresholds) {
    auto l = load(
        "title: c\ncorrelation:\n  type: value_avg\n  rules: failed_logon\n"
        "  timespan: 1h\n  condition: {field: Bytes, gt: 100, lte: 200.5}\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    const auto& c = *l.corr("c").correlation;
    ASSERT_EQ(c.condition.size(), 2u);
    EXPECT_EQ(c.condition[0], std::make_pair(CmpOp::Gt, 100.0));
    EXPECT_EQ(c.condition[1], std::make_pair(CmpOp::Lte, 200.5));  // not truncated
}

// covers: CORR-COND-FIELD CORR-VALUE-COUNT CORR-VALUE-SUM CORR-VALUE-AVG
TEST(SigmaCorrelation, ValueFields) {
    auto l = load(
        "title: c\ncorrelation:\n  type: value_count\n  rules: failed_logon\n"
        "  group-by: [IpAddress]\n  timespan: 1h\n  condition: {field: TargetUserName, gte: 100}\n"
        "---\ntitle: d\ncorrelation:\n  type: value_sum\n  rules: failed_logon\n"
        "  timespan: 1h\n  condition: {field: [Sent, Received], gt: 1000000}\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    EXPECT_EQ(l.corr("c").correlation->condition_fields,
              std::vector<std::string>{"TargetUserName"});
    EXPECT_EQ(l.corr("d").correlation->condition_fields,
              (std::vector<std::string>{"Sent", "Received"}));
}

// covers: CORR-VALUE-PERCENTILE CORR-VALUE-MEDIAN
TEST(SigmaCorrelation, PercentileAndMedian) {
    auto l = load(
        "title: c\ncorrelation:\n  type: value_percentile\n  rules: failed_logon\n"
        "  timespan: 1h\n  condition: {field: Duration, percentile: 95, gt: 30}\n"
        "---\ntitle: d\ncorrelation:\n  type: value_median\n  rules: failed_logon\n"
        "  timespan: 1h\n  condition: {field: Duration, lt: 2}\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    ASSERT_TRUE(l.corr("c").correlation->percentile);
    EXPECT_EQ(*l.corr("c").correlation->percentile, 95);
    EXPECT_EQ(l.corr("c").correlation->condition.size(), 1u);
    EXPECT_EQ(l.corr("d").correlation->type, Correlation::Type::ValueMedian);
    EXPECT_FALSE(l.corr("d").correlation->percentile);
}

// covers: CORR-COND-TEMPORAL-DEFAULT CORR-TEMPORAL CORR-TEMPORAL-ORDERED
TEST(SigmaCorrelation, TemporalConditionDefaults) {
    auto l = load(
        "title: c\ncorrelation:\n  type: temporal\n  rules: [failed_logon, successful_logon]\n"
        "  group-by: [TargetUserName]\n  timespan: 10m\n"
        "---\ntitle: d\ncorrelation:\n  type: temporal_ordered\n"
        "  rules: [failed_logon, successful_logon]\n  timespan: 10m\n  condition: {gte: 2}\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    // an empty condition means "gte: number of rules"; executors apply it
    EXPECT_TRUE(l.corr("c").correlation->condition.empty());
    EXPECT_EQ(l.corr("c").correlation->rules.size(), 2u);
    // the order of the rules list is kept: it is the required event order
    EXPECT_EQ(l.corr("d").correlation->rules,
              (std::vector<std::string>{"failed_logon", "successful_logon"}));
}

// covers: CORR-EXTENDED-CONDITION
TEST(SigmaCorrelation, ExtendedConditionForTemporal) {
    auto l = load(
        "title: c\ncorrelation:\n  type: temporal\n  rules: [failed_logon, successful_logon]\n"
        "  timespan: 10m\n  condition: failed_logon and not successful_logon\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    EXPECT_EQ(l.corr("c").correlation->extended_condition, "failed_logon and not successful_logon");
}

// covers: CORR-EXTENDED-CONDITION
TEST(SigmaCorrelation, ExtendedConditionMustNameExactlyTheRules) {
    // a name in the condition that is not referenced
    auto a = load(
        "title: c\ncorrelation:\n  type: temporal\n  rules: [failed_logon]\n"
        "  timespan: 10m\n  condition: failed_logon and successful_logon\n");
    EXPECT_TRUE(a.has("sigma.correlation.condition")) << a.diags;
    // a referenced rule the condition does not use
    auto b = load(
        "title: c\ncorrelation:\n  type: temporal\n  rules: [failed_logon, successful_logon]\n"
        "  timespan: 10m\n  condition: failed_logon\n");
    EXPECT_TRUE(b.has("sigma.correlation.condition")) << b.diags;
    // syntax
    auto c = load(
        "title: c\ncorrelation:\n  type: temporal\n  rules: [failed_logon, successful_logon]\n"
        "  timespan: 10m\n  condition: failed_logon and (successful_logon\n");
    EXPECT_TRUE(c.has("sigma.correlation.condition")) << c.diags;
}

// covers: CORR-ALIASES CORR-NAME-REQUIRED-FOR-ALIASES
TEST(SigmaCorrelation, AliasesMapRuleNamesToFields) {
    auto l = load(
        "title: c\ncorrelation:\n  type: temporal\n  rules: [failed_logon, successful_logon]\n"
        "  group-by: [user]\n  timespan: 10m\n  aliases:\n    user:\n"
        "      failed_logon: TargetUserName\n      successful_logon: SubjectUserName\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    const auto& al = l.corr("c").correlation->aliases;
    ASSERT_EQ(al.count("user"), 1u);
    EXPECT_EQ(al.at("user").at("failed_logon"), "TargetUserName");
    EXPECT_EQ(al.at("user").at("successful_logon"), "SubjectUserName");
}

// covers: CORR-NAME-REQUIRED-FOR-ALIASES
TEST(SigmaCorrelation, AliasesNeedRuleNames) {
    // by id instead of name, and a name that is not loaded
    auto l = load(
        "title: c\ncorrelation:\n  type: temporal\n  rules: [failed_logon, successful_logon]\n"
        "  group-by: [user]\n  timespan: 10m\n  aliases:\n    user:\n"
        "      0e1f1d9c-3b7a-41ee-be56-0242ac120001: TargetUserName\n"
        "      successful_logon: SubjectUserName\n");
    EXPECT_TRUE(l.has("sigma.correlation.aliases")) << l.diags;
    auto m = load(
        "title: c\ncorrelation:\n  type: temporal\n  rules: [failed_logon, successful_logon]\n"
        "  group-by: [user]\n  timespan: 10m\n  aliases:\n    user:\n"
        "      other_rule: TargetUserName\n");
    EXPECT_TRUE(m.has("sigma.correlation.aliases")) << m.diags;
}

// covers: CORR-GENERATE
TEST(SigmaCorrelation, Generate) {
    auto l = load(
        "title: c\ncorrelation:\n  type: event_count\n  rules: failed_logon\n"
        "  timespan: 1h\n  condition: {gt: 1}\n  generate: true\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    EXPECT_TRUE(l.corr("c").correlation->generate);
    auto top = load(
        "title: c\ngenerate: true\ncorrelation:\n  type: event_count\n  rules: failed_logon\n"
        "  timespan: 1h\n  condition: {gt: 1}\n");
    ASSERT_FALSE(top.errors()) << top.diags;
    EXPECT_TRUE(top.corr("c").correlation->generate);
}

// covers: CORR-CHAIN-GROUPBY CORR-MULTIDOC-EXAMPLE
TEST(SigmaCorrelation, ChainInOneFile) {
    auto l = load(
        "title: many failures\nname: many_failures\ncorrelation:\n  type: event_count\n"
        "  rules: failed_logon\n  group-by: [TargetUserName, IpAddress]\n  timespan: 10m\n"
        "  condition: {gte: 5}\n"
        "---\ntitle: failures then success\ncorrelation:\n  type: temporal_ordered\n"
        "  rules: [many_failures, successful_logon]\n  group-by: [TargetUserName]\n"
        "  timespan: 1h\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    const auto& outer = *l.corr("failures then success").correlation;
    EXPECT_EQ(outer.rules, (std::vector<std::string>{"many_failures", "successful_logon"}));
    EXPECT_EQ(outer.group_by, std::vector<std::string>{"TargetUserName"});  // its own only
    EXPECT_EQ(l.corr("many failures").correlation->group_by.size(), 2u);
    size_t detections = 0;
    for (auto& r : l.c.rules) detections += r.kind == RuleKind::Detection;
    EXPECT_EQ(detections, 2u);
}

// covers: FILT-NOT-CORRELATION
TEST(SigmaCorrelation, FiltersDoNotApplyToCorrelations) {
    auto l = load(
        "title: c\nname: corr_c\ncorrelation:\n  type: event_count\n  rules: failed_logon\n"
        "  timespan: 1h\n  condition: {gt: 1}\n"
        "---\ntitle: f\nlogsource: {product: windows}\nfilter:\n  rules: [corr_c]\n"
        "  sel: {User: admin}\n  condition: not sel\n");
    ASSERT_FALSE(l.errors()) << l.diags;
    const Rule& c = l.corr("c");
    EXPECT_TRUE(c.conditions.empty());
    EXPECT_TRUE(c.logsource.empty());
    for (auto& r : l.c.rules)
        if (r.kind == RuleKind::Detection) {
            EXPECT_EQ(r.conditions[0]->kind, ExprKind::Pred);
        }
}

// covers: COLL-NO-GLOBAL-FOR-CORR-FILTER
TEST(SigmaCorrelation, GlobalIsNotMergedIntoCorrelations) {
    SigmaCollection c;
    load_sigma_text(
        "action: global\nlevel: low\nlogsource: {product: windows}\n---\n"
        "title: base\nname: base\ndetection: {sel: {f: 1}, condition: sel}\n---\n"
        "title: c\ncorrelation:\n  type: event_count\n  rules: base\n  timespan: 1h\n"
        "  condition: {gt: 1}\n",
        "g.yml", c);
    link_sigma_collection(c);
    ASSERT_EQ(c.rules.size(), 2u);
    EXPECT_EQ(c.rules[0].level, "low");
    EXPECT_EQ(c.rules[1].kind, RuleKind::Correlation);
    EXPECT_EQ(c.rules[1].level, "");
    EXPECT_TRUE(c.rules[1].logsource.empty());
}

}  // namespace

// A percentile is a number from 0 to 100; anything else is refused where it
// is written (a string once read as 0, 1e300 overflowed the rank computation).
TEST(SigmaCorrelation, PercentileOutOfRangeIsAnError) {
    for (const char* p : {"150", "-1", "1e300", ".nan", "ninety", "[90]"}) {
        SCOPED_TRACE(p);
        auto l = load(std::string("title: c\ncorrelation:\n  type: value_percentile\n"
                                  "  rules: [failed_logon]\n  timespan: 5m\n"
                                  "  condition: {field: Bytes, percentile: ") +
                      p + ", gt: 1}\n");
        EXPECT_TRUE(l.has("sigma.correlation.condition")) << l.diags;
    }
    auto ok = load(
        "title: c\ncorrelation:\n  type: value_percentile\n  rules: [failed_logon]\n"
        "  timespan: 5m\n  condition: {field: Bytes, percentile: 99.5, gt: 1}\n");
    ASSERT_FALSE(ok.errors()) << ok.diags;
    EXPECT_EQ(ok.corr("c").correlation->percentile, 99.5);
}
