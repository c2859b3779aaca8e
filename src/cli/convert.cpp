// cli/convert.cpp — `sigil convert -t TARGET [-p PIPELINE]... [-f FORMAT]
// [-O key=value]... [--skip-unsupported] [-o FILE] PATHS...`: load Sigma rules,
// run pipelines, convert, print queries on stdout (or FILE) and a summary with
// every failure on stderr.
#include "sigil/convert.h"

#include <cstdio>
#include <fstream>
#include <map>

#include "cli/commands.h"
#include "cli/output.h"
#include "sigil/sigma.h"

namespace sigil::cli {

namespace {

struct ConvertCliOptions {
    std::string target, format, output;
    std::vector<std::string> pipelines, options, paths;
    bool skip_unsupported = false;
    bool without_pipeline = false;
    bool list = false;
};

int run_convert(const ConvertCliOptions& o) {
    if (o.list) {
        for (auto& t : convert_targets()) {
            std::string f;
            for (auto& x : convert_formats(t)) f += (f.empty() ? "" : ", ") + x;
            std::printf("target %-11s formats: %s\n", t.c_str(), f.c_str());
        }
        for (auto& p : builtin_pipeline_names()) std::printf("pipeline %s\n", p.c_str());
        return kOk;
    }
    if (o.target.empty() || o.paths.empty()) {
        std::fprintf(stderr, "sigil convert: -t TARGET and at least one path are required\n");
        return kUsage;
    }
    ConvertOptions co;
    co.target = o.target;
    co.format = o.format;
    co.pipelines = o.pipelines;
    co.default_pipelines = !o.without_pipeline;
    for (auto& kv : o.options) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) {
            std::fprintf(stderr, "sigil convert: -O expects key=value, got '%s'\n", kv.c_str());
            return kUsage;
        }
        co.options[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    Diagnostics diags;
    auto conv = Converter::create(co, diags);
    if (!conv) {
        for (auto& d : diags)
            std::fprintf(stderr, "%s%s: %s\n", d.loc.file ? (d.loc.str() + ": ").c_str() : "",
                         d.code.c_str(), d.message.c_str());
        return kUsage;
    }
    SigmaCollection coll;
    load_sigma_paths(o.paths, coll);
    size_t load_errors = 0;
    for (auto& d : coll.diagnostics)
        if (d.severity == Severity::Error) {
            ++load_errors;
            std::fprintf(stderr, "%s: error %s: %s\n", d.loc.str().c_str(), d.code.c_str(),
                         d.message.c_str());
        }
    std::vector<RuleConversion> results;
    results.reserve(coll.rules.size());
    size_t converted = 0, failed = 0, skipped = 0, queries = 0;
    std::map<std::string, size_t> skip_reasons;
    for (auto& r : coll.rules) {
        RuleConversion rc = conv->convert(r);
        if (rc.skipped) {
            ++skipped;
            skip_reasons["filter document (applied to the rules it names)"]++;
        } else if (!rc.errors.empty()) {
            bool unsupported = true;
            for (auto& e : rc.errors) unsupported &= e.code.rfind("convert.unsupported", 0) == 0;
            if (o.skip_unsupported && unsupported) {
                ++skipped;
                rc.skipped = true;
                skip_reasons[rc.errors[0].message.substr(rc.errors[0].message.find("': ") + 3)]++;
            } else {
                ++failed;
                for (auto& e : rc.errors)
                    std::fprintf(stderr, "%s: error %s: %s\n", e.loc.str().c_str(), e.code.c_str(),
                                 e.message.c_str());
            }
        } else {
            ++converted;
            queries += rc.queries.size();
        }
        results.push_back(std::move(rc));
    }
    std::string text = conv->finalize(results);
    if (o.output.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        if (std::ferror(stdout)) return kRuntime;
    } else {
        std::string err;
        if (!cli::write_file_atomically(o.output, text, err)) {
            std::fprintf(stderr, "sigil convert: cannot write %s: %s\n", o.output.c_str(),
                         err.c_str());
            return kRuntime;
        }
    }
    std::fprintf(stderr,
                 "convert %s: %zu rules converted (%zu queries), %zu failed, %zu skipped, %zu "
                 "documents failed to load\n",
                 o.target.c_str(), converted, queries, failed, skipped, load_errors);
    for (auto& [why, n] : skip_reasons) std::fprintf(stderr, "  skipped %zu: %s\n", n, why.c_str());
    return failed || load_errors ? kFindings : kOk;
}

}  // namespace

void register_convert(CLI::App& app, int& rc) {
    auto o = std::make_shared<ConvertCliOptions>();
    auto* sub = app.add_subcommand(
        "convert",
        "Convert Sigma rules into queries for a target, after processing pipelines.\n"
        "Exit status: 0 all converted, 1 some rules failed, 2 usage error.");
    sub->add_option("-t,--target", o->target, "Target query language (see --list)");
    sub->add_option("-p,--pipeline", o->pipelines,
                    "Processing pipeline: a built-in name or a pySigma YAML file (repeatable)")
        ->allow_extra_args(false);
    sub->add_option("-f,--format", o->format, "Output format of the target (see --list)");
    sub->add_option("-O,--option", o->options, "Target option key=value (table, index, dialect...)")
        ->allow_extra_args(false);
    sub->add_flag("-s,--skip-unsupported", o->skip_unsupported,
                  "Count rules the target cannot express as skipped instead of failed");
    sub->add_flag("--without-pipeline", o->without_pipeline,
                  "Do not apply the target's default pipeline");
    sub->add_option("-o,--output", o->output, "Write the queries to FILE instead of stdout");
    sub->add_flag("--list", o->list, "List targets, formats and built-in pipelines");
    sub->add_option("paths", o->paths, "Rule files or directories (recursive)");
    sub->callback([o, &rc] { rc = run_convert(*o); });
}

}  // namespace sigil::cli
