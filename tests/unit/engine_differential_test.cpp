// tests/unit/engine_differential_test.cpp — the compiled engine against the
// reference interpreter: every rule × every event must give the same verdict
// (reference: evaluate(logsource_condition and rule.expr(), event.to_json())).
// Events: the conformance fixtures, SigmaHQ regression_data, and a sample of
// the OTRF JSON lines; rules: the fixtures' and all SigmaHQ Windows rules.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sigil/engine.h"
#include "sigil/eval.h"
#include "sigil/hunt.h"
#include "sigil/jsonl.h"
#include "sigil/sigma.h"
#include "sigil/yaml.h"
#include "yaml_json.h"

using namespace sigil;
namespace fs = std::filesystem;

namespace {

std::string shared_dir() {
    return SIGIL_SHARED_DIR;
}

// An owned event (the Event view points into it).
struct OwnedEvent {
    std::vector<std::pair<std::string, std::string>> kv;
    std::vector<bool> nulls;
    Event view() const {
        Event e;
        for (size_t i = 0; i < kv.size(); ++i)
            e.fields.push_back(EventField{kv[i].first, kv[i].second, bool(nulls[i])});
        return e;
    }
};

OwnedEvent own(const Event& e) {
    OwnedEvent o;
    for (auto& f : e.fields) {
        o.kv.emplace_back(std::string(f.name), std::string(f.value));
        o.nulls.push_back(f.is_null);
    }
    return o;
}

struct Differential {
    const std::vector<Rule>* rules = nullptr;
    std::shared_ptr<const CompiledRuleSet> compiled;
    std::unique_ptr<RuleMatcher> matcher;
    // The same options with each prefilter engine forced: both must give
    // the reference's verdicts too.
    std::vector<std::unique_ptr<RuleMatcher>> engines;
    std::vector<ExprPtr> reference;  // per rule: gate and condition (null: not a detection)
    size_t events = 0, matches = 0, mismatches = 0;
    std::string first_mismatch;

    explicit Differential(const std::vector<Rule>& rs, EngineOptions opts = {}) : rules(&rs) {
        Diagnostics d;
        compiled = CompiledRuleSet::compile(rs, d, opts);
        matcher = std::make_unique<RuleMatcher>(compiled);
        if (opts.prefilter && opts.prefilter_engine == PrefilterEngine::Auto) {
            for (PrefilterEngine pe : {PrefilterEngine::Hyperscan, PrefilterEngine::Scanner}) {
                EngineOptions o = opts;
                o.prefilter_engine = pe;
                engines.push_back(
                    std::make_unique<RuleMatcher>(CompiledRuleSet::compile(rs, d, o)));
            }
        }
        for (auto& r : rs) {
            if (r.kind != RuleKind::Detection) {
                reference.push_back(nullptr);
                continue;
            }
            ExprPtr gate = opts.logsource_gate ? logsource_condition(r.logsource) : nullptr;
            reference.push_back(gate ? Expr::make_and({gate, r.expr()}) : r.expr());
        }
    }

    void check(const Event& ev) {
        ++events;
        std::vector<uint32_t> got;
        matcher->match(ev, got);
        nlohmann::json j = ev.to_json();
        std::vector<uint32_t> want;
        for (uint32_t i = 0; i < reference.size(); ++i)
            if (reference[i] && evaluate(reference[i], j)) want.push_back(i);
        matches += want.size();
        for (auto& m : engines) {
            std::vector<uint32_t> other;
            m->match(ev, other);
            if (other != want) got = other;  // reported below as a mismatch
        }
        if (got != want) {
            ++mismatches;
            if (first_mismatch.empty()) {
                std::ostringstream os;
                os << "event " << j.dump().substr(0, 600) << "\n engine:";
                for (auto r : got) os << " " << (*rules)[r].title;
                os << "\n reference:";
                for (auto r : want) os << " " << (*rules)[r].title;
                first_mismatch = os.str();
            }
        }
    }
};

std::vector<Rule> load_rules(const std::vector<std::string>& paths) {
    SigmaCollection c;
    load_sigma_paths(paths, c);
    return std::move(c.rules);
}

// Every field of a JSON object as Event fields: scalars as text, arrays as
// repeated names, nested objects as dotted names.
void flatten(const nlohmann::json& v, const std::string& name, OwnedEvent& out) {
    if (v.is_object()) {
        for (auto& [k, x] : v.items()) flatten(x, name.empty() ? k : name + "." + k, out);
    } else if (v.is_array()) {
        for (auto& x : v) flatten(x, name, out);
    } else {
        out.kv.emplace_back(name, v.is_string() ? v.get<std::string>()
                                  : v.is_null() ? ""
                                                : v.dump());
        out.nulls.push_back(v.is_null());
    }
}

}  // namespace

