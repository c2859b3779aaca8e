// tests/unit/engine_test.cpp — the compiled engine on hand-made rules and
// events: log-source gate, prefilter atoms (a rule is found through its atom,
// including Unicode case variants, and rules without atoms still run),
// shared predicates, and each correlation type with a positive and a
// negative case.
#include "sigil/engine.h"

#include <gtest/gtest.h>

#include "sigil/eval.h"
#include "sigil/sigma.h"

using namespace sigil;

namespace {

struct Ev {
    std::vector<std::pair<std::string, std::string>> kv;
    int64_t t = 0;
    Event view() const {
        Event e;
        for (auto& [k, v] : kv) e.fields.push_back(EventField{k, v, false});
        e.time_unix_ms = t;
        e.source = "test";
        return e;
    }
};

std::vector<Rule> rules_from(const std::string& yaml) {
    SigmaCollection c;
    load_sigma_text(yaml, "rules.yml", c);
    link_sigma_collection(c);
    for (auto& d : c.diagnostics)
        EXPECT_NE(d.severity, Severity::Error) << d.code << ": " << d.message;
    return std::move(c.rules);
}

std::vector<std::string> titles(const std::vector<Rule>& rules,
                                const std::shared_ptr<const CompiledRuleSet>& cs, const Ev& e) {
    RuleMatcher m(cs);
    std::vector<uint32_t> out;
    m.match(e.view(), out);
    std::vector<std::string> t;
    for (auto r : out) t.push_back(rules[r].title);
    return t;
}

const char* kDetectionRules = R"(
title: proc
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
---
title: unicode
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|contains: 'ÄRGER'}
  condition: sel
---
title: no atoms
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|re: 'a.c'}
  condition: sel
---
title: negated
logsource: {product: windows}
detection:
  sel: {User: 'admin'}
  condition: not sel
---
title: shared
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe', User: 'bob'}
  condition: sel
---
title: keyword
logsource: {product: windows, service: security}
detection:
  keywords: ['mimikatz']
  condition: keywords
)";

}  // namespace

TEST(Engine, GateAtomsAndConfirmation) {
    auto rules = rules_from(kDetectionRules);
    ASSERT_EQ(rules.size(), 6u);
    Diagnostics d;
    auto cs = CompiledRuleSet::compile(rules, d);
    EXPECT_EQ(cs->stats().detection_rules, 6u);
    EXPECT_EQ(cs->stats().gated_rules, 5u);       // "negated" has no category or service
    EXPECT_EQ(cs->stats().rules_with_atoms, 4u);  // not "no atoms", not "negated"
    // shared: `Image endswith \whoami.exe` is one predicate for two rules
    EXPECT_EQ(cs->stats().unique_predicates, cs->stats().predicates - 1);

    Ev sysmon1{{{"Channel", "Microsoft-Windows-Sysmon/Operational"},
                {"EventID", "1"},
                {"Image", "C:\\Windows\\System32\\WHOAMI.EXE"},
                {"CommandLine", "abc ärger"},
                {"User", "bob"}}};
    EXPECT_EQ(titles(rules, cs, sysmon1),
              (std::vector<std::string>{"proc", "unicode", "no atoms", "negated", "shared"}));
    // Another channel: the process_creation rules are gated out.
    Ev security{{{"Channel", "Security"},
                 {"EventID", "4624"},
                 {"Image", "C:\\Windows\\System32\\whoami.exe"},
                 {"User", "admin"},
                 {"Message", "MimiKatz was here"}}};
    EXPECT_EQ(titles(rules, cs, security), (std::vector<std::string>{"keyword"}));
    // Same channel, other event id.
    Ev sysmon3 = sysmon1;
    sysmon3.kv[1].second = "3";
    EXPECT_EQ(titles(rules, cs, sysmon3), (std::vector<std::string>{"negated"}));

    // Without gate and prefilter the verdicts are the reference's on the
    // bare conditions.
    EngineOptions plain;
    plain.logsource_gate = false;
    plain.prefilter = false;
    auto cp = CompiledRuleSet::compile(rules, d, plain);
    auto got = titles(rules, cp, security);
    std::vector<std::string> want;
    auto j = security.view().to_json();
    for (auto& r : rules)
        if (rule_matches(r, j)) want.push_back(r.title);
    EXPECT_EQ(got, want);
    EXPECT_EQ(got, (std::vector<std::string>{"proc", "keyword"}));
}

