// tests/unit/sigma_ir_test.cpp — what the Sigma front-end hands to back-ends:
// the IR predicates of placeholders (PH-*), literal versus wildcard specials,
// regex flags, value kinds and locations, and log-source containment. The
// fixtures check behaviour through the interpreter; these check the IR itself.
#include <gtest/gtest.h>

#include <string>

#include "sigil/sigma.h"

using namespace sigil;

namespace {

// The predicates of a one-rule text, in order.
std::vector<Pred> preds(const std::string& detection) {
    SigmaCollection c;
    load_sigma_text("title: t\nlogsource: {product: windows}\ndetection:\n" + detection, "ir.yml",
                    c);
    std::string diags;
    for (auto& d : c.diagnostics)
        if (d.severity == Severity::Error) diags += d.code + ": " + d.message + "\n";
    EXPECT_EQ(c.rules.size(), 1u) << diags;
    std::vector<Pred> out;
    if (c.rules.empty()) return out;
    std::vector<const Pred*> ps;
    collect_preds(c.rules[0].expr(), ps);
    for (auto* p : ps) out.push_back(*p);
    return out;
}

// covers: PH-SYNTAX MOD-EXPAND
TEST(SigmaIr, ExpandMakesPlaceholderPredicates) {
    auto ps = preds("  sel: {User|expand: '%Administrators%'}\n  condition: sel\n");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_TRUE(ps[0].placeholders);
    EXPECT_EQ(ps[0].op, Op::Glob);
    EXPECT_EQ(ps[0].value.s, "%Administrators%");
    EXPECT_EQ(ps[0].field, "User");
}

// covers: PH-LITERAL-WITHOUT-EXPAND WC-PERCENT
TEST(SigmaIr, WithoutExpandPercentIsLiteral) {
    auto ps = preds("  sel: {User: '%Administrators%'}\n  condition: sel\n");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_FALSE(ps[0].placeholders);
    EXPECT_EQ(ps[0].op, Op::Eq);
    EXPECT_EQ(ps[0].value.s, "%Administrators%");
}

// covers: PH-ESCAPE
TEST(SigmaIr, EscapedPercentUnderExpand) {
    auto ps = preds("  sel: {f|expand: '\\%plain%name%'}\n  condition: sel\n");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_TRUE(ps[0].placeholders);
    // a literal percent is escaped in placeholder text; %name% is the placeholder
    EXPECT_EQ(ps[0].value.s, "\\%plain%name%");
}

// covers: PH-MIXED
TEST(SigmaIr, PlaceholdersMixWithWildcardsAndRegexes) {
    auto ps = preds(
        "  a: {f|expand: 'srv-%site%-*'}\n  b: {g|re|expand: '^srv-%site%-\\d+$'}\n"
        "  c: {h|re|expand: '100\\%%'}\n  condition: a or b or c\n");
    ASSERT_EQ(ps.size(), 3u);
    EXPECT_TRUE(ps[0].placeholders);
    EXPECT_EQ(ps[0].value.s, "srv-%site%-*");
    EXPECT_EQ(ps[1].op, Op::Regex);
    EXPECT_TRUE(ps[1].placeholders);
    EXPECT_EQ(ps[1].value.s, "^srv-%site%-\\d+$");
    EXPECT_FALSE(ps[2].placeholders);  // an escaped percent and a lone one
}

// covers: PH-STANDARD-NAMES
TEST(SigmaIr, StandardAndCustomPlaceholderNames) {
    auto ps = preds(
        "  sel:\n    User|expand: ['%Administrators%', '%JumpServers%', '%Workstations%', "
        "'%Servers%', '%DomainControllers%', '%my_site%']\n  condition: sel\n");
    ASSERT_EQ(ps.size(), 6u);
    for (auto& p : ps) {
        EXPECT_TRUE(p.placeholders) << p.value.s;
        EXPECT_EQ(p.value.s.front(), '%');
        EXPECT_EQ(p.value.s.back(), '%');
    }
}

// covers: WC-LITERAL-SPECIALS-IN-OUTPUT WC-ESC-STAR WC-ESC-QMARK
TEST(SigmaIr, LiteralSpecialsStayDistinctFromWildcards) {
    auto ps = preds(
        "  a: {f: 'a\\*b'}\n  b: {f: 'a*b\\?'}\n  c: {f|contains: 'x\\y'}\n"
        "  condition: a or b or c\n");
    ASSERT_EQ(ps.size(), 3u);
    EXPECT_EQ(ps[0].op, Op::Eq);  // only a literal star: no wildcard at all
    EXPECT_EQ(ps[0].value.s, "a*b");
    EXPECT_EQ(ps[1].op, Op::Glob);  // canonical escaping: \? literal, * wildcard
    EXPECT_EQ(ps[1].value.s, "a*b\\?");
    EXPECT_EQ(ps[2].op, Op::Contains);  // plain operators hold literal text
    EXPECT_EQ(ps[2].value.s, "x\\y");
}

// covers: MOD-CONTAINS MOD-STARTSWITH MOD-ENDSWITH WC-ONLY-STAR
TEST(SigmaIr, StringOperatorsAreChosenFromWildcards) {
    auto ps = preds(
        "  s: {a|contains: x, b|startswith: y, c|endswith: z, d: '*', e: 'p*q'}\n"
        "  condition: s\n");
    ASSERT_EQ(ps.size(), 5u);
    EXPECT_EQ(ps[0].op, Op::Contains);
    EXPECT_EQ(ps[1].op, Op::StartsWith);
    EXPECT_EQ(ps[2].op, Op::EndsWith);
    EXPECT_EQ(ps[3].op, Op::Contains);
    EXPECT_EQ(ps[3].value.s, "");
    EXPECT_EQ(ps[4].op, Op::Glob);
}

// covers: MOD-RE-FLAGS-RENDER MOD-RE-I MOD-RE-M MOD-RE-S
TEST(SigmaIr, RegexFlagsAreKeptForBackends) {
    auto ps = preds("  a: {f|re|i|m|s: x}\n  b: {f|re: y}\n  condition: a or b\n");
    ASSERT_EQ(ps.size(), 2u);
    EXPECT_EQ(ps[0].re_flags, ReIgnoreCase | ReMultiLine | ReDotAll);
    EXPECT_EQ(ps[1].re_flags, 0);
}

// covers: VAL-NUMBER-INT VAL-NUMBER-FLOAT-NEG VAL-BOOL VAL-NULL VAL-QUOTED-NUMBER
TEST(SigmaIr, ValueKinds) {
    auto ps = preds("  s: {a: 4688, b: -1.5, c: true, d: null, e: '4688'}\n  condition: s\n");
    ASSERT_EQ(ps.size(), 5u);
    EXPECT_EQ(ps[0].value.kind, ValueKind::Int);
    EXPECT_EQ(ps[0].value.i, 4688);
    EXPECT_EQ(ps[1].value.kind, ValueKind::Float);
    EXPECT_EQ(ps[1].value.f, -1.5);
    EXPECT_EQ(ps[2].value.kind, ValueKind::Bool);
    EXPECT_EQ(ps[3].value.kind, ValueKind::Null);
    EXPECT_EQ(ps[4].value.kind, ValueKind::String);
}

// covers: MOD-CASED MOD-FIELDREF MOD-TIME-COMPARE MOD-CIDR-V4 MOD-EXISTS
TEST(SigmaIr, TypeModifiers) {
    auto ps = preds(
        "  s: {a|cased: X, b|fieldref: c, d|hour|gte: 18, e|cidr: 10.0.0.0/8, "
        "f|exists: false}\n  condition: s\n");
    ASSERT_EQ(ps.size(), 5u);
    EXPECT_TRUE(ps[0].cased);
    EXPECT_EQ(ps[1].op, Op::FieldRef);
    EXPECT_EQ(ps[1].value.s, "c");
    EXPECT_EQ(ps[2].op, Op::Gte);
    EXPECT_EQ(ps[2].time_part, TimePart::Hour);
    EXPECT_EQ(ps[3].op, Op::Cidr);
    EXPECT_EQ(ps[4].op, Op::Exists);
    EXPECT_FALSE(ps[4].value.b);
}

// Predicates carry the location of their key, for diagnostics downstream.
TEST(SigmaIr, PredicatesAreLocated) {
    auto ps = preds("  sel:\n    Image|endswith: x\n  condition: sel\n");
    ASSERT_EQ(ps.size(), 1u);
    ASSERT_TRUE(ps[0].loc.file);
    EXPECT_EQ(*ps[0].loc.file, "ir.yml");
    EXPECT_EQ(ps[0].loc.line, 5u);
    EXPECT_EQ(ps[0].loc.col, 5u);
}

// covers: LOG-CONTAINMENT
TEST(SigmaIr, LogSourceContainment) {
    LogSource windows{"", "windows", "", "", {}};
    LogSource proc{"process_creation", "windows", "", "", {}};
    LogSource sysmon{"", "windows", "sysmon", "", {}};
    LogSource upper{"", "Windows", "", "", {}};
    EXPECT_TRUE(windows.contains(proc));
    EXPECT_FALSE(proc.contains(windows));
    EXPECT_FALSE(sysmon.contains(windows));
    EXPECT_TRUE(sysmon.contains(sysmon));
    EXPECT_FALSE(windows.contains(upper));  // exact, case-sensitive
}

// covers: META-CUSTOM-ATTRS META-REFERENCES-TYPO LOG-CUSTOM-KEYS LOG-DEFINITION
TEST(SigmaIr, CustomAttributesAreKept) {
    SigmaCollection c;
    load_sigma_text(
        "title: t\nreference: [https://x]\nmyfield: 1\n"
        "logsource: {product: windows, foo: bar, definition: 'needs audit policy'}\n"
        "detection: {sel: {f: 1}, condition: sel}\n",
        "ir.yml", c);
    ASSERT_EQ(c.rules.size(), 1u);
    const Rule& r = c.rules[0];
    ASSERT_EQ(r.custom.size(), 2u);
    EXPECT_EQ(r.custom[0].first, "reference");
    EXPECT_EQ(r.custom[1], (std::pair<std::string, std::string>{"myfield", "1"}));
    ASSERT_EQ(r.logsource.custom.size(), 1u);
    EXPECT_EQ(r.logsource.custom[0].first, "foo");
    EXPECT_EQ(r.logsource.definition, "needs audit policy");
    EXPECT_TRUE(r.references.empty());
}

// covers: META-STATUS-CASE CASE-ENUM-METADATA META-DATE-LEGACY-SLASH
TEST(SigmaIr, NormalizedMetadata) {
    SigmaCollection c;
    load_sigma_text(
        "title: t\nstatus: Stable\nlevel: HIGH\ndate: 2024/1/5\n"
        "logsource: {product: windows}\ndetection: {sel: {f: 1}, condition: sel}\n",
        "ir.yml", c);
    ASSERT_EQ(c.rules.size(), 1u);
    EXPECT_EQ(c.rules[0].status, "stable");
    EXPECT_EQ(c.rules[0].level, "high");
    EXPECT_EQ(c.rules[0].date, "2024-01-05");
}

}  // namespace
