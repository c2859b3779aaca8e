// tests/unit/yaml_fast_test.cpp — the YAML fast path against libfyaml: equal
// trees (values, types, locations) on hand-written cases and on every corpus file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sigil/yaml.h"

using namespace sigil;

namespace {

std::string dump(const YamlNode& n) {
    std::string s = std::to_string(n.line) + ":" + std::to_string(n.col) + " ";
    switch (n.kind) {
        case YamlNode::Kind::Scalar:
            return s + "S" + std::to_string(int(n.type)) + (n.quoted ? "q" : "") + "[" + n.text +
                   "]" + (n.type == YamlNode::Type::Int ? std::to_string(n.i) : "") +
                   (n.type == YamlNode::Type::Bool ? (n.b ? "T" : "F") : "");
        case YamlNode::Kind::Seq: {
            s += "[";
            for (auto& i : n.items) s += dump(i) + ", ";
            return s + "]";
        }
        case YamlNode::Kind::Map: {
            s += "{";
            for (auto& [k, v] : n.entries) s += dump(k) + " => " + dump(v) + ", ";
            return s + "}";
        }
    }
    return s;
}

std::string dump_docs(const std::vector<YamlDocument>& d) {
    std::string s;
    for (auto& x : d) s += std::string("doc") + (x.empty ? " empty " : " ") + dump(x.root) + "\n";
    return s;
}

// Returns "" when equal, or a description; `taken` says if the fast path took it.
std::string compare(const std::string& text, bool& taken) {
    std::vector<YamlDocument> fast, slow;
    Diagnostics d;
    taken = parse_yaml_fast(text, fast);
    parse_yaml_slow(text, std::make_shared<const std::string>("t.yml"), slow, d);
    if (!taken) return "";
    // empty documents carry no location in the slow path: compare shape only
    std::string a = dump_docs(fast), b = dump_docs(slow);
    return a == b ? "" : "fast:\n" + a + "slow:\n" + b;
}

TEST(YamlFast, HandWrittenCases) {
    const char* cases[] = {
        "title: a\nid: 1\n",
        "a:\n  b: 'x''y'\n  c: \"t\\tq\\u00e9\"\n  d: [1, 'two', three]\n  e: {}\n  f: []\n",
        "list:\n- a\n- b: 1\n  c: 2\n- 'q'\nnext: yes\n",
        "d: |\n  line1\n\n  line2\nx: >-\n  folded\n  text\n\n  para\ny: 010\nz: 0x1F\nw: 1.5\nv: "
        "~\n",
        "k: v # comment\n# full comment\nm:\n    - Image|endswith: '\\cmd.exe'\n      "
        "CommandLine|contains|all:\n          - a\n          - b\n",
        "---\ntitle: one\n---\ntitle: two\n",
        "key:\nother: 1\n",
        "'|all':\n  - x\n  - y\n",
    };
    for (auto* c : cases) {
        bool taken = false;
        std::string diff = compare(c, taken);
        EXPECT_TRUE(taken) << c;
        EXPECT_EQ(diff, "") << c;
    }
}

TEST(YamlFast, FallsBackOutsideItsSubset) {
    const char* cases[] = {"a: &x 1\nb: *x\n",     "a: !!str 1\n", "a: b\n  continued\n",
                           "a: 'multi\n  line'\n", "a: 1\na: 2\n", "{a: 1}\n",
                           "a:\n\t- x\n",          "- - x\n",      "%YAML 1.1\n---\na: 1\n"};
    for (auto* c : cases) {
        std::vector<YamlDocument> fast;
        EXPECT_FALSE(parse_yaml_fast(c, fast)) << c;
        EXPECT_TRUE(fast.empty());
    }
}

// The line check reads eight bytes at a time: a control character, DEL or
// a non-ASCII byte at any offset of a long line must still be seen.
TEST(YamlFast, EveryByteOfALongLineIsChecked) {
    const std::string base = "title: abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\n";
    const unsigned char bad[] = {0x01, 0x08, 0x0B, 0x1F, 0x7F, 0x80, 0xC2, 0xFF};
    for (size_t at = 7; at + 1 < base.size(); ++at) {
        for (unsigned char c : bad) {
            std::string text = base;
            text[at] = char(c);
            std::vector<YamlDocument> fast;
            EXPECT_FALSE(parse_yaml_fast(text, fast)) << "byte " << int(c) << " at " << at;
        }
        std::string tab = base;
        tab[at] = '\t';  // allowed inside a value: both paths agree
        bool taken = false;
        EXPECT_EQ(compare(tab, taken), "") << "tab at " << at;
        std::string utf8 = base;
        utf8.replace(at, 1, "\xC3\xA9");  // printable UTF-8: taken, same tree
        EXPECT_EQ(compare(utf8, taken), "") << "e-acute at " << at;
        EXPECT_TRUE(taken) << "e-acute at " << at;
    }
}

TEST(YamlFast, SameTreesAsLibfyamlOnTheSigmaCorpus) {
    std::string root = std::string(SIGIL_SHARED_DIR) + "/corpus";
    if (!std::filesystem::exists(root)) GTEST_SKIP() << "no shared corpus";
    size_t files = 0, taken_n = 0, bad = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
        if (e.path().extension() != ".yml") continue;
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        bool taken = false;
        std::string diff = compare(ss.str(), taken);
        // libfyaml 0.7.12 reads the single-quoted scalar ending in -Join followed by four
        // quotes as three quotes; YAML says four quotes are two escaped quotes (fast path).
        if (e.path().filename() == "proc_creation_win_hktl_crackmapexec_powershell_obfuscation.yml")
            diff.clear();
        bool sigma_rule = e.path().string().find("/corpus/sigma/rules") != std::string::npos;
        files += sigma_rule;
        taken_n += taken && sigma_rule;
        if (!diff.empty() && bad++ < 3) {
            // show the first differing node only
            auto nl = diff.find("slow:\n");
            std::string a = diff.substr(6, nl - 6), b = diff.substr(nl + 6);
            size_t k = 0;
            while (k < a.size() && k < b.size() && a[k] == b[k]) ++k;
            size_t from = k > 200 ? k - 200 : 0;
            ADD_FAILURE() << e.path() << "\nfast: ..." << a.substr(from, 400) << "\nslow: ..."
                          << b.substr(from, 400);
        }
    }
    EXPECT_EQ(bad, 0u);
    std::printf("fast path took %zu of %zu SigmaHQ rules* files\n", taken_n, files);
    EXPECT_GT(taken_n * 100, files * 95);  // the fast path must carry the corpus
}

}  // namespace

// The fuzz seeds of yaml_diff (fuzz/corpus/yaml_diff: quoting, escapes,
// control characters, odd indentation): the fast path agrees with libfyaml
// or declines.
TEST(YamlFast, AgreesOrDeclinesOnTheFuzzSeeds) {
    std::string dir = std::string(SIGIL_TEST_DIR) + "/../fuzz/corpus/yaml_diff";
    if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no fuzz seeds";
    size_t files = 0, taken_n = 0;
    for (auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        bool taken = false;
        EXPECT_EQ(compare(ss.str(), taken), "") << e.path();
        ++files;
        taken_n += taken;
    }
    EXPECT_GT(files, 100u);
    EXPECT_GT(taken_n, 10u);
}
