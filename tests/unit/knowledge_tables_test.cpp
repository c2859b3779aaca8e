// tests/unit/knowledge_tables_test.cpp — data/*.tsv are what scripts/gen_tables.py makes of
// ../shared/data, byte for byte, and libsigil embeds exactly those bytes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sigil/knowledge.h"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::set<std::string> tsv_names(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".tsv") out.insert(e.path().filename().string());
    return out;
}

const fs::path kData = fs::path(SIGIL_SOURCE_DIR) / "data";

}  // namespace

TEST(KnowledgeTables, EmbeddedBytesEqualDataFiles) {
    auto names = tsv_names(kData);
    ASSERT_GE(names.size(), 13u);
    for (const std::string& name : names) {
        std::string file = slurp(kData / name);
        ASSERT_FALSE(file.empty()) << name;
        EXPECT_TRUE(sigil::embedded_table(name) == file) << name << " differs from its embedding";
    }
    EXPECT_TRUE(sigil::embedded_table("no_such_table.tsv").empty());
}

TEST(KnowledgeTables, RegeneratingFromSharedIsByteIdentical) {
    fs::path shared = fs::path(SIGIL_SHARED_DIR);
    if (!fs::is_directory(shared / "data")) GTEST_SKIP() << "no " << shared << "/data";
    fs::path out = fs::temp_directory_path() / ("sigil_gen_tables_" + std::to_string(getpid()));
    fs::remove_all(out);
    std::string cmd = "python3 '" +
                      (fs::path(SIGIL_SOURCE_DIR) / "scripts/gen_tables.py").string() +
                      "' --shared '" + shared.string() + "' --out '" + out.string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    auto committed = tsv_names(kData);
    auto fresh = tsv_names(out);
    EXPECT_EQ(committed, fresh);
    for (const std::string& name : fresh) {
        if (!committed.count(name)) continue;
        EXPECT_TRUE(slurp(kData / name) == slurp(out / name))
            << "data/" << name << " is stale: run scripts/gen_tables.py";
    }
    fs::remove_all(out);
}
