// tests/unit/sigma_errors_test.cpp — error paths of the Sigma front-end that a
// fixture file cannot hold (generated, huge or binary input): each must end in
// a located diagnostic with a stable code, never a crash, a hang or a
// megabyte message. The small error paths are fixtures in
// tests/fixtures/conformance/*.yml.
#include <gtest/gtest.h>

#include <string>

#include "sigil/eval.h"
#include "sigil/sigma.h"
#include "sigil/yaml.h"

using namespace sigil;

namespace {

const char* kHead = "title: t\nlogsource: {product: windows}\n";

SigmaCollection load(const std::string& text) {
    SigmaCollection c;
    load_sigma_text(text, "case.yml", c);
    link_sigma_collection(c);
    return c;
}

const Diagnostic* find_code(const SigmaCollection& c, const std::string& code) {
    for (auto& d : c.diagnostics)
        if (d.code == code) return &d;
    return nullptr;
}

std::string dump(const SigmaCollection& c) {
    std::string s;
    for (auto& d : c.diagnostics)
        s += d.loc.str() + " " + d.code + ": " + d.message.substr(0, 200) + "\n";
    return s;
}

// Every diagnostic message stays short whatever the input size.
void expect_short_messages(const SigmaCollection& c) {
    for (auto& d : c.diagnostics) EXPECT_LT(d.message.size(), 1000u) << d.code;
}

// covers: META-YAML-EMPTY
TEST(SigmaErrors, EmptyFileIsOneLocatedError) {
    auto c = load("");
    ASSERT_TRUE(find_code(c, "sigma.document.empty")) << dump(c);
    EXPECT_TRUE(c.rules.empty());
    EXPECT_EQ(c.stats.rules_failed, 1u);
    auto c2 = load("# only a comment\n");
    EXPECT_TRUE(find_code(c2, "sigma.document.empty")) << dump(c2);
}

TEST(SigmaErrors, EmptyDocumentsInACollectionAreLocated) {
    auto c = load(std::string(kHead) + "detection: {sel: {f: 1}, condition: sel}\n---\n---\n" +
                  kHead + "detection: {sel: {f: 2}, condition: sel}\n");
    EXPECT_EQ(c.rules.size(), 2u) << dump(c);
    const Diagnostic* d = find_code(c, "sigma.document.empty");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_EQ(d->loc.line, 4u);
}

TEST(SigmaErrors, MalformedYamlIsLocated) {
    auto c = load(std::string(kHead) + "detection:\n  sel: {f: x\n  condition: sel\n");
    const Diagnostic* d = find_code(c, "yaml.syntax");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_GE(d->loc.line, 4u);
    EXPECT_TRUE(c.rules.empty());
}

TEST(SigmaErrors, TabIndentationIsASyntaxError) {
    auto c = load(std::string(kHead) + "detection:\n\tsel: x\n");
    const Diagnostic* d = find_code(c, "yaml.syntax");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_EQ(d->loc.line, 4u);
}

// covers: META-YAML-DUPKEY
TEST(SigmaErrors, DuplicateKeyNamesBothLines) {
    auto c =
        load(std::string(kHead) + "detection:\n  sel: {f: 1}\n  sel: {f: 2}\n  condition: sel\n");
    const Diagnostic* d = find_code(c, "yaml.duplicate_key");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_EQ(d->loc.line, 5u);
    EXPECT_NE(d->message.find("line 4"), std::string::npos) << d->message;
}

// "Billion laughs": nine levels of ten aliases each would be 10^9 nodes.
TEST(SigmaErrors, AliasBombIsBounded) {
    std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i) {
        bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k)
            bomb += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
        bomb += "]\n";
    }
    auto c = load(std::string(kHead) + bomb + "detection: {sel: {f: x}, condition: sel}\n");
    const Diagnostic* d = find_code(c, "yaml.alias_bomb");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_GT(d->loc.line, 2u);
    EXPECT_TRUE(c.rules.empty());
}

TEST(SigmaErrors, SmallAliasesStillWork) {
    auto c =
        load(std::string(kHead) + "detection:\n  a: &v {f: x}\n  b: *v\n  condition: a and b\n");
    ASSERT_EQ(c.rules.size(), 1u) << dump(c);
    EXPECT_TRUE(rule_matches(c.rules[0], {{"f", "x"}}));
}

TEST(SigmaErrors, UnknownAliasIsLocated) {
    auto c = load(std::string(kHead) + "detection:\n  a: *nope\n  condition: a\n");
    const Diagnostic* d = find_code(c, "yaml.unknown_alias");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_EQ(d->loc.line, 4u);
}

TEST(SigmaErrors, DeepYamlNestingIsBounded) {
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    auto c = load(std::string(kHead) + "detection:\n  sel: {f: " + deep + "}\n  condition: sel\n");
    ASSERT_TRUE(find_code(c, "yaml.too_deep")) << dump(c);
    expect_short_messages(c);
}

// A 100,000-deep condition (parentheses or `not`) ends in a diagnostic at the
// condition, not a stack overflow, and the message does not echo 200 KB.
TEST(SigmaErrors, DeepConditionIsBounded) {
    std::string parens(100000, '(');
    parens += "sel" + std::string(100000, ')');
    auto c =
        load(std::string(kHead) + "detection:\n  sel: {f: x}\n  condition: '" + parens + "'\n");
    const Diagnostic* d = find_code(c, "sigma.condition.too_deep");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_EQ(d->loc.line, 5u);
    expect_short_messages(c);

    std::string nots;
    for (int i = 0; i < 100000; ++i) nots += "not ";
    auto c2 =
        load(std::string(kHead) + "detection:\n  sel: {f: x}\n  condition: '" + nots + "sel'\n");
    ASSERT_TRUE(find_code(c2, "sigma.condition.too_deep")) << dump(c2);
    expect_short_messages(c2);
}

