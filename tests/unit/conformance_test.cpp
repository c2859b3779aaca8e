// tests/unit/conformance_test.cpp — runs the data-driven conformance fixtures
// (tests/fixtures/conformance/*.yml): each case is a Sigma rule with events
// that must and must not match through the reference interpreter, or an
// expected diagnostic code (and optionally its line). See tests/fixtures/README.md.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sigil/eval.h"
#include "sigil/sigma.h"
#include "sigil/yaml.h"
#include "yaml_json.h"

using namespace sigil;
using nlohmann::json;

namespace {

struct Case {
    std::string file, id, rule;
    uint32_t line = 0;
    std::vector<json> match, nomatch;
    std::string error, warning;
    uint32_t error_line = 0;
    size_t rules = 1;  // expected number of loaded rules (collections)
};

// Readable names in test listings instead of byte dumps.
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.id << " (" << c.file << ":" << c.line << ")";
}

std::vector<Case> load_cases() {
    std::vector<Case> out;
    std::string dir = std::string(SIGIL_TEST_DIR) + "/fixtures/conformance";
    std::vector<std::string> files;
    for (auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".yml") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    for (auto& f : files) {
        std::ifstream in(f);
        std::stringstream ss;
        ss << in.rdbuf();
        std::vector<YamlDocument> docs;
        Diagnostics d;
        auto name = std::make_shared<const std::string>(f);
        if (!parse_yaml(ss.str(), name, docs, d) || docs.empty() || !docs[0].root.is_seq()) {
            Case bad;
            bad.file = f;
            bad.id = "FIXTURE-FILE-BROKEN";
            bad.error = "fixture file does not parse: " + (d.empty() ? "" : d[0].message);
            out.push_back(bad);
            continue;
        }
        for (auto& c : docs[0].root.items) {
            Case k;
            k.file = f;
            k.line = c.line;
            if (auto* v = c.get("id")) k.id = v->text;
            if (auto* v = c.get("rule")) k.rule = v->text;
            if (auto* v = c.get("match"))
                for (auto& e : v->items) k.match.push_back(test::yaml_to_json(e));
            if (auto* v = c.get("nomatch"))
                for (auto& e : v->items) k.nomatch.push_back(test::yaml_to_json(e));
            if (auto* v = c.get("error")) k.error = v->text;
            if (auto* v = c.get("warning")) k.warning = v->text;
            if (auto* v = c.get("error_line")) k.error_line = uint32_t(v->i);
            if (auto* v = c.get("rules")) k.rules = size_t(v->i);
            out.push_back(k);
        }
    }
    return out;
}

std::string with_defaults(const std::string& rule) {
    // Cases may omit title and logsource; add them so the case tests one thing.
    std::string r = rule;
    bool multi = r.find("\n---") != std::string::npos;
    if (multi) return r;
    std::string pre;
    if (r.find("title:") == std::string::npos) pre += "title: conformance case\n";
    if (r.find("logsource:") == std::string::npos && r.find("correlation:") == std::string::npos)
        pre += "logsource:\n    product: test\n";
    return pre + r;
}

class Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(Conformance, Case) {
    const Case& c = GetParam();
    SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + " " + c.id);
    ASSERT_NE(c.id, "FIXTURE-FILE-BROKEN") << c.error;
    SigmaCollection col;
    std::string text = with_defaults(c.rule);
    uint32_t shift = 0;
    for (size_t p = 0; p < text.size() && text.compare(p, c.rule.size(), c.rule) != 0; ++p)
        if (text[p] == '\n') ++shift;
    load_sigma_text(text, "case.yml", col);
    link_sigma_collection(col);
    std::string all_diags;
    for (auto& d : col.diagnostics)
        all_diags += d.loc.str() + " " + d.code + ": " + d.message + "\n";
    if (!c.error.empty()) {
        bool found = false;
        for (auto& d : col.diagnostics)
            if (d.severity == Severity::Error && d.code == c.error &&
                (!c.error_line || d.loc.line == c.error_line + shift))
                found = true;
        EXPECT_TRUE(found) << "expected error " << c.error
                           << (c.error_line ? " at line " + std::to_string(c.error_line) : "")
                           << ", got:\n"
                           << all_diags;
        return;
    }
    if (!c.warning.empty()) {
        bool found = false;
        for (auto& d : col.diagnostics)
            if (d.code == c.warning) found = true;
        EXPECT_TRUE(found) << "expected warning " << c.warning << ", got:\n" << all_diags;
    }
    for (auto& d : col.diagnostics) ASSERT_NE(d.severity, Severity::Error) << all_diags;
    std::vector<const Rule*> dets;
    for (auto& r : col.rules)
        if (r.kind == RuleKind::Detection) dets.push_back(&r);
    ASSERT_EQ(dets.size(), c.rules) << all_diags;
    if (c.match.empty() && c.nomatch.empty()) return;
    const Rule& r = *dets.back();
    for (auto& e : c.match)
        EXPECT_TRUE(rule_matches(r, e))
            << "should match: " << e.dump() << "\nIR: " << to_string(r.expr());
    for (auto& e : c.nomatch)
        EXPECT_FALSE(rule_matches(r, e))
            << "should not match: " << e.dump() << "\nIR: " << to_string(r.expr());
}

std::string case_name(const ::testing::TestParamInfo<Case>& i) {
    std::string n = i.param.id + "_" + std::to_string(i.index);
    for (auto& ch : n)
        if (!std::isalnum((unsigned char)ch)) ch = '_';
    return n;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Conformance, ::testing::ValuesIn(load_cases()), case_name);

}  // namespace
