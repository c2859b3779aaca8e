// cli/test.cpp — `sigil test PATH [-r RULES]...`: runs the SigmaHQ
// regression_data cases (info.yml: rule id, log file, expected match count)
// through the engine and reports pass/fail per case.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "sigil/engine.h"
#include "sigil/hunt.h"
#include "sigil/rules.h"
#include "sigil/yaml.h"

namespace sigil::cli {

namespace fs = std::filesystem;

namespace {

struct TestCliOptions {
    std::vector<std::string> paths, rules;
    std::string color = "auto";
    bool quiet = false;
};

// One expected outcome: a rule over one log file.
struct TestCase {
    std::string info;  // info.yml path
    std::string rule_id;
    std::string name;      // regression_tests_info name
    std::string log;       // resolved path
    int64_t expected = 0;  // -1: at least one
};

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower((unsigned char)c));
    return s;
}

// The folder that holds `regression_data` above (or at) p, or "".
fs::path find_root(fs::path p) {
    p = fs::absolute(p).lexically_normal();
    if (fs::is_regular_file(p)) p = p.parent_path();
    for (fs::path q = p; !q.empty(); q = q.parent_path()) {
        if (q.filename() == "regression_data") return q.parent_path();
        if (fs::is_directory(q / "regression_data")) return q;
        if (q == q.parent_path()) break;
    }
    return {};
}

/* Reads one info.yml. Each regression_tests_info entry names a log file
 * relative to the repository root (the folder holding regression_data); an
 * .evtx entry also yields the .json beside it, which holds the same records.
 */
void read_info(const fs::path& info, const fs::path& root, std::vector<TestCase>& out,
               Diagnostics& diags) {
    std::ifstream in(info);
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<YamlDocument> docs;
    auto file = std::make_shared<const std::string>(info.string());
    if (!parse_yaml(ss.str(), file, docs, diags) || docs.empty() || !docs[0].root.is_map()) return;
    const YamlNode& doc = docs[0].root;
    std::vector<std::string> ids;
    if (auto* meta = doc.get("rule_metadata"); meta && meta->is_seq())
        for (auto& m : meta->items)
            if (auto* id = m.get("id"); id && id->is_scalar()) ids.push_back(id->text);
    const YamlNode* tests = doc.get("regression_tests_info");
    if (!tests || !tests->is_seq()) return;  // no active case (e.g. commented out)
    if (ids.empty()) {
        Diagnostic d;
        d.code = "test.info.no_rule";
        d.message = "info.yml names no rule (rule_metadata[].id)";
        d.loc.file = file;
        diags.push_back(d);
        return;
    }
    for (auto& t : tests->items) {
        const YamlNode* path = t.get("path");
        const YamlNode* count = t.get("match_count");
        if (!path || (count && count->type != YamlNode::Type::Int)) {
            Diagnostic d;
            d.code = "test.info.case";
            d.message = "a regression_tests_info entry needs 'path' (and 'match_count' an integer)";
            d.loc.file = file;
            d.loc.line = t.line;
            d.loc.col = t.col;
            diags.push_back(d);
            continue;
        }
        TestCase c;
        c.info = info.string();
        c.rule_id = ids[0];
        if (auto* n = t.get("name")) c.name = n->text;
        c.expected = count ? count->i : -1;  // no count: at least one match
        fs::path log = root / path->text;
        if (!fs::exists(log)) log = info.parent_path() / fs::path(path->text).filename();
        std::vector<fs::path> logs = {log};
        if (lower(log.extension().string()) == ".evtx") {
            fs::path json = log;
            json.replace_extension(".json");
            if (fs::exists(json)) logs.push_back(json);
        }
        for (auto& l : logs) {
            c.log = l.string();
            out.push_back(c);
        }
    }
}

