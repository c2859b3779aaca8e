// tests/unit/hardening_regex_test.cpp — catastrophic regular expressions in
// rules, evaluated by the reference interpreter (src/ir/eval.cpp) over long
// subjects. RE2 runs in linear time; patterns only PCRE2 compiles (lookaround,
// backreferences) run under a match limit, so an exploding backtrack ends as
// "no match" instead of hanging. The tests assert verdicts, not times: a
// regression shows up as a test that never ends (ctest's timeout).
#include <gtest/gtest.h>

#include <string>

#include "sigil/eval.h"
#include "sigil/sigma.h"

using namespace sigil;

namespace {

Rule load_one(const std::string& re, const std::string& mods = "re") {
    SigmaCollection c;
    // single quotes: YAML keeps backslashes; a quote in the pattern is doubled
    std::string q;
    for (char ch : re) q += ch == '\'' ? std::string("''") : std::string(1, ch);
    load_sigma_text("title: re\nlogsource: {product: windows}\ndetection:\n  sel:\n    f|" + mods +
                        ": '" + q + "'\n  condition: sel\n",
                    "re.yml", c);
    std::string why;
    for (auto& d : c.diagnostics) why += d.code + ": " + d.message + "\n";
    EXPECT_EQ(c.rules.size(), 1u) << re << "\n" << why;
    return c.rules.empty() ? Rule{} : c.rules[0];
}

bool matches(const Rule& r, const std::string& subject) {
    return rule_matches(r, {{"f", subject}});
}

const std::string kLongA = std::string(100000, 'a');
const std::string kLongX = std::string(100000, 'x');

// The classic exponential-backtracking patterns, all within RE2's syntax.
TEST(HardeningRegex, NestedQuantifiersUnderRe2) {
    Rule a = load_one("(a+)+$");
    EXPECT_TRUE(matches(a, kLongA));
    EXPECT_TRUE(matches(a, kLongA + "b" + "a"));  // unanchored start: the last a matches
    EXPECT_FALSE(matches(a, kLongA + "b"));

    Rule b = load_one("^(a|a)*b");
    EXPECT_FALSE(matches(b, kLongA));
    EXPECT_TRUE(matches(b, kLongA + "b"));
    EXPECT_FALSE(matches(b, "c" + kLongA + "b"));

    Rule c = load_one("(x+x+)+y");
    EXPECT_FALSE(matches(c, kLongX));
    EXPECT_TRUE(matches(c, kLongX + "y"));

    Rule d = load_one("^(\\w+\\s?)*$");
    EXPECT_FALSE(matches(d, std::string(50000, 'w') + "!"));
    EXPECT_TRUE(matches(d, "word another word"));

    Rule e = load_one("(.*a){20}");
    EXPECT_TRUE(matches(e, kLongA));
    EXPECT_FALSE(matches(e, kLongX));
}

// Patterns RE2 rejects (lookahead, backreference) load because PCRE2 compiles
// them; their evaluation is bounded by the match limit. A subject that blows
// the limit is "no match"; ordinary subjects still get the right verdict.
TEST(HardeningRegex, PcreOnlyPatternsAreBounded) {
    Rule look = load_one("^(?!z)(a+)+$");
    EXPECT_TRUE(matches(look, "aaaa"));
    EXPECT_FALSE(matches(look, "zaaa"));
    EXPECT_FALSE(matches(look, std::string(5000, 'a') + "b"));  // hits the limit: no match

    Rule back = load_one("^(a+)+\\1b$");
    EXPECT_TRUE(matches(back, "aaaab"));
    EXPECT_FALSE(matches(back, std::string(5000, 'a') + "c"));

    Rule behind = load_one("(?<=x)(x+x+)+y");
    EXPECT_TRUE(matches(behind, "xxxy"));
    EXPECT_FALSE(matches(behind, kLongX));
}

// Case-insensitive and multi-line flags take the same bounded paths.
TEST(HardeningRegex, FlagsKeepTheBounds) {
    Rule i = load_one("(A+)+$", "re|i");
    EXPECT_TRUE(matches(i, kLongA));
    EXPECT_FALSE(matches(i, kLongA + "!"));
    Rule m = load_one("^(x+x+)+y$", "re|m");
    EXPECT_TRUE(matches(m, "zzz\nxxy\nzzz"));
    EXPECT_FALSE(matches(m, kLongX + "\n" + kLongX));
}

// Invalid UTF-8 in the subject never matches by accident nor crashes PCRE2
// (which checks UTF-8 and returns an error for a bad subject).
TEST(HardeningRegex, InvalidUtf8Subjects) {
    Rule look = load_one("^(?!z)a+$");
    EXPECT_FALSE(matches(look,
                         "aa\xff"
                         "aa"));
    Rule plain = load_one("a+");
    EXPECT_TRUE(matches(plain,
                        "\xff\xfe"
                        "aa"));
}

}  // namespace