TEST(Engine, PrefilterSkipsRulesWhoseAtomsAreAbsent) {
    auto rules = rules_from(kDetectionRules);
    Diagnostics d;
    auto cs = CompiledRuleSet::compile(rules, d);
    RuleMatcher m(cs);
    std::vector<uint32_t> out;
    Ev none{{{"Channel", "Microsoft-Windows-Sysmon/Operational"},
             {"EventID", "1"},
             {"Image", "C:\\x\\cmd.exe"},
             {"CommandLine", "xyz"},
             {"User", "admin"}}};
    m.match(none.view(), out);
    EXPECT_TRUE(out.empty());
    // only the rules without atoms were confirmed: "no atoms" and "negated"
    EXPECT_EQ(m.confirmed(), 2u);
}

TEST(Engine, LogsourceCondition) {
    LogSource ls;
    ls.product = "windows";
    ls.category = "process_creation";
    ExprPtr e = logsource_condition(ls);
    ASSERT_TRUE(e);
    nlohmann::json sysmon = {{"Channel", "Microsoft-Windows-Sysmon/Operational"}, {"EventID", "1"}};
    nlohmann::json sec = {{"Channel", "security"}, {"EventID", "4688"}};
    nlohmann::json other = {{"Channel", "Security"}, {"EventID", "4624"}};
    EXPECT_TRUE(evaluate(e, sysmon));
    EXPECT_TRUE(evaluate(e, sec));
    EXPECT_FALSE(evaluate(e, other));
    ls.category = "no_such_category";
    EXPECT_FALSE(logsource_condition(ls));
    LogSource svc;
    svc.product = "windows";
    svc.service = "system";
    ExprPtr s = logsource_condition(svc);
    ASSERT_TRUE(s);
    EXPECT_TRUE(evaluate(s, nlohmann::json{{"Channel", "System"}, {"EventID", "7045"}}));
}

// ---------------------------------------------------------------------------
// Correlations
// ---------------------------------------------------------------------------

namespace {

const char* kBase = R"(
title: failed logon
name: failed
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
---
title: successful logon
name: success
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4624}
  condition: sel
---
title: transfer
name: transfer
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 5145}
  condition: sel
)";

Ev logon(const char* eid, const char* user, int64_t t, const char* extra_k = nullptr,
         const char* extra_v = nullptr) {
    Ev e{{{"Channel", "Security"}, {"EventID", eid}, {"TargetUserName", user}}, t};
    if (extra_k) e.kv.emplace_back(extra_k, extra_v);
    return e;
}

// Runs the events through matcher and correlation state; returns hits.
std::vector<CorrelationHit> correlate(const std::string& corr_yaml, const std::vector<Ev>& evs,
                                      std::vector<Rule>& rules) {
    rules = rules_from(std::string(kBase) + "---\n" + corr_yaml);
    Diagnostics d;
    auto cs = CompiledRuleSet::compile(rules, d);
    for (auto& x : d) ADD_FAILURE() << x.code << ": " << x.message;
    EXPECT_EQ(cs->stats().correlation_rules, 1u);
    RuleMatcher m(cs);
    CorrelationState st(cs);
    std::vector<uint32_t> out;
    for (auto& e : evs) {
        out.clear();
        Event v = e.view();
        m.match(v, out);
        for (auto r : out)
            if (st.wants(r)) st.add(r, v, d);
    }
    return st.run(d);
}

