// tests/unit/engine_tables_cache_test.cpp — the compiled tables read back from
// EngineOptions::tables_file must be the tables compile() builds: the same
// predicates (pointing at the same rule predicates), nodes, atoms, groups,
// gate, statistics and warnings, the same matches; a stale, damaged or
// other-options file is ignored and rewritten.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/compiled.h"
#include "sigil/engine.h"
#include "sigil/rules.h"
#include "sigil/sigma.h"

using namespace sigil;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/sigil-tables-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Everything compile() decides, as text (predicates by their source
// predicate's address: the same rules are compiled every time).
std::string dump(const CompiledRuleSet& cs, const Diagnostics& d) {
    const auto& im = *cs.impl_;
    std::string o;
    auto num = [&](auto v) { o += std::to_string(v) + ","; };
    std::vector<std::string> names(im.field_ids.size());
    for (auto& [n, id] : im.field_ids) names.at(size_t(id)) = n;
    for (auto& n : names) o += n + ",";
    num(im.channel_field);
    num(im.eventid_field);
    o += "\npreds\n";
    for (auto& c : im.preds) {
        o += std::to_string(reinterpret_cast<uintptr_t>(c.src)) + " ";
        num(int(c.kind));
        num(c.field);
        num(c.ref_field);
        num(c.cased);
        o += c.lit + ",";
        num(c.num);
        num(c.re_literals);
        for (auto& a : c.re_atoms) o += a + "|";
        num(bool(c.re));
        num(bool(c.net));
        for (auto& l : c.glob.literals()) o += l + "*";
        o += "\n";
    }
    o += "nodes\n";
    for (auto& n : im.nodes) {
        num(int(n.kind));
        num(n.first);
        num(n.count);
        num(n.pred);
        o += ";";
    }
    for (auto k : im.kids) num(k);
    o += "\nrules\n";
    for (auto& cr : im.crules) {
        num(cr.rule);
        num(cr.root);
        num(cr.gated);
        num(cr.has_atoms);
        num(cr.keyword_atoms);
        for (auto a : cr.atoms) o += im.atom_text.at(a) + "|";
        for (auto f : cr.atom_fields) num(f);
        o += "\n";
    }
    for (auto& f : im.rule_fields)
        for (auto& s : f) o += s + ",";
    o += "\ngroups ";
    num(im.ungated_group);
    for (auto& g : im.groups) {
        for (auto r : g.rules) num(r);
        o += "/";
        for (auto r : g.always) num(r);
        o += "/";
        for (auto a : g.atom_global) o += im.atom_text.at(a) + "|";
        for (auto& l : g.atom_rules) {
            for (auto r : l) num(r);
            o += ";";
        }
        for (auto k : g.atom_keyword) num(int(k));
        for (auto k : g.scan_field) num(int(k));
        num(g.full);
        num(bool(g.pf));
        o += "\n";
    }
    std::map<std::string, std::map<std::string, std::vector<uint32_t>>> gate;
    for (auto& [ch, ids] : im.gate)
        for (auto& [id, gs] : ids) gate[ch][id] = gs;
    for (auto& [ch, ids] : gate)
        for (auto& [id, gs] : ids) {
            o += ch + "/" + id + ":";
            for (auto g : gs) num(g);
        }
    o += "\natoms ";
    for (auto& a : im.atom_text) o += a + "|";
    const EngineStats& st = cs.stats();
    o += "\nstats ";
    for (size_t v : {st.detection_rules, st.correlation_rules, st.skipped_rules, st.gated_rules,
                     st.predicates, st.unique_predicates, st.atoms, st.rules_with_atoms})
        num(v);
    o += "\ndiags\n";
    for (auto& x : d)
        o += std::to_string(int(x.severity)) + x.code + ": " + x.message + " @" + x.loc.str() +
             " [" + x.rule + "]\n";
    return o;
}

std::shared_ptr<const CompiledRuleSet> compile(const std::vector<Rule>& rules, Diagnostics& d,
                                               const std::string& file, uint64_t key,
                                               bool prefilter = true) {
    EngineOptions o;
    o.tables_file = file;
    o.tables_key = key;
    o.prefilter = prefilter;
    return CompiledRuleSet::compile(rules, d, o);
}

// Rules covering every kind of compiled predicate, a regex only PCRE2 runs
// and a warning.
const char* kRules = R"(
title: kinds
logsource: {product: windows, category: process_creation}
detection:
  a: {Image|endswith: '\cmd.exe', CommandLine|contains|all: [' /c ', 'whoami']}
  b: {CommandLine|re: 'Invoke-\w+Mimikatz', ParentImage|startswith: 'C:\Windows\'}
  c: {DestinationIp|cidr: '10.0.0.0/8', DestinationPort|gt: 1000, User|cased: 'SYSTEM'}
  d: {CommandLine: 'pa*ss?word', TargetFilename|fieldref: Image, Hashes|exists: true}
  e: ['mimi*katz', 'sekurlsa']
  f: {EventID: 4688, IsAdmin: true, Opt: null, Ratio: 1.5}
  condition: a or b or (c and not d) or e or f
---
title: placeholder
logsource: {product: windows, category: process_creation}
detection:
  sel: {User|expand: '%admins%'}
  condition: sel
---
title: pcre-regex
logsource: {product: windows, service: security}
detection:
  sel: {CommandLine|re: '(?<=a)b(?=c)'}
  condition: sel
---
title: keyword-regex
logsource: {product: linux}
detection:
  keywords: ['evil*pass', 'x']
  sel: {'|re': 'root[0-9]+x'}
  condition: keywords or sel
)";

std::vector<Rule> load(const std::string& text) {
    SigmaCollection c;
    load_sigma_text(text, "t.yml", c);
    link_sigma_collection(c);
    return std::move(c.rules);
}

std::vector<uint32_t> match(const std::shared_ptr<const CompiledRuleSet>& cs,
                            std::vector<EventField> fields) {
    RuleMatcher m(cs);
    Event e;
    e.fields = std::move(fields);
    std::vector<uint32_t> out;
    m.match(e, out);
    return out;
}

}  // namespace

