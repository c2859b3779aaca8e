// cli/check.cpp — `sigil check PATH...`: load rules, run validators, report
// every problem with its location as text, JSON or SARIF.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "sigil/rules.h"
#include "sigil/validate.h"

namespace sigil::cli {

namespace {

struct CheckOptions {
    std::vector<std::string> paths;
    std::string format = "text";
    std::string color = "auto";
    bool quiet = false;
    bool no_validators = false;
};

nlohmann::json sarif(const Diagnostics& diags) {
    nlohmann::json results = nlohmann::json::array();
    std::map<std::string, bool> rules;
    for (auto& d : diags) {
        rules[d.code] = true;
        nlohmann::json loc = {{"physicalLocation",
                               {{"artifactLocation", {{"uri", d.loc.file ? *d.loc.file : ""}}}}}};
        if (d.loc.line)
            loc["physicalLocation"]["region"] = {{"startLine", d.loc.line},
                                                 {"startColumn", d.loc.col ? d.loc.col : 1}};
        results.push_back({{"ruleId", d.code},
                           {"level", d.severity == Severity::Error     ? "error"
                                     : d.severity == Severity::Warning ? "warning"
                                                                       : "note"},
                           {"message", {{"text", d.message}}},
                           {"locations", {loc}}});
    }
    nlohmann::json rdesc = nlohmann::json::array();
    for (auto& [c, _] : rules) rdesc.push_back({{"id", c}});
    return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
            {"version", "2.1.0"},
            {"runs",
             {{{"tool",
                {{"driver",
                  {{"name", "sigil"}, {"version", SIGIL_VERSION}, {"rules", rdesc}}}}},
               {"results", results}}}}};
}

int run_check(const CheckOptions& o) {
    RuleSet set;
    load_rules(o.paths, set);
    if (!o.no_validators) validate_rule_set(set);
    auto& diags = set.diagnostics;
    std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
        std::string fa = a.loc.file ? *a.loc.file : "", fb = b.loc.file ? *b.loc.file : "";
        if (fa != fb) return fa < fb;
        if (a.loc.line != b.loc.line) return a.loc.line < b.loc.line;
        return a.loc.col < b.loc.col;
    });
    size_t errors = 0, warnings = 0;
    for (auto& d : diags) (d.severity == Severity::Error ? errors : warnings)++;
    if (o.format == "json") {
        nlohmann::json arr = nlohmann::json::array();
        for (auto& d : diags)
            arr.push_back({{"file", d.loc.file ? *d.loc.file : ""},
                           {"line", d.loc.line},
                           {"column", d.loc.col},
                           {"severity", severity_name(d.severity)},
                           {"code", d.code},
                           {"message", d.message},
                           {"rule", d.rule}});
        nlohmann::json out = {{"diagnostics", arr},
                              {"summary",
                               {{"files", set.stats.files},
                                {"rules_loaded", set.stats.rules_loaded},
                                {"rules_failed", set.stats.rules_failed},
                                {"errors", errors},
                                {"warnings", warnings}}}};
        std::puts(out.dump(2).c_str());
    } else if (o.format == "sarif") {
        std::puts(sarif(diags).dump(2).c_str());
    } else {
        Painter paint(o.color, stdout);
        for (auto& d : diags) {
            if (o.quiet && d.severity != Severity::Error) continue;
            std::printf("%s: %s %s: %s\n", d.loc.str().c_str(),
                        paint.severity(d.severity).c_str(), d.code.c_str(), d.message.c_str());
        }
    }
    std::fprintf(stderr,
                 "checked %zu files: %zu rules loaded, %zu rules with errors, %zu errors, %zu "
                 "warnings\n",
                 set.stats.files, set.stats.rules_loaded, set.stats.rules_failed, errors,
                 warnings);
    if (std::ferror(stdout)) return kRuntime;
    return errors ? kFindings : kOk;
}

}  // namespace

void register_check(CLI::App& app, int& rc) {
    auto o = std::make_shared<CheckOptions>();
    auto* sub = app.add_subcommand(
        "check",
        "Load Sigma and SPL rules and report every problem with file:line:col.\n"
        "Exit status: 0 no errors, 1 errors found, 2 usage error.");
    sub->add_option("paths", o->paths, "Rule files or directories (recursive)")->required();
    sub->add_option("--format", o->format, "Output format")
        ->check(CLI::IsMember({"text", "json", "sarif"}));
    sub->add_option("--color", o->color, "Colour output")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    sub->add_flag("-q,--quiet", o->quiet, "Print errors only");
    sub->add_flag("--no-validators", o->no_validators, "Skip the style and corpus validators");
    sub->callback([o, &rc] { rc = run_check(*o); });
}

}  // namespace sigil::cli
