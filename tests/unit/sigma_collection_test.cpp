// tests/unit/sigma_collection_test.cpp — loading rule collections from files
// and directories (COLL-*, FILT-COLLECT): recursive discovery, cross-file
// filters and references, error collection, name uniqueness. Uses a fresh
// temporary directory per test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sigil/eval.h"
#include "sigil/sigma.h"

using namespace sigil;
namespace fs = std::filesystem;

namespace {

class SigmaCollectionFiles : public ::testing::Test {
  protected:
    fs::path dir;
    void SetUp() override {
        dir = fs::temp_directory_path() /
              ("sigil_coll_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    void write(const std::string& rel, const std::string& text) {
        fs::path p = dir / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
    }
    const Rule* find(const SigmaCollection& c, const std::string& title) {
        for (auto& r : c.rules)
            if (r.title == title) return &r;
        return nullptr;
    }
    static std::string dump(const SigmaCollection& c) {
        std::string s;
        for (auto& d : c.diagnostics) s += d.loc.str() + " " + d.code + ": " + d.message + "\n";
        return s;
    }
    static size_t count(const SigmaCollection& c, const std::string& code) {
        size_t n = 0;
        for (auto& d : c.diagnostics) n += d.code == code;
        return n;
    }
};

std::string rule(const std::string& title, const std::string& name, const std::string& value) {
    return "title: " + title + "\nname: " + name +
           "\nlogsource: {product: windows}\ndetection: {sel: {f: " + value +
           "}, condition: sel}\n";
}

// covers: COLL-DIRECTORY-LOAD FILT-COLLECT
TEST_F(SigmaCollectionFiles, RecursiveLoadResolvesAcrossFiles) {
    write("a/rule_one.yml", rule("one", "rule_one", "1"));
    write("b/c/rule_two.yaml", rule("two", "rule_two", "2"));
    write("notes.txt", "title: not a rule file\n");
    // the filter sorts before the rules it targets and lives in another folder
    write("0_filters/filter_admin.yml",
          "title: no admin\nlogsource: {product: windows}\nfilter:\n  rules: [rule_two]\n"
          "  sel: {User: admin}\n  condition: not sel\n");
    write("z/corr.yml",
          "title: both\ncorrelation:\n  type: temporal\n  rules: [rule_one, rule_two]\n"
          "  timespan: 5m\n");
    SigmaCollection c;
    load_sigma_paths({dir.string()}, c);
    EXPECT_EQ(c.stats.files, 4u) << dump(c);
    EXPECT_EQ(c.stats.rules_failed, 0u) << dump(c);
    for (auto& d : c.diagnostics) EXPECT_NE(d.severity, Severity::Error) << dump(c);
    const Rule* one = find(c, "one");
    const Rule* two = find(c, "two");
    ASSERT_TRUE(one && two) << dump(c);
    EXPECT_TRUE(rule_matches(*one, {{"f", 1}, {"User", "admin"}}));
    EXPECT_TRUE(rule_matches(*two, {{"f", 2}, {"User", "bob"}}));
    EXPECT_FALSE(rule_matches(*two, {{"f", 2}, {"User", "admin"}}));
    ASSERT_TRUE(find(c, "both"));
    EXPECT_EQ(find(c, "both")->kind, RuleKind::Correlation);
}

// covers: COLL-DIRECTORY-LOAD
TEST_F(SigmaCollectionFiles, MissingPathIsReported) {
    SigmaCollection c;
    load_sigma_paths({(dir / "nope").string()}, c);
    EXPECT_EQ(count(c, "io.not_found"), 1u) << dump(c);
}

// covers: COLL-ERROR-COLLECT
TEST_F(SigmaCollectionFiles, ErrorsAreCollectedAndTheRestLoads) {
    write("good_1.yml", rule("good one", "g1", "1"));
    write("bad_modifier.yml", rule("bad", "b1", "1") + "---\n" + rule("also good", "g2", "2"));
    {
        std::string t = rule("bad", "b1", "1");
        t.replace(t.find("{f:"), 3, "{f|nope:");
        write("bad_modifier.yml", t + "---\n" + rule("also good", "g2", "2"));
    }
    write("bad_yaml.yml", "title: [unclosed\n");
    write("good_2.yml", rule("good two", "g3", "3"));
    SigmaCollection c;
    load_sigma_paths({dir.string()}, c);
    EXPECT_EQ(c.rules.size(), 3u) << dump(c);
    EXPECT_EQ(c.stats.rules_loaded, 3u);
    EXPECT_EQ(c.stats.rules_failed, 2u);
    EXPECT_EQ(count(c, "sigma.modifier.unknown"), 1u) << dump(c);
    EXPECT_EQ(count(c, "yaml.syntax"), 1u) << dump(c);
    for (auto& d : c.diagnostics)
        if (d.severity == Severity::Error) {
            ASSERT_TRUE(d.loc.file);
            EXPECT_GT(d.loc.line, 0u) << d.code;
        }
    EXPECT_TRUE(find(c, "also good"));
}

// covers: COLL-UNIQUE-ID-NAME
TEST_F(SigmaCollectionFiles, DuplicateNamesAreReported) {
    write("x/first.yml", rule("first", "same_name", "1"));
    write("y/second.yml", rule("second", "same_name", "2"));
    SigmaCollection c;
    load_sigma_paths({dir.string()}, c);
    EXPECT_EQ(c.rules.size(), 2u);
    EXPECT_EQ(count(c, "sigma.collection.duplicate_name"), 1u) << dump(c);
}

// covers: COLL-MULTIDOC
TEST_F(SigmaCollectionFiles, StatsCountDocuments) {
    write("multi.yml", rule("a", "a", "1") + "---\n" + rule("b", "b", "2") + "---\n" +
                           "title: f\nlogsource: {product: windows}\nfilter:\n  rules: any\n"
                           "  s: {User: x}\n  condition: not s\n");
    SigmaCollection c;
    load_sigma_paths({(dir / "multi.yml").string()}, c);
    EXPECT_EQ(c.stats.files, 1u);
    EXPECT_EQ(c.stats.documents, 3u);
    EXPECT_EQ(c.stats.rules_loaded, 3u);
    ASSERT_EQ(c.rules.size(), 3u);
    EXPECT_EQ(c.rules[2].kind, RuleKind::Filter);
    EXPECT_TRUE(c.rules[0].loc.file && *c.rules[0].loc.file == (dir / "multi.yml").string());
    EXPECT_EQ(c.rules[1].loc.line, 6u);
}

}  // namespace

// covers: COLL-INDEX
TEST(SigmaCollectionIndex, FindsByIdThenName) {
    sigil::SigmaCollection c;
    sigil::load_sigma_text(
        "title: a\nid: 11111111-2222-4333-8444-555555555555\nname: rule_a\nlogsource: {product: x}\n"
        "detection:\n  sel: {f: 1}\n  condition: sel\n---\n"
        "title: b\nname: rule_b\nlogsource: {product: x}\ndetection:\n  sel: {f: 2}\n  condition: sel\n",
        "index.yml", c);
    ASSERT_EQ(c.rules.size(), 2u);
    ASSERT_NE(c.find("11111111-2222-4333-8444-555555555555"), nullptr);
    EXPECT_EQ(c.find("11111111-2222-4333-8444-555555555555")->title, "a");
    EXPECT_EQ(c.find("11111111-2222-4333-8444-555555555555"), c.find("11111111-2222-4333-8444-555555555555"));
    EXPECT_EQ(c.find("11111111-2222-4333-8444-555555555555"), &c.rules[0]);
    EXPECT_EQ(c.find("11111111-2222-4333-8444-555555555555"), c.find("rule_a"));
    EXPECT_EQ(c.find("rule_b")->title, "b");
    EXPECT_EQ(c.find("no_such_rule"), nullptr);
}
