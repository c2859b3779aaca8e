// cli/spl.cpp — `sigil spl PATH...`: load Splunk detections (security_content
// and Armory YAML) and print their stages, conditions, search terms and
// diagnostics; `--stats` prints load figures and diagnostic counts.
#include "sigil/spl.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace sigil::cli {

namespace {

struct SplArgs {
    std::vector<std::string> paths;
    std::string format = "text";
    bool stats = false;
    bool quiet = false;
};

nlohmann::json rule_json(const Rule& r) {
    nlohmann::json j;
    j["id"] = r.id;
    j["title"] = r.title;
    j["source"] = rule_source_name(r.source);
    j["path"] = r.loc.file ? *r.loc.file : "";
    j["tags"] = r.tags;
    j["query"] = r.condition_text.empty() ? "" : r.condition_text[0];
    auto& st = j["stages"] = nlohmann::json::array();
    for (size_t i = 0; i < r.stages.size(); ++i) {
        const Stage& s = r.stages[i];
        nlohmann::json x{{"n", i + 1}, {"command", s.command}, {"text", s.text}};
        if (s.expr) x["expr"] = to_string(s.expr);
        st.push_back(std::move(x));
    }
    j["condition"] = r.conditions.empty() ? "" : to_string(r.conditions[0]);
    auto& preds = j["predicates"] = nlohmann::json::array();
    std::vector<const Pred*> ps;
    if (!r.conditions.empty()) collect_preds(r.conditions[0], ps);
    for (auto* p : ps)
        preds.push_back({{"field", p->field},
                         {"op", op_name(p->op)},
                         {"value", p->value.text()},
                         {"loc", p->loc.str()}});
    auto& terms = j["search_terms"] = nlohmann::json::array();
    for (auto& t : spl_search_terms(r)) terms.push_back({{"stage", t.stage}, {"term", t.term}});
    return j;
}

void print_text(const Rule& r) {
    std::printf("%s: %s [%s]\n", r.loc.str().c_str(), r.title.c_str(), rule_source_name(r.source));
    for (size_t i = 0; i < r.stages.size(); ++i) {
        const Stage& s = r.stages[i];
        std::printf("  stage %zu: %s\n    %s\n", i + 1, s.command.c_str(), s.text.c_str());
        if (s.expr) std::printf("    where: %s\n", to_string(s.expr).c_str());
    }
    if (!r.conditions.empty()) std::printf("  condition: %s\n", to_string(r.conditions[0]).c_str());
    for (auto& t : spl_search_terms(r))
        std::printf("  search term (stage %zu): %s\n", t.stage, t.term.c_str());
}

}  // namespace

void register_spl(CLI::App& app, int& rc) {
    auto args = std::make_shared<SplArgs>();
    auto* sub = app.add_subcommand(
        "spl", "Parse Splunk detections (security_content, Armory) and show stages and predicates");
    sub->add_option("paths", args->paths, "YAML files or directories")->required();
    sub->add_option("--format", args->format, "text or json")
        ->check(CLI::IsMember({"text", "json"}));
    sub->add_flag("--stats", args->stats, "print load figures and diagnostic counts only");
    sub->add_flag("-q,--quiet", args->quiet, "do not print diagnostics");
    sub->callback([args, &rc] {
        auto t0 = std::chrono::steady_clock::now();
        SplCollection c;
        load_splunk_paths(args->paths, c);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!args->quiet && !args->stats)
            for (auto& d : c.diagnostics)
                std::fprintf(stderr, "%s: %s: %s [%s]%s%s\n", d.loc.str().c_str(),
                             severity_name(d.severity), d.message.c_str(), d.code.c_str(),
                             d.rule.empty() ? "" : " in ", d.rule.c_str());
        if (args->stats) {
            std::map<std::string, size_t> codes;
            for (auto& d : c.diagnostics) ++codes[d.code];
            const auto& s = c.stats;
            if (args->format == "json") {
                nlohmann::json j{{"files", s.files},
                                 {"rules_loaded", s.rules_loaded},
                                 {"rules_failed", s.rules_failed},
                                 {"ssc_rules", s.ssc_rules},
                                 {"armory_rules", s.armory_rules},
                                 {"armory_sql_rules", s.armory_sql_rules},
                                 {"with_predicates", s.with_predicates},
                                 {"macros", s.macros},
                                 {"data_sources", s.data_sources},
                                 {"seconds", secs},
                                 {"diagnostics", codes}};
                std::printf("%s\n", j.dump(2).c_str());
            } else {
                std::printf(
                    "files %zu, rules %zu (security_content %zu, armory %zu of which sql %zu), "
                    "failed %zu, with predicates %zu, macros %zu, data sources %zu, %.3f s\n",
                    s.files, s.rules_loaded, s.ssc_rules, s.armory_rules, s.armory_sql_rules,
                    s.rules_failed, s.with_predicates, s.macros, s.data_sources, secs);
                for (auto& [k, v] : codes) std::printf("%8zu %s\n", v, k.c_str());
            }
        } else if (args->format == "json") {
            nlohmann::json arr = nlohmann::json::array();
            for (auto& r : c.rules) arr.push_back(rule_json(r));
            std::printf("%s\n", arr.dump(2).c_str());
        } else {
            for (auto& r : c.rules) print_text(r);
        }
        bool err = false;
        for (auto& d : c.diagnostics) err |= d.severity == Severity::Error;
        rc = err ? kFindings : kOk;
    });
}

}  // namespace sigil::cli
