// tests/unit/engine_cache_test.cpp — the hunt's speed-ups must not change
// results: regex prefilter literals (RE2 analysis), lazily built prefilter
// databases and their on-disk cache (stored, reloaded, a damaged entry
// rebuilt), and the rule cache giving the same rule set as load_rules().
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ir/values.h"
#include "sigil/engine.h"
#include "sigil/hunt.h"
#include "sigil/rules.h"
#include "sigil/sigma.h"

using namespace sigil;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/sigil-cache-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

std::vector<std::string> literals(const std::string& re, uint8_t flags, int expect) {
    std::vector<std::string> out;
    EXPECT_EQ(values::regex_required_literals(re, flags, 2, out), expect) << re;
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST(EngineRegexAtoms, RequiredLiterals) {
    // one of two required literals is enough; the longer is kept
    auto a = literals("foo.*barbaz", 0, 1);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], "barbaz");
    // alternatives: every branch needs its own literal
    EXPECT_EQ(literals("(abc|def)x+", 0, 1), (std::vector<std::string>{"abc", "def"}));
    // case-insensitive patterns give lowercase literals
    EXPECT_EQ(literals("(?i)PowerShell", 0, 1), (std::vector<std::string>{"powershell"}));
    EXPECT_EQ(literals("Invoke-\\w+Mimikatz", 0, 1), (std::vector<std::string>{"mimikatz"}));
    // nothing required
    literals(".*", 0, 0);
    literals("a|b+", 0, 0);
    literals("[0-9]{3}", 0, 0);
    // RE2 rejects lookarounds and backreferences
    literals("(?<=x)abc", 0, -1);
    literals("(ab)\\1", 0, -1);
}

TEST(EngineRegexAtoms, RegexRulesArePrefilteredAndStillMatch) {
    SigmaCollection c;
    load_sigma_text(R"(
title: re
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|re: 'Invoke-\w+Mimikatz'}
  condition: sel
---
title: re-any
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|re: '^[a-z]{4}$'}
  condition: sel
)",
                    "r.yml", c);
    link_sigma_collection(c);
    Diagnostics d;
    auto cs = CompiledRuleSet::compile(c.rules, d);
    EXPECT_EQ(cs->stats().rules_with_atoms, 1u);  // the first only
    RuleMatcher m(cs);
    auto match = [&](const std::string& cmd) {
        Event e;
        e.fields = {{"Channel", "Microsoft-Windows-Sysmon/Operational", false},
                    {"EventID", "1", false},
                    {"CommandLine", cmd, false}};
        std::vector<uint32_t> out;
        m.match(e, out);
        return out;
    };
    EXPECT_EQ(match("powershell Invoke-XMimikatz"), (std::vector<uint32_t>{0}));
    EXPECT_EQ(match("INVOKE-xMIMIKATZ"), (std::vector<uint32_t>{}));  // case-sensitive regex
    EXPECT_EQ(match("abcd"), (std::vector<uint32_t>{1}));
}