constexpr int64_t kMin = 60'000;

}  // namespace

TEST(Correlation, EventCount) {
    const char* c = R"(
title: brute force
correlation:
  type: event_count
  rules: [failed]
  group-by: [TargetUserName]
  timespan: 5m
  condition: {gte: 3}
)";
    std::vector<Rule> rules;
    // bob: 3 failures within 5 minutes → one hit; alice: 3 spread over 20 minutes → none
    auto hits = correlate(c,
                          {logon("4625", "bob", 0), logon("4625", "alice", 0),
                           logon("4625", "bob", 1 * kMin), logon("4625", "alice", 10 * kMin),
                           logon("4625", "bob", 2 * kMin), logon("4625", "alice", 20 * kMin)},
                          rules);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(rules[hits[0].rule].title, "brute force");
    EXPECT_EQ(hits[0].group,
              (std::vector<std::pair<std::string, std::string>>{{"TargetUserName", "bob"}}));
    EXPECT_EQ(hits[0].value, 3);
    EXPECT_EQ(hits[0].time_unix_ms, 2 * kMin);
    // negative: only two in the window
    hits = correlate(
        c,
        {logon("4625", "bob", 0), logon("4625", "bob", 1 * kMin), logon("4625", "bob", 7 * kMin)},
        rules);
    EXPECT_TRUE(hits.empty());
}

TEST(Correlation, ValueCount) {
    const char* c = R"(
title: spraying
correlation:
  type: value_count
  rules: [failed]
  group-by: [IpAddress]
  timespan: 10m
  condition: {field: TargetUserName, gte: 3}
)";
    std::vector<Rule> rules;
    auto pos = correlate(c,
                         {logon("4625", "a", 0, "IpAddress", "10.0.0.1"),
                          logon("4625", "a", 1000, "IpAddress", "10.0.0.1"),
                          logon("4625", "b", 2000, "IpAddress", "10.0.0.1"),
                          logon("4625", "c", 3000, "IpAddress", "10.0.0.1")},
                         rules);
    ASSERT_EQ(pos.size(), 1u);
    EXPECT_EQ(pos[0].value, 3);
    auto neg = correlate(c,
                         {logon("4625", "a", 0, "IpAddress", "10.0.0.1"),
                          logon("4625", "a", 1000, "IpAddress", "10.0.0.1"),
                          logon("4625", "b", 2000, "IpAddress", "10.0.0.1"),
                          logon("4625", "c", 3000, "IpAddress", "10.0.0.2")},
                         rules);
    EXPECT_TRUE(neg.empty());
}

TEST(Correlation, Temporal) {
    const char* c = R"(
title: failed then success any order
correlation:
  type: temporal
  rules: [failed, success]
  group-by: [TargetUserName]
  timespan: 1m
)";
    std::vector<Rule> rules;
    auto pos = correlate(c, {logon("4624", "bob", 0), logon("4625", "bob", 30'000)}, rules);
    ASSERT_EQ(pos.size(), 1u);
    EXPECT_EQ(pos[0].value, 2);
    auto neg = correlate(
        c,
        {logon("4624", "bob", 0), logon("4625", "alice", 30'000), logon("4625", "bob", 2 * kMin)},
        rules);
    EXPECT_TRUE(neg.empty());
}

TEST(Correlation, TemporalExtendedCondition) {
    const char* c = R"(
title: failures without success
correlation:
  type: temporal
  rules: [failed, success]
  group-by: [TargetUserName]
  timespan: 1m
  condition: failed and not success
)";
    std::vector<Rule> rules;
    auto pos = correlate(c, {logon("4625", "bob", 0)}, rules);
    EXPECT_EQ(pos.size(), 1u);
    auto neg = correlate(c, {logon("4624", "bob", 0)}, rules);
    EXPECT_TRUE(neg.empty());
}

TEST(Correlation, TemporalOrdered) {
    const char* c = R"(
title: failed then success
correlation:
  type: temporal_ordered
  rules: [failed, success]
  group-by: [TargetUserName]
  timespan: 5m
)";
    std::vector<Rule> rules;
    auto pos = correlate(c, {logon("4625", "bob", 0), logon("4624", "bob", kMin)}, rules);
    ASSERT_EQ(pos.size(), 1u);
    EXPECT_EQ(rules[pos[0].rule].title, "failed then success");
    auto neg = correlate(c, {logon("4624", "bob", 0), logon("4625", "bob", kMin)}, rules);
    EXPECT_TRUE(neg.empty());
}

TEST(Correlation, ValueSumAvgPercentileMedian) {
    auto evs = [](std::vector<const char*> sizes) {
        std::vector<Ev> v;
        int64_t t = 0;
        for (auto s : sizes) v.push_back(logon("5145", "bob", t += 1000, "Bytes", s));
        return v;
    };
    std::vector<Rule> rules;
    const char* sum = R"(
title: volume
correlation:
  type: value_sum
  rules: [transfer]
  group-by: [TargetUserName]
  timespan: 1h
  condition: {field: Bytes, gt: 1000}
)";
    auto h = correlate(sum, evs({"400", "400", "400"}), rules);
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].value, 1200);
    EXPECT_TRUE(correlate(sum, evs({"400", "400", "x"}), rules).empty());

    const char* avg = R"(