int run_test(const TestCliOptions& o) {
    Painter paint(o.color, stdout), err(o.color, stderr);
    std::vector<TestCase> cases;
    Diagnostics diags;
    std::vector<std::string> rule_paths = o.rules;
    for (auto& p : o.paths) {
        if (!fs::exists(p)) {
            std::fprintf(stderr, "%s: %s: no such file or directory\n",
                         err.severity(Severity::Error).c_str(), p.c_str());
            return kUsage;
        }
        fs::path root = find_root(p);
        if (root.empty()) root = fs::absolute(p);
        std::vector<fs::path> infos;
        if (fs::is_regular_file(p)) {
            infos.push_back(p);
        } else {
            for (auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().filename() == "info.yml")
                    infos.push_back(e.path());
        }
        std::sort(infos.begin(), infos.end());
        for (auto& i : infos) read_info(i, root, cases, diags);
        if (o.rules.empty() && fs::is_directory(root))
            for (auto& e : fs::directory_iterator(root)) {
                std::string n = e.path().filename().string();
                if (e.is_directory() && n.rfind("rules", 0) == 0)
                    rule_paths.push_back(e.path().string());
            }
    }
    std::sort(rule_paths.begin(), rule_paths.end());
    rule_paths.erase(std::unique(rule_paths.begin(), rule_paths.end()), rule_paths.end());
    for (auto& d : diags)
        std::fprintf(stderr, "%s: %s %s: %s\n", d.loc.str().c_str(),
                     err.severity(d.severity).c_str(), d.code.c_str(), d.message.c_str());
    if (cases.empty()) {
        std::fprintf(stderr,
                     "%s: no regression cases (info.yml with regression_tests_info) found\n",
                     err.severity(Severity::Error).c_str());
        return kUsage;
    }

    RuleSet set;
    load_rules(rule_paths, set);
    // Only the rules the cases name are compiled (each case counts its rule's hits).
    std::map<std::string, uint32_t> by_id;
    for (uint32_t i = 0; i < set.rules.size(); ++i)
        if (!set.rules[i].id.empty()) by_id.emplace(lower(set.rules[i].id), i);
    std::vector<Rule> selected;
    std::map<std::string, uint32_t> sel_index;
    for (auto& c : cases) {
        auto it = by_id.find(lower(c.rule_id));
        if (it == by_id.end() || sel_index.count(lower(c.rule_id))) continue;
        sel_index[lower(c.rule_id)] = uint32_t(selected.size());
        selected.push_back(set.rules[it->second]);
    }
    Diagnostics compile_diags;
    auto compiled = CompiledRuleSet::compile(selected, compile_diags);
    RuleMatcher matcher(compiled);

    size_t passed = 0, failed = 0, skipped = 0;
    std::vector<uint32_t> hits;
    for (auto& c : cases) {
        auto it = sel_index.find(lower(c.rule_id));
        std::string label = fs::relative(c.log, fs::path(c.info).parent_path()).string();
        std::string title = it == sel_index.end() ? c.rule_id : selected[it->second].title;
        if (lower(fs::path(c.log).extension().string()) == ".evtx" && !evtx_supported()) {
            ++skipped;
            if (!o.quiet)
                std::printf("%s  %s  %s (EVTX input not available in this build)\n",
                            paint.wrap("33", "SKIP").c_str(), title.c_str(), c.log.c_str());
            continue;
        }
        if (it == sel_index.end()) {
            ++failed;
            std::printf("%s  %s  %s: rule %s not found in %zu loaded rules\n",
                        paint.wrap("1;31", "FAIL").c_str(), c.rule_id.c_str(), c.log.c_str(),
                        c.rule_id.c_str(), set.rules.size());
            continue;
        }
        int64_t got = 0;
        Diagnostics read_diags;
        LogReadStats st = read_log_file(
            c.log,
            [&](const Event& ev) {
                hits.clear();
                matcher.match(ev, hits);
                for (uint32_t h : hits) got += h == it->second;
                return true;
            },
            read_diags);
        bool ok = st.file_ok && (c.expected < 0 ? got > 0 : got == c.expected);
        (ok ? passed : failed)++;
        if (!ok || !o.quiet)
            std::printf("%s  %s  %s (expected %s, got %lld)%s\n",
                        ok ? paint.wrap("32", "PASS").c_str() : paint.wrap("1;31", "FAIL").c_str(),
                        title.c_str(), c.log.c_str(),
                        c.expected < 0 ? "at least 1" : std::to_string(c.expected).c_str(),
                        (long long)got, st.file_ok ? "" : " [file could not be read]");
        for (auto& d : read_diags)
            std::fprintf(stderr, "%s: %s %s: %s\n", d.loc.str().c_str(),
                         err.severity(d.severity).c_str(), d.code.c_str(), d.message.c_str());
        (void)label;
    }
    for (auto& d : compile_diags)
        std::fprintf(stderr, "%s: %s %s: %s\n", d.loc.str().c_str(),
                     err.severity(d.severity).c_str(), d.code.c_str(), d.message.c_str());
    std::printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
    std::fflush(stdout);
    return failed ? kFindings : kOk;
}

}  // namespace

void register_test(CLI::App& app, int& rc) {
    auto o = std::make_shared<TestCliOptions>();
    auto* sub = app.add_subcommand(
        "test",
        "Run regression cases in the SigmaHQ regression_data layout: each info.yml names a rule\n"
        "by id, a log file (.evtx, and the .json beside it) and the expected number of matching\n"
        "events. Rules are looked up in the rules* folders beside regression_data, or in -r "
        "paths.\n"
        "Exit status: 0 all cases pass, 1 a case failed, 2 usage error.");
    sub->add_option("paths", o->paths, "regression_data folder, a folder below it, or an info.yml")
        ->required();
    sub->add_option("-r,--rules", o->rules, "Rule file or directory (repeat -r for more)")
        ->expected(1);
    sub->add_option("--color", o->color, "Colour output")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    sub->add_flag("-q,--quiet", o->quiet, "Print failures and the summary only");
    sub->callback([o, &rc] { rc = run_test(*o); });
}

}  // namespace sigil::cli