TEST(EnginePrefilterCache, StoredReloadedAndRebuilt) {
    TempDir tmp;
    SigmaCollection c;
    load_sigma_text(R"(
title: who
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
---
title: net
logsource: {product: windows, category: network_connection}
detection:
  sel: {DestinationHostname|contains: 'evil.example'}
  condition: sel
)",
                    "r.yml", c);
    link_sigma_collection(c);
    EngineOptions o;
    o.cache_dir = tmp.path.string();
    o.prefilter_engine = PrefilterEngine::Hyperscan;
    Event e;
    e.fields = {{"Channel", "Microsoft-Windows-Sysmon/Operational", false},
                {"EventID", "1", false},
                {"Image", "C:\\Windows\\System32\\WHOAMI.exe", false}};
    auto run = [&](EngineCacheStats& st) {
        Diagnostics d;
        auto cs = CompiledRuleSet::compile(c.rules, d, o);
        EXPECT_EQ(cs->cache_stats().built + cs->cache_stats().loaded, 0u);  // lazy
        RuleMatcher m(cs);
        std::vector<uint32_t> out;
        m.match(e, out);
        st = cs->cache_stats();
        return out;
    };
    EngineCacheStats st;
    // cold: only the process_creation group is built (the event reaches no other)
    EXPECT_EQ(run(st), (std::vector<uint32_t>{0}));
    EXPECT_EQ(st.built, 1u);
    EXPECT_EQ(st.stored, 1u);
    EXPECT_EQ(st.loaded, 0u);
    std::vector<fs::path> entries;
    for (auto& f : fs::directory_iterator(tmp.path)) entries.push_back(f.path());
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].filename().string().substr(0, 3), "hs-");
    // warm
    EXPECT_EQ(run(st), (std::vector<uint32_t>{0}));
    EXPECT_EQ(st.loaded, 1u);
    EXPECT_EQ(st.built, 0u);
    // damaged: one byte of the payload flipped → checksum fails → rebuilt
    {
        std::fstream f(entries[0], std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(100);
        char x = 0;
        f.read(&x, 1);
        f.seekp(100);
        x = char(x ^ 0x5a);
        f.write(&x, 1);
    }
    EXPECT_EQ(run(st), (std::vector<uint32_t>{0}));
    EXPECT_EQ(st.built, 1u);
    EXPECT_EQ(st.loaded, 0u);
    // all databases at once
    Diagnostics d;
    auto cs = CompiledRuleSet::compile(c.rules, d, o);
    cs->build_prefilters();
    EXPECT_EQ(cs->cache_stats().built + cs->cache_stats().loaded, 2u);
}

// PrefilterEngine::Auto: the own scanner on a cold small run (nothing
// written), a database from the cache when there is one, Hyperscan at once
// for a large input, and a group moved to Hyperscan once its scanned bytes
// pass the break-even budget; the detections never change.
TEST(EnginePrefilterChoice, AutoPicksByCacheInputAndBudget) {
    TempDir tmp;
    SigmaCollection c;
    load_sigma_text(R"(
title: who
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
---
title: enc
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|contains: ' -EncodedCommand '}
  condition: sel
)",
                    "r.yml", c);
    link_sigma_collection(c);
    auto event = [](const std::string& image, const std::string& cmd) {
        Event e;
        e.fields = {{"Channel", "Microsoft-Windows-Sysmon/Operational", false},
                    {"EventID", "1", false},
                    {"Image", image, false},
                    {"CommandLine", cmd, false}};
        return e;
    };
    std::string strings[2] = {"C:\\Windows\\System32\\WHOAMI.EXE", "powershell -encodedcommand AA"};
    auto entries = [&] {
        size_t n = 0;
        for (auto& f : fs::directory_iterator(tmp.path))
            n += f.path().filename().string()[0] == 'h';
        return n;
    };
    EngineOptions o;
    o.cache_dir = tmp.path.string();
    // cold, small input: the own scanner, nothing compiled or written
    {
        Diagnostics d;
        auto cs = CompiledRuleSet::compile(c.rules, d, o);
        RuleMatcher m(cs);
        std::vector<uint32_t> out;
        m.match(event(strings[0], strings[1]), out);
        EXPECT_EQ(out, (std::vector<uint32_t>{0, 1}));
        out.clear();
        m.match(event("C:\\x\\whoami.exe.bak", "cmd /c -EncodedCommand"), out);
        EXPECT_EQ(out, (std::vector<uint32_t>{}));
        EXPECT_EQ(cs->cache_stats().scanners, 1u);
        EXPECT_EQ(cs->cache_stats().built + cs->cache_stats().loaded, 0u);
        EXPECT_EQ(entries(), 0u);
    }
    // large input: compiled at once and cached
    {
        EngineOptions big = o;
        big.expected_input_bytes = uint64_t(4) << 30;
        Diagnostics d;
        auto cs = CompiledRuleSet::compile(c.rules, d, big);
        RuleMatcher m(cs);
        std::vector<uint32_t> out;
        m.match(event(strings[0], strings[1]), out);
        EXPECT_EQ(out, (std::vector<uint32_t>{0, 1}));
        EXPECT_EQ(cs->cache_stats().built, 1u);
        EXPECT_EQ(cs->cache_stats().scanners, 0u);
        EXPECT_EQ(entries(), 1u);
    }
    // small input again: the cached database is used
    {
        Diagnostics d;
        auto cs = CompiledRuleSet::compile(c.rules, d, o);
        RuleMatcher m(cs);
        std::vector<uint32_t> out;
        m.match(event(strings[0], strings[1]), out);
        EXPECT_EQ(out, (std::vector<uint32_t>{0, 1}));
        EXPECT_EQ(cs->cache_stats().loaded, 1u);
        EXPECT_EQ(cs->cache_stats().scanners, 0u);
    }
    // no cache, long values: the group starts on the scanner and moves to
    // Hyperscan past its budget (2 literals: a few MB of scanned text)
    {
        EngineOptions nc;
        Diagnostics d;
        auto cs = CompiledRuleSet::compile(c.rules, d, nc);
        RuleMatcher m(cs);
        std::string pad(256 * 1024, 'x');
        size_t hits = 0;
        for (int i = 0; i < 40; ++i) {
            std::vector<uint32_t> out;
            m.match(event(pad + (i % 2 ? "\\WhoAmI.exe" : ".exe"), pad + " -encodedCOMMAND "), out);
            EXPECT_EQ(out, (i % 2 ? std::vector<uint32_t>{0, 1} : std::vector<uint32_t>{1})) << i;
            hits += out.size();
        }
        EXPECT_EQ(hits, 60u);
        EXPECT_EQ(cs->cache_stats().scanners, 1u);
        EXPECT_EQ(cs->cache_stats().switched, 1u);
        EXPECT_EQ(cs->cache_stats().built, 1u);
        EXPECT_GT(m.scanned(), 20'000'000u);
    }
}

