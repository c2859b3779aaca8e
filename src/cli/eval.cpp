// cli/eval.cpp — `sigil eval`: runs rules over JSON-lines events with the
// reference interpreter (slow, exact). For checking a rule against a few
// events and for comparing executors; `sigil hunt` is the fast path.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "sigil/eval.h"
#include "sigil/rules.h"

namespace sigil::cli {

namespace {
struct EvalOptions {
    std::vector<std::string> rules, events;
    std::string format = "text";
};

int run_eval(const EvalOptions& o) {
    RuleSet set;
    load_rules(o.rules, set);
    size_t errors = 0;
    for (auto& d : set.diagnostics)
        if (d.severity == Severity::Error) {
            ++errors;
            std::fprintf(stderr, "%s: error %s: %s\n", d.loc.str().c_str(), d.code.c_str(),
                         d.message.c_str());
        }
    size_t events = 0, hits = 0, bad_lines = 0;
    for (auto& path : o.events) {
        std::ifstream in(path);
        if (!in) {
            std::fprintf(stderr, "%s: error io.open: cannot open file\n", path.c_str());
            return kRuntime;
        }
        std::string line;
        size_t lineno = 0;
        while (std::getline(in, line)) {
            ++lineno;
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            nlohmann::json ev = nlohmann::json::parse(line, nullptr, false);
            if (ev.is_discarded() || !ev.is_object()) {
                ++bad_lines;
                std::fprintf(stderr, "%s:%zu: error jsonl.syntax: not a JSON object\n",
                             path.c_str(), lineno);
                continue;
            }
            ++events;
            for (auto& r : set.rules) {
                if (r.kind != RuleKind::Detection || !rule_matches(r, ev)) continue;
                ++hits;
                if (o.format == "jsonl") {
                    nlohmann::json out = {{"file", path},   {"line", lineno},
                                          {"rule_id", r.id}, {"rule_title", r.title},
                                          {"level", r.level}, {"event", ev}};
                    std::puts(out.dump().c_str());
                } else {
                    std::printf("%s:%zu  %-8s  %s\n", path.c_str(), lineno,
                                r.level.empty() ? "-" : r.level.c_str(), r.title.c_str());
                }
            }
        }
    }
    std::fprintf(stderr, "%zu rules, %zu events, %zu matches, %zu unreadable lines\n",
                 set.rules.size(), events, hits, bad_lines);
    return errors || bad_lines ? kFindings : kOk;
}
}  // namespace

void register_eval(CLI::App& app, int& rc) {
    auto o = std::make_shared<EvalOptions>();
    auto* sub = app.add_subcommand(
        "eval", "Run rules over JSON-lines events with the reference interpreter (exact, slow)");
    sub->add_option("-r,--rules", o->rules, "Rule files or directories")->required();
    sub->add_option("events", o->events, "JSON-lines files, one event object per line")
        ->required();
    sub->add_option("--format", o->format, "Output format")
        ->check(CLI::IsMember({"text", "jsonl"}));
    sub->callback([o, &rc] { rc = run_eval(*o); });
}

}  // namespace sigil::cli
