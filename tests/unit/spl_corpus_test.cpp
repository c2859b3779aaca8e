// tests/unit/spl_corpus_test.cpp — every splunk/security_content detection
// and every Armory rule of the shared corpora loads into stages; the share
// with predicates and the diagnostic codes are printed (docs/spl.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "sigil/spl.h"

using namespace sigil;
namespace fs = std::filesystem;

namespace {

size_t count_yaml(const fs::path& dir) {
    size_t n = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        auto ext = it->path().extension();
        if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) ++n;
    }
    return n;
}

}  // namespace

TEST(SplCorpus, AllRulesLoad) {
    fs::path shared(SIGIL_SHARED_DIR);
    fs::path ssc = shared / "corpus" / "splunk-security-content" / "detections";
    fs::path armory = shared / "corpus" / "armory" / "detections";
    if (!fs::is_directory(ssc) || !fs::is_directory(armory))
        GTEST_SKIP() << "shared corpora not present";
    size_t ssc_files = count_yaml(ssc), armory_files = count_yaml(armory);

    SplCollection c;
    load_splunk_paths({ssc.string(), armory.string()}, c);
    EXPECT_EQ(c.stats.ssc_rules, ssc_files);
    EXPECT_EQ(c.stats.armory_rules, armory_files);
    EXPECT_EQ(c.stats.rules_failed, 0u);
    EXPECT_GT(c.stats.macros, 150u);  // the sibling macros/ folder was found
    EXPECT_GT(c.stats.data_sources, 150u);

    size_t with_preds = 0, preds_total = 0, ssc_preds = 0, armory_preds = 0;
    std::vector<std::string> without;
    for (const Rule& r : c.rules) {
        EXPECT_FALSE(r.stages.empty()) << *r.loc.file;
        ASSERT_EQ(r.conditions.size(), 1u);
        std::vector<const Pred*> v;
        collect_preds(r.conditions[0], v);
        for (const Pred* p : v) {
            EXPECT_GT(p->loc.line, 0u) << *r.loc.file;
            EXPECT_TRUE(p->loc.file != nullptr);
        }
        preds_total += v.size();
        if (!v.empty()) {
            ++with_preds;
            (r.source == RuleSource::Armory ? armory_preds : ssc_preds) += 1;
        } else {
            without.push_back(*r.loc.file);
        }
    }
    EXPECT_EQ(with_preds, c.stats.with_predicates);
    double share = double(with_preds) / double(c.rules.size());
    EXPECT_GT(share, 0.995);

    std::map<std::string, size_t> codes;
    size_t errors = 0;
    for (auto& d : c.diagnostics) {
        ++codes[d.code];
        if (d.severity == Severity::Error) ++errors;
    }
    EXPECT_EQ(errors, 0u);
    EXPECT_EQ(codes.count("spl.command.unknown") ? codes["spl.command.unknown"] : 0, 1u)
        << "only `cyberchef` (an add-on command) is unknown";

    std::printf("security_content: %zu files, %zu rules, %zu with predicates\n", ssc_files,
                c.stats.ssc_rules, ssc_preds);
    std::printf("armory: %zu files, %zu rules (%zu SQL), %zu with predicates\n", armory_files,
                c.stats.armory_rules, c.stats.armory_sql_rules, armory_preds);
    std::printf("with predicates: %zu of %zu (%.2f%%), %zu predicates\n", with_preds,
                c.rules.size(), 100.0 * share, preds_total);
    for (auto& f : without) std::printf("  no predicate: %s\n", f.c_str());
    for (auto& [k, v] : codes) std::printf("%8zu %s\n", v, k.c_str());
}