// Conformance fixtures: each case's rule against every event of every case
// (so each rule also sees events written for other rules).
TEST(EngineDifferential, ConformanceFixtures) {
    std::string dir = std::string(SIGIL_TEST_DIR) + "/fixtures/conformance";
    std::vector<Rule> rules;
    std::vector<OwnedEvent> events;
    for (auto& f : fs::directory_iterator(dir)) {
        if (f.path().extension() != ".yml") continue;
        std::ifstream in(f.path());
        std::stringstream ss;
        ss << in.rdbuf();
        std::vector<YamlDocument> docs;
        Diagnostics d;
        if (!parse_yaml(ss.str(), std::make_shared<const std::string>(f.path().string()), docs,
                        d) ||
            docs.empty() || !docs[0].root.is_seq())
            continue;
        for (auto& c : docs[0].root.items) {
            const YamlNode* rule = c.get("rule");
            if (!rule) continue;
            std::string text = rule->text;
            if (text.find("\n---") == std::string::npos) {
                if (text.find("title:") == std::string::npos) text = "title: case\n" + text;
                if (text.find("logsource:") == std::string::npos &&
                    text.find("correlation:") == std::string::npos)
                    text = "logsource:\n    product: test\n" + text;
            }
            SigmaCollection col;
            load_sigma_text(text, f.path().string(), col);
            link_sigma_collection(col);
            for (auto& r : col.rules)
                if (r.kind == RuleKind::Detection) rules.push_back(r);
            for (const char* key : {"match", "nomatch"})
                if (auto* evs = c.get(key))
                    for (auto& e : evs->items) {
                        OwnedEvent o;
                        flatten(test::yaml_to_json(e), "", o);
                        events.push_back(std::move(o));
                    }
        }
    }
    ASSERT_FALSE(rules.empty());
    ASSERT_FALSE(events.empty());
    Differential diff(rules);
    for (auto& e : events) diff.check(e.view());
    EXPECT_EQ(diff.mismatches, 0u) << diff.first_mismatch;
    EXPECT_GT(diff.matches, 0u);
}

// SigmaHQ Windows rules over the regression_data events.
TEST(EngineDifferential, SigmaRegressionData) {
    std::string corpus = shared_dir() + "/corpus/sigma";
    if (!fs::exists(corpus)) GTEST_SKIP() << "shared corpus absent";
    auto rules = load_rules({corpus + "/rules/windows"});
    ASSERT_GT(rules.size(), 2000u);
    Differential diff(rules);
    for (auto& f : fs::recursive_directory_iterator(corpus + "/regression_data/rules")) {
        if (f.path().extension() != ".json") continue;
        Diagnostics d;
        read_json_file(
            f.path().string(),
            [&](const Event& e) {
                diff.check(e);
                return true;
            },
            d);
    }
    EXPECT_GT(diff.events, 150u);
    EXPECT_EQ(diff.mismatches, 0u) << diff.first_mismatch;
    EXPECT_GT(diff.matches, 150u);  // regression events are made to match their rules
}