TEST(EngineRuleCache, SameRuleSetAsLoadRules) {
    TempDir tmp;
    fs::create_directories(tmp.path / "rules");
    write(tmp.path / "rules" / "a.yml", R"(title: A
id: 11111111-0000-0000-0000-000000000001
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\a.exe'}
  condition: sel
level: high
)");
    write(tmp.path / "rules" / "b.yml", R"(title: B broken
logsource: {product: windows}
detection:
  condition: nothing
)");
    write(tmp.path / "rules" / "c.yml", "just: text\n");
    write(tmp.path / "rules" / "f.yml", R"(title: filter A
logsource: {product: windows, category: process_creation}
filter:
  rules: [11111111-0000-0000-0000-000000000001]
  selection: {User: admin}
  condition: not selection
)");
    std::vector<std::string> paths = {(tmp.path / "rules").string(),
                                      (tmp.path / "missing").string()};
    auto summary = [](const RuleSet& s) {
        std::string out;
        for (auto& r : s.rules)
            out += r.title + "|" + r.level + "|" + (r.loc.file ? *r.loc.file : "") + ":" +
                   std::to_string(r.loc.line) + "|" + (r.expr() ? to_string(r.expr()) : "") + "\n";
        for (auto& d : s.diagnostics)
            out += d.code + "@" + (d.loc.file ? *d.loc.file : "") + ":" +
                   std::to_string(d.loc.line) + "\n";
        out += std::to_string(s.stats.files) + "/" + std::to_string(s.stats.documents) + "/" +
               std::to_string(s.stats.rules_loaded) + "/" + std::to_string(s.stats.rules_failed);
        return out;
    };
    RuleSet plain;
    load_rules(paths, plain);
    ASSERT_FALSE(plain.rules.empty());
    std::string cache = (tmp.path / "cache").string();
    RuleSet cold, warm;
    RuleCacheStats cs = load_rules_cached(paths, cache, cold);
    EXPECT_TRUE(cs.used);
    EXPECT_FALSE(cs.hit);
    EXPECT_TRUE(cs.stored);
    cs = load_rules_cached(paths, cache, warm);
    EXPECT_TRUE(cs.hit);
    EXPECT_EQ(summary(cold), summary(plain));
    EXPECT_EQ(summary(warm), summary(plain));
    // a changed file is parsed again
    write(tmp.path / "rules" / "a.yml", R"(title: A2
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\a2.exe'}
  condition: sel
)");
    RuleSet changed, changed_plain;
    cs = load_rules_cached(paths, cache, changed);
    EXPECT_FALSE(cs.hit);
    load_rules(paths, changed_plain);
    EXPECT_EQ(summary(changed), summary(changed_plain));
    EXPECT_NE(summary(changed), summary(plain));
}
