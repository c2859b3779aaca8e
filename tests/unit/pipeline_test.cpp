// Unit tests of pySigma-format pipelines: loading and its errors, each
// transformation family on hand-built IR, conditions, priority merging,
// postprocessing, finalizers and the built-in pipelines.
#include "sigil/pipeline.h"

#include <gtest/gtest.h>

#include "sigil/convert.h"

using namespace sigil;

namespace {

ExprPtr S(std::string field, Op op, std::string v) {
    Pred p;
    p.field = std::move(field);
    p.op = op;
    p.value = Value::string(std::move(v));
    return Expr::make_pred(std::move(p));
}

Rule win_rule(ExprPtr e, std::string category = "process_creation") {
    Rule r;
    r.title = "R";
    r.logsource.category = std::move(category);
    r.logsource.product = "windows";
    r.tags = {"attack.execution"};
    r.level = "high";
    r.conditions.push_back(std::move(e));
    return r;
}

PipelineChain chain(const std::string& yaml) {
    Diagnostics d;
    auto p = load_pipeline_text(yaml, "test.yml", d);
    EXPECT_TRUE(p) << (d.empty() ? "" : d[0].message);
    PipelineChain c = PipelineChain::merge({p});
    return c;
}

std::string apply_str(const std::string& yaml, const Rule& r) {
    ProcessedRule pr = apply_pipelines(r, chain(yaml));
    if (!pr.errors.empty()) return "ERROR " + pr.errors[0].code + ": " + pr.errors[0].message;
    return to_string(pr.rule.conditions[0]);
}

TEST(Pipeline, LoadErrors) {
    Diagnostics d;
    EXPECT_FALSE(load_pipeline_text("name: x\nbogus: 1\n", "a.yml", d));
    EXPECT_EQ(d.back().code, "pipeline.key.unknown");
    EXPECT_FALSE(load_pipeline_text(
        "transformations:\n  - type: set_state\n    key: a\n    value: b\n", "a.yml", d));
    EXPECT_EQ(d.back().code, "pipeline.item.param");
    EXPECT_EQ(d.back().loc.line, 2u);
    EXPECT_FALSE(load_pipeline_text("transformations:\n  - type: nope\n", "a.yml", d));
    EXPECT_EQ(d.back().code, "pipeline.item.unknown");
    EXPECT_FALSE(load_pipeline_text(
        "transformations:\n  - type: drop_detection_item\n    rule_conditions:\n      a: {type: "
        "tag, tag: x}\n      b: {type: tag, tag: y}\n    rule_cond_expr: a\n",
        "a.yml", d));
    EXPECT_EQ(d.back().code, "pipeline.condition.unused");
}

TEST(Pipeline, FieldMappingOneToManyIsOr) {
    EXPECT_EQ(
        apply_str("transformations:\n  - type: field_name_mapping\n    mapping:\n      Image: "
                  "[a.exe, b.exe]\n      CommandLine: cmd\n",
                  win_rule(Expr::make_and(
                      {S("Image", Op::EndsWith, "\\x"), S("CommandLine", Op::Contains, "y")}))),
        "(a.exe endswith \"\\\\x\" or b.exe endswith \"\\\\x\") and cmd contains \"y\"");
}

TEST(Pipeline, KeywordMappingWrapsSubstring) {
    EXPECT_EQ(apply_str("transformations:\n  - type: field_name_mapping\n    mapping:\n      null: "
                        "_raw\n",
                        win_rule(S("", Op::Eq, "evil"))),
              "_raw contains \"evil\"");
}

TEST(Pipeline, PrefixSuffixAndFieldConditions) {
    EXPECT_EQ(
        apply_str("transformations:\n  - type: field_name_prefix\n    prefix: 'p.'\n    "
                  "field_name_conditions:\n      - type: include_fields\n        mode: re\n   "
                  "     fields: ['Im']\n  - type: field_name_suffix\n    suffix: .keyword\n    "
                  "field_name_conditions:\n      - type: exclude_fields\n        fields: "
                  "[p.Image]\n",
                  win_rule(Expr::make_and({S("Image", Op::Eq, "a"), S("User", Op::Eq, "b")}))),
        "p.Image = \"a\" and User.keyword = \"b\"");
}

TEST(Pipeline, AddConditionNegatedAndTemplate) {
    EXPECT_EQ(
        apply_str("transformations:\n  - type: add_condition\n    negated: true\n    template: "
                  "true\n    conditions:\n      Channel: 'x-$category'\n      EventID: [1, 2]\n",
                  win_rule(S("Image", Op::Eq, "a"))),
        "not (Channel = \"x-process_creation\" and (EventID = 1 or EventID = 2)) and Image = "
        "\"a\"");
}

TEST(Pipeline, RuleConditionsExprAndLogsource) {
    std::string y =
        "transformations:\n  - type: rule_failure\n    message: nope\n    rule_conditions:\n      "
        "ls: {type: logsource, product: windows}\n      t: {type: tag, tag: attack.execution}\n    "
        "  "
        "lv: {type: rule_attribute, attribute: level, value: medium, op: gte}\n    rule_cond_expr: "
        "ls and t and lv\n";
    EXPECT_EQ(apply_str(y, win_rule(S("a", Op::Eq, "b"))), "ERROR pipeline.rule_failure: nope");
    Rule low = win_rule(S("a", Op::Eq, "b"));
    low.level = "low";
    EXPECT_EQ(apply_str(y, low), "a = \"b\"");
}

TEST(Pipeline, DropAndDetectionItemConditions) {
    EXPECT_EQ(apply_str("transformations:\n  - type: drop_detection_item\n    "
                        "detection_item_conditions:\n      - type: match_string\n        pattern: "
                        "'^x'\n        cond: any\n",
                        win_rule(Expr::make_and({S("a", Op::Eq, "xyz"), S("b", Op::Eq, "abc")}))),
              "b = \"abc\"");
    EXPECT_EQ(apply_str("transformations:\n  - type: drop_detection_item\n",
                        win_rule(S("a", Op::Eq, "xyz"))),
              "ERROR pipeline.condition.dropped: the pipeline dropped every detection item of a "
              "condition");
}

TEST(Pipeline, ReplaceAndMapString) {
    EXPECT_EQ(apply_str("transformations:\n  - type: replace_string\n    regex: '\\\\'\n    "
                        "replacement: '/'\n",
                        win_rule(S("Image", Op::EndsWith, "\\sys\\cmd.exe"))),
              "Image endswith \"/sys/cmd.exe\"");
    EXPECT_EQ(apply_str("transformations:\n  - type: map_string\n    mapping:\n      High: [S-1, "
                        "S-2*]\n",
                        win_rule(S("IL", Op::Eq, "High"))),
              "IL = \"S-1\" or IL startswith \"S-2\"");
}

TEST(Pipeline, Placeholders) {
    Pred p;
    p.field = "host";
    p.value = Value::string("srv-%site%-*");
    p.op = Op::Glob;
    p.placeholders = true;
    Rule r = win_rule(Expr::make_pred(p));
    EXPECT_EQ(
        apply_str("vars:\n  site: [fra, ber]\ntransformations:\n  - type: value_placeholders\n", r),
        "host startswith \"srv-fra-\" or host startswith \"srv-ber-\"");
    EXPECT_EQ(apply_str("transformations:\n  - type: value_placeholders\n", r),
              "ERROR pipeline.placeholder.unknown: no pipeline variable for placeholder %site%");
    EXPECT_EQ(apply_str("transformations:\n  - type: wildcard_placeholders\n", r),
              "host glob \"srv-*-*\"");
    Pred q;
    q.field = "User";
    q.value = Value::string("%Admins%");
    q.placeholders = true;
    ProcessedRule pr = apply_pipelines(
        win_rule(Expr::make_pred(q)),
        chain("transformations:\n  - type: query_expression_placeholders\n    expression: '{field} "
              "IN lookup_{id}'\n    mapping:\n      Admins: admin_list\n"));
    ASSERT_TRUE(pr.errors.empty());
    ConvertOptions o;
    o.target = "splunk";
    Diagnostics d;
    (void)d;
    ASSERT_EQ(pr.query_expressions.size(), 1u);
    EXPECT_EQ(pr.query_expressions.begin()->second, "{field} IN lookup_admin_list");
}

TEST(Pipeline, StateAndProcessingItemApplied) {
    std::string y =
        "transformations:\n  - id: m\n    type: field_name_mapping\n    mapping: {a: b}\n  - type: "
        "set_state\n    key: idx\n    val: win\n    rule_conditions:\n      - type: "
        "processing_item_applied\n        processing_item_id: m\n  - type: rule_failure\n    "
        "message: state\n    rule_conditions:\n      - type: processing_state\n        key: idx\n  "
        "      val: win\n";
    EXPECT_EQ(apply_str(y, win_rule(S("a", Op::Eq, "x"))), "ERROR pipeline.rule_failure: state");
    EXPECT_EQ(apply_str(y, win_rule(S("c", Op::Eq, "x"))), "c = \"x\"");
}

TEST(Pipeline, PriorityMerge) {
    Diagnostics d;
    auto a = load_pipeline_text(
        "name: a\npriority: 50\ntransformations:\n  - type: field_name_prefix\n    prefix: A.\n",
        "a", d);
    auto b = load_pipeline_text(
        "name: b\npriority: 10\ntransformations:\n  - type: field_name_prefix\n    prefix: B.\n",
        "b", d);
    PipelineChain c = PipelineChain::merge({a, b});
    ProcessedRule pr = apply_pipelines(win_rule(S("f", Op::Eq, "x")), c);
    EXPECT_EQ(to_string(pr.rule.conditions[0]), "A.B.f = \"x\"");
}

TEST(Pipeline, PostprocessingAndFinalizers) {
    std::string y =
        "transformations:\n  - type: set_state\n    key: index\n    val: win\npostprocessing:\n  - "
        "type: simple_template\n    template: 'index={pipeline.state[index]} {query} # "
        "{rule.title}'\n  - type: replace\n    pattern: '\\s+#.*'\n    replacement: ''\n  - type: "
        "embed\n    prefix: '['\n    suffix: ']'\nfinalizers:\n  - type: concat\n    separator: ' "
        "| "
        "'\n";
    ConvertOptions o;
    o.target = "splunk";
    o.default_pipelines = false;
    Diagnostics d;
    // write the pipeline to a file so the converter resolves it like -p FILE
    std::string path = ::testing::TempDir() + "/pp.yml";
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(y.c_str(), f);
    std::fclose(f);
    o.pipelines = {path};
    auto c = Converter::create(o, d);
    ASSERT_TRUE(c);
    Rule r = win_rule(S("a", Op::Eq, "x"));
    std::vector<RuleConversion> res{c->convert(r), c->convert(r)};
    EXPECT_EQ(res[0].queries[0], "[index=win a=\"x\"]");
    EXPECT_EQ(c->finalize(res), "[index=win a=\"x\"] | [index=win a=\"x\"]\n");
}

TEST(Pipeline, BuiltinSysmonThenSplunkWindows) {
    ConvertOptions o;
    o.target = "splunk";
    o.pipelines = {"sysmon"};
    Diagnostics d;
    auto c = Converter::create(o, d);
    ASSERT_TRUE(c);
    auto rc = c->convert(win_rule(S("Image", Op::EndsWith, "\\x.exe")));
    ASSERT_TRUE(rc.errors.empty());
    EXPECT_EQ(rc.queries[0],
              "source=\"WinEventLog:Microsoft-Windows-Sysmon/Operational\" EventCode=1 "
              "Image=\"*\\\\x.exe\"");
}

TEST(Pipeline, BuiltinWindowsAudit) {
    ConvertOptions o;
    o.target = "splunk";
    o.pipelines = {"windows-audit"};
    Diagnostics d;
    auto c = Converter::create(o, d);
    auto rc = c->convert(win_rule(Expr::make_and(
        {S("ParentImage", Op::EndsWith, "\\a.exe"), S("IntegrityLevel", Op::Eq, "High")})));
    ASSERT_TRUE(rc.errors.empty()) << rc.errors[0].message;
    EXPECT_EQ(rc.queries[0],
              "source=\"WinEventLog:Security\" EventCode=4688 ParentProcessName=\"*\\\\a.exe\" "
              "MandatoryLabel=\"S-1-16-12288\"");
    auto bad = c->convert(win_rule(S("OriginalFileName", Op::Eq, "x")));
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_EQ(bad.errors[0].code, "pipeline.detection_item_failure");
}

TEST(Pipeline, SigmaStringRoundTrip) {
    for (std::string s : {"C:\\Windows\\*", "a\\*b", "*x*", "x*", "*x", "a?b", "end\\", "a\\\\*"}) {
        Pred p;
        sigma_string_to_pred(s, p);
        Pred q;
        sigma_string_to_pred(pred_to_sigma_string(p), q);
        EXPECT_TRUE(p.same_logic(q)) << s;
    }
    Pred p;
    sigma_string_to_pred("C:\\Windows\\*", p);
    EXPECT_EQ(p.op, Op::Eq);  // WC-GOTCHA-DIR-STAR: escaped star
    EXPECT_EQ(p.value.s, "C:\\Windows*");
}

}  // namespace