title: average
correlation:
  type: value_avg
  rules: [transfer]
  group-by: [TargetUserName]
  timespan: 1h
  condition: {field: Bytes, gte: 500}
)";
    h = correlate(avg, evs({"100", "900"}), rules);  // averages 100, 500 → fires at 500
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].value, 500);
    EXPECT_TRUE(correlate(avg, evs({"100", "200", "300"}), rules).empty());

    const char* pct = R"(
title: p90
correlation:
  type: value_percentile
  rules: [transfer]
  group-by: [TargetUserName]
  timespan: 1h
  condition: {field: Bytes, percentile: 90, gte: 1000}
)";
    h = correlate(pct, evs({"1", "2", "5000"}), rules);
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].value, 5000);
    EXPECT_TRUE(correlate(pct, evs({"1", "2", "3"}), rules).empty());

    const char* med = R"(
title: median
correlation:
  type: value_median
  rules: [transfer]
  group-by: [TargetUserName]
  timespan: 1h
  condition: {field: Bytes, gte: 100}
)";
    h = correlate(med, evs({"150", "10", "120"}), rules);  // 150 → fires at once
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].value, 150);
    EXPECT_TRUE(correlate(med, evs({"10", "500", "20"}), rules).empty());  // medians 10, 10, 20
}

TEST(Correlation, GenerateFalseHidesBaseRules) {
    auto rules = rules_from(std::string(kBase) + R"(---
title: brute force
correlation:
  type: event_count
  rules: [failed]
  group-by: [TargetUserName]
  timespan: 5m
  condition: {gte: 3}
)");
    Diagnostics d;
    auto cs = CompiledRuleSet::compile(rules, d);
    EXPECT_FALSE(cs->reported_alone(0));  // failed: only feeds the correlation
    EXPECT_TRUE(cs->reported_alone(1));
    EXPECT_TRUE(cs->reported_alone(3));
}

TEST(Correlation, UnsupportedIsAnError) {
    auto rules = rules_from(std::string(kBase) + R"(---
title: pct without rank
correlation:
  type: value_percentile
  rules: [transfer]
  group-by: [TargetUserName]
  timespan: 1h
  condition: {field: Bytes, gte: 1000}
)");
    Diagnostics d;
    auto cs = CompiledRuleSet::compile(rules, d);
    ASSERT_FALSE(d.empty());
    EXPECT_EQ(d[0].code, "engine.correlation.percentile");
    EXPECT_EQ(d[0].rule, "pct without rank");
    EXPECT_EQ(cs->stats().correlation_rules, 0u);
}