// SigmaHQ Windows rules over a sample of the OTRF JSON lines (every 250th
// event of every file), and the same without gate and prefilter.
TEST(EngineDifferential, OtrfSample) {
    std::string archive = shared_dir() + "/logs/otrf-windows-jsonl.tar.zst";
    std::string corpus = shared_dir() + "/corpus/sigma/rules/windows";
    if (!fs::exists(archive) || !fs::exists(corpus)) GTEST_SKIP() << "shared logs absent";
    fs::path tmp = fs::temp_directory_path() / ("sigil-otrf-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    std::string cmd = "tar --zstd -xf '" + archive + "' -C '" + tmp.string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto rules = load_rules({corpus});
    Differential diff(rules);
    EngineOptions plain;
    plain.prefilter = false;
    Differential diff_plain(rules, plain);
    size_t seen = 0;
    for (auto& f : fs::recursive_directory_iterator(tmp)) {
        if (!f.is_regular_file()) continue;
        Diagnostics d;
        read_json_file(
            f.path().string(),
            [&](const Event& e) {
                if (seen++ % 250 == 0) {
                    diff.check(e);
                    diff_plain.check(e);
                }
                return true;
            },
            d);
    }
    fs::remove_all(tmp);
    EXPECT_GT(diff.events, 500u);
    EXPECT_EQ(diff.mismatches, 0u) << diff.first_mismatch;
    EXPECT_EQ(diff_plain.mismatches, 0u) << diff_plain.first_mismatch;
    EXPECT_GT(diff.matches, 0u);
}

// The two prefilter engines, forced, over every record of the hayabusa EVTX
// corpus with all SigmaHQ Windows rules: the same detections event by event
// (the CLI's CSV is compared in tests/cli/hunt_basic.sh).
TEST(EnginePrefilterEngines, SameDetectionsOnHayabusaEvtx) {
    std::string archive = shared_dir() + "/logs/hayabusa-sample-evtx.tar.zst";
    std::string corpus = shared_dir() + "/corpus/sigma/rules/windows";
    if (!fs::exists(archive) || !fs::exists(corpus)) GTEST_SKIP() << "shared logs absent";
    if (!evtx_supported()) GTEST_SKIP() << "no EVTX reader in this build";
    fs::path tmp = fs::temp_directory_path() / ("sigil-engines-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    std::string cmd = "tar --zstd -xf '" + archive + "' -C '" + tmp.string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto rules = load_rules({corpus});
    Diagnostics d;
    EngineOptions hs, own;
    hs.prefilter_engine = PrefilterEngine::Hyperscan;
    own.prefilter_engine = PrefilterEngine::Scanner;
    auto cs_hs = CompiledRuleSet::compile(rules, d, hs);
    auto cs_own = CompiledRuleSet::compile(rules, d, own);
    RuleMatcher m_hs(cs_hs), m_own(cs_own);
    std::vector<std::string> files;
    collect_log_files({tmp.string()}, files, d);
    size_t events = 0, hits = 0, differ = 0;
    std::vector<uint32_t> a, b;
    for (auto& f : files)
        read_log_file(
            f,
            [&](const Event& e) {
                a.clear();
                b.clear();
                m_hs.match(e, a);
                m_own.match(e, b);
                ++events;
                hits += a.size();
                differ += a != b;
                return true;
            },
            d);
    fs::remove_all(tmp);
    EXPECT_EQ(events, 24661u);
    EXPECT_EQ(hits, 6087u);
    EXPECT_EQ(differ, 0u);
    EXPECT_GT(cs_hs->cache_stats().built, 30u);
    EXPECT_EQ(cs_hs->cache_stats().scanners, 0u);
    EXPECT_GT(cs_own->cache_stats().scanners, 30u);
    EXPECT_EQ(cs_own->cache_stats().built, 0u);
    EXPECT_GT(m_own.scanned(), 10'000'000u);
}

// SigmaHQ Windows rules over a sample of the hayabusa EVTX corpus (every
// 25th record), read by the EVTX reader.
TEST(EngineDifferential, HayabusaEvtxSample) {
    std::string archive = shared_dir() + "/logs/hayabusa-sample-evtx.tar.zst";
    std::string corpus = shared_dir() + "/corpus/sigma/rules/windows";
    if (!fs::exists(archive) || !fs::exists(corpus)) GTEST_SKIP() << "shared logs absent";
    if (!evtx_supported()) GTEST_SKIP() << "no EVTX reader in this build";
    fs::path tmp = fs::temp_directory_path() / ("sigil-hayabusa-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    std::string cmd = "tar --zstd -xf '" + archive + "' -C '" + tmp.string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto rules = load_rules({corpus});
    Differential diff(rules);
    std::vector<std::string> files;
    Diagnostics d;
    collect_log_files({tmp.string()}, files, d);
    size_t seen = 0;
    for (auto& f : files)
        read_log_file(
            f,
            [&](const Event& e) {
                if (seen++ % 25 == 0) diff.check(e);
                return true;
            },
            d);
    fs::remove_all(tmp);
    EXPECT_GT(files.size(), 500u);
    EXPECT_GT(diff.events, 900u);
    EXPECT_EQ(diff.mismatches, 0u) << diff.first_mismatch;
    EXPECT_GT(diff.matches, 100u);
}