TEST(EngineTablesCache, ReadBackTablesEqualCompiledOnes) {
    TempDir tmp;
    std::string file = (tmp.path / "sub" / "t.tables").string();
    std::vector<Rule> rules = load(kRules);
    ASSERT_EQ(rules.size(), 4u);
    Diagnostics d0, d1, d2;
    auto plain = compile(rules, d0, "", 0);
    auto cold = compile(rules, d1, file, 42);
    EXPECT_FALSE(cold->cache_stats().tables_loaded);
    EXPECT_TRUE(cold->cache_stats().tables_stored);
    auto warm = compile(rules, d2, file, 42);
    EXPECT_TRUE(warm->cache_stats().tables_loaded);
    EXPECT_FALSE(warm->cache_stats().tables_stored);
    std::string want = dump(*plain, d0);
    EXPECT_NE(want.find("engine.placeholder.unresolved"), std::string::npos);
    EXPECT_EQ(dump(*cold, d1), want);
    EXPECT_EQ(dump(*warm, d2), want);

    std::vector<std::vector<EventField>> events = {
        {{"Channel", "Microsoft-Windows-Sysmon/Operational", false},
         {"EventID", "1", false},
         {"Image", "C:\\Windows\\System32\\CMD.EXE", false},
         {"CommandLine", "cmd /c whoami", false}},
        {{"Channel", "Security", false},
         {"EventID", "4688", false},
         {"CommandLine", "powershell Invoke-XMimikatz", false},
         {"ParentImage", "c:\\windows\\explorer.exe", false}},
        {{"Channel", "Security", false},
         {"EventID", "4688", false},
         {"DestinationIp", "10.1.2.3", false},
         {"DestinationPort", "4444", false},
         {"User", "SYSTEM", false}},
        {{"Channel", "Security", false},
         {"EventID", "4688", false},
         {"IsAdmin", "true", false},
         {"Ratio", "1.5", false}},
        {{"Message", "root42x logged in", false}},
        {{"Message", "found mimiXkatz and evil-pass", false}},
        {{"Channel", "Security", false}, {"EventID", "4688", false}, {"CommandLine", "abc", false}},
    };
    size_t matched = 0;
    for (auto& ev : events) {
        auto want_m = match(plain, ev);
        matched += !want_m.empty();
        EXPECT_EQ(match(warm, ev), want_m);
    }
    EXPECT_GE(matched, 6u);
}

TEST(EngineTablesCache, StaleDamagedOrOtherOptionsAreRebuilt) {
    TempDir tmp;
    std::string file = (tmp.path / "t.tables").string();
    std::vector<Rule> rules = load(kRules);
    Diagnostics d0;
    std::string want = dump(*compile(rules, d0, "", 0), d0);
    {
        Diagnostics d;
        ASSERT_TRUE(compile(rules, d, file, 7)->cache_stats().tables_stored);
    }
    auto again = [&](uint64_t key, bool prefilter = true) {
        Diagnostics d;
        auto cs = compile(rules, d, file, key, prefilter);
        return std::make_pair(cs->cache_stats(), prefilter ? dump(*cs, d) : std::string());
    };
    // another key (the rule files changed): compiled, rewritten
    auto [st, text] = again(8);
    EXPECT_FALSE(st.tables_loaded);
    EXPECT_TRUE(st.tables_stored);
    EXPECT_EQ(text, want);
    // other options: not the same tables
    EXPECT_FALSE(again(8, false).first.tables_loaded);
    ASSERT_TRUE(again(8).first.tables_stored);
    EXPECT_TRUE(again(8).first.tables_loaded);
    // damaged: every tenth byte flipped in turn, then truncated
    std::string bytes;
    {
        std::ifstream in(file, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    ASSERT_GT(bytes.size(), 100u);
    for (size_t at = 0; at < bytes.size(); at += std::max<size_t>(bytes.size() / 10, 1)) {
        std::string bad = bytes;
        bad[at] = char(bad[at] ^ 0x5A);
        std::ofstream(file, std::ios::binary | std::ios::trunc) << bad;
        auto [s2, t2] = again(8);
        EXPECT_FALSE(s2.tables_loaded) << "byte " << at;
        EXPECT_EQ(t2, want) << "byte " << at;
    }
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
    auto [s3, t3] = again(8);
    EXPECT_FALSE(s3.tables_loaded);
    EXPECT_EQ(t3, want);
    EXPECT_TRUE(again(8).first.tables_loaded);  // rewritten whole
}

TEST(EngineTablesCache, SigmaHQWindowsRules) {
    std::string root = std::string(SIGIL_SHARED_DIR) + "/corpus/sigma/rules/windows";
    if (!fs::exists(root)) GTEST_SKIP() << "no shared corpus";
    TempDir tmp;
    std::string file = (tmp.path / "t.tables").string();
    RuleSet set;
    load_rules({root}, set);
    ASSERT_GT(set.rules.size(), 2000u);
    Diagnostics d0, d1, d2;
    auto plain = compile(set.rules, d0, "", 0);
    compile(set.rules, d1, file, 1);
    auto warm = compile(set.rules, d2, file, 1);
    EXPECT_TRUE(warm->cache_stats().tables_loaded);
    EXPECT_EQ(dump(*warm, d2), dump(*plain, d0));
}