// Moderate nesting is fine: the limit is about hostile input only.
TEST(SigmaErrors, ModerateNestingLoads) {
    std::string parens(100, '(');
    parens += "sel" + std::string(100, ')');
    auto c =
        load(std::string(kHead) + "detection:\n  sel: {f: x}\n  condition: '" + parens + "'\n");
    ASSERT_EQ(c.rules.size(), 1u) << dump(c);
}

// A long flat condition (100,001 terms) is not nesting: it loads. The
// validators that read the condition text must not recurse per character.
TEST(SigmaErrors, LongFlatConditionLoads) {
    std::string ands;
    for (int i = 0; i < 100000; ++i) ands += "sel and ";
    auto c =
        load(std::string(kHead) + "detection:\n  sel: {f: x}\n  condition: '" + ands + "sel'\n");
    ASSERT_EQ(c.rules.size(), 1u) << dump(c);
    EXPECT_TRUE(rule_matches(c.rules[0], {{"f", "x"}}));
}

TEST(SigmaErrors, MegabyteValueLoadsAndMatches) {
    std::string mb(1 << 20, 'a');
    auto c = load(std::string(kHead) + "detection:\n  sel: {f|contains: '" + mb +
                  "**'}\n  condition: sel\n");
    ASSERT_EQ(c.rules.size(), 1u) << dump(c);
    expect_short_messages(c);  // double_wildcard quotes the value
    EXPECT_TRUE(find_code(c, "sigma.validator.double_wildcard"));
    EXPECT_TRUE(rule_matches(c.rules[0], {{"f", "x" + mb + "y"}}));
    EXPECT_FALSE(rule_matches(c.rules[0], {{"f", mb.substr(1)}}));
}

TEST(SigmaErrors, MegabyteInvalidRegexHasShortMessage) {
    std::string mb(1 << 20, 'a');
    auto c =
        load(std::string(kHead) + "detection:\n  sel: {f|re: '(" + mb + "'}\n  condition: sel\n");
    const Diagnostic* d = find_code(c, "sigma.regex.invalid");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_EQ(d->loc.line, 4u);
    expect_short_messages(c);
}

TEST(SigmaErrors, InvalidUtf8IsAnEncodingErrorAtItsLine) {
    for (std::string v : {"\"a\xff\xfe b\"", "a\xc3\x28", "'\xed\xa0\x80'"}) {
        auto c = load(std::string(kHead) + "detection:\n  sel: {f: " + v + "}\n  condition: sel\n");
        const Diagnostic* d = find_code(c, "yaml.encoding");
        ASSERT_TRUE(d) << dump(c);
        EXPECT_EQ(d->loc.line, 4u);
        EXPECT_TRUE(c.rules.empty());
    }
}

// covers: MOD-WINDASH
TEST(SigmaErrors, WindashExplosionIsBounded) {
    auto c = load(std::string(kHead) +
                  "detection:\n  sel: {f|windash: '-a -b -c -d -e -f -g'}\n  condition: sel\n");
    const Diagnostic* d = find_code(c, "sigma.modifier.windash_limit");
    ASSERT_TRUE(d) << dump(c);
    EXPECT_EQ(d->loc.line, 4u);
}

TEST(SigmaErrors, OneBadDocumentDoesNotStopTheFile) {
    auto c = load(std::string(kHead) + "detection: {sel: {f|re: '['}, condition: sel}\n---\n" +
                  kHead + "detection: {sel: {f: 1}, condition: sel}\n---\na: b: c\n---\n" + kHead +
                  "detection: {sel: {f: 2}, condition: sel}\n");
    // the YAML syntax error stops the stream: the documents before it load
    EXPECT_TRUE(find_code(c, "sigma.regex.invalid")) << dump(c);
    EXPECT_TRUE(find_code(c, "yaml.syntax")) << dump(c);
    EXPECT_EQ(c.rules.size(), 1u) << dump(c);
}

// The YAML limits each have their own error, on the fast and the libfyaml path.
TEST(SigmaErrors, YamlLimitsHaveTheirOwnCodes) {
    auto file = std::make_shared<const std::string>("limits.yml");
    std::string block = "title: t\ndetection:\n  sel:\n    f: [1, 2, 3, 4, 5, 6, 7, 8]\n";
    std::string flow = "{title: t, detection: {sel: {f: [1, 2, 3, 4, 5, 6, 7, 8]}}}\n";
    for (const std::string& text : {block, flow}) {
        SCOPED_TRACE(text);
        std::vector<YamlDocument> docs;
        Diagnostics d;
        YamlLimits small;
        small.max_bytes = 16;
        EXPECT_FALSE(parse_yaml(text, file, docs, d, small));
        ASSERT_FALSE(d.empty());
        EXPECT_EQ(d[0].code, "yaml.too_large");

        docs.clear();
        d.clear();
        YamlLimits few;
        few.max_nodes = 8;
        EXPECT_FALSE(parse_yaml(text, file, docs, d, few));
        ASSERT_FALSE(d.empty());
        EXPECT_EQ(d[0].code, "yaml.too_many_nodes");

        docs.clear();
        d.clear();
        YamlLimits shallow;
        shallow.max_depth = 2;
        EXPECT_FALSE(parse_yaml(text, file, docs, d, shallow));
        ASSERT_FALSE(d.empty());
        EXPECT_EQ(d[0].code, "yaml.too_deep");
    }
}

}  // namespace
