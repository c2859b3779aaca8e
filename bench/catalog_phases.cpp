// bench/catalog_phases.cpp — CPU time of each phase of a catalog build over a corpus, without
// the file system: load, per-rule analyses, corpus analyses (indicator counts, neighbors),
// translations (every convert target), page models, HTML, Markdown, JSON, SQLite rows, site
// pages. Prints medians of N runs.
// Usage: bench_catalog_phases [RUNS] [DIR...] (defaults: 3 runs over ../shared/corpus: the
// Sigma rules* folders, splunk-security-content/detections and armory/detections)
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog_internal.h"
#include "catalog/site_internal.h"
#include "sigil/catalog.h"

using namespace sigil;

static double cpu_now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

int main(int argc, char** argv) {
    int runs = argc > 1 ? std::atoi(argv[1]) : 3;
    std::vector<std::string> dirs;
    for (int i = 2; i < argc; ++i) dirs.push_back(argv[i]);
    if (dirs.empty()) {
        std::string c = std::string(SIGIL_SOURCE_DIR) + "/../shared/corpus/";
        for (auto* d : {"sigma/rules", "sigma/rules-threat-hunting", "sigma/rules-emerging-threats",
                        "sigma/rules-placeholder", "sigma/rules-compliance",
                        "splunk-security-content/detections", "armory/detections"})
            if (std::filesystem::exists(c + d)) dirs.push_back(c + d);
    }
    std::map<std::string, std::vector<double>> t;
    size_t rules = 0;
    for (int run = 0; run < runs; ++run) {
        auto phase = [&](const char* name, const std::function<void()>& f) {
            double a = cpu_now();
            f();
            t[name].push_back(cpu_now() - a);
        };
        Catalog c;
        phase("1 load", [&] { load_catalog(dirs, c); });
        rules = c.rules.size();
        size_t queries = 0;
        phase("1b translate", [&] {  // every convert target, as a build without cache
            Translator tr = default_translator();
            for (auto& r : c.rules) queries += tr(r).size();
        });
        phase("2 analyze rules", [&] {
            for (size_t i = 0; i < c.rules.size(); ++i)
                analyze_rule(c.rules[i], c.texts[i], c.analyses[i]);
        });
        phase("3 analyze corpus", [&] { analyze_corpus(c, AnalysisOptions{}); });
        std::vector<nlohmann::json> models(c.rules.size());
        phase("4 models", [&] {
            for (size_t i = 0; i < c.rules.size(); ++i) models[i] = rule_model(c, i);
        });
        size_t bytes = 0;
        phase("5 json dump", [&] {
            for (auto& m : models) bytes += rule_json_text(m).size();
        });
        HtmlRenderer html;
        phase("6 html", [&] {
            for (auto& m : models) bytes += html.rule_page(m).size();
        });
        phase("7 markdown", [&] {
            for (auto& m : models) bytes += rule_markdown(m).size();
        });
        phase("8 sqlite", [&] {
            CatalogDb db;
            db.open(":memory:", true);
            for (auto& m : models) db.put_rule(m, false);
            db.finish(models.size());
        });
        phase("9 site pages", [&] {
            SiteIndex s = index_site(c);
            bytes += html.index_page(c, s).size() + search_index_js(c).size() +
                     html.matrix_page(c, s).size() + html.logsources_page(c).size() +
                     rules_csv(c).size() + navigator_layer(c, s).size();
            for (auto& [k, v] : s.by_event) bytes += html.event_page(c, s, k).size();
            for (auto& [k, v] : s.by_technique) bytes += html.technique_page(c, s, k).size();
        });
        if (bytes + queries == 0) std::puts("");
    }
    double total = 0;
    std::printf("catalog phases over %zu rules, CPU seconds, median of %d runs\n", rules, runs);
    for (auto& [name, v] : t) {
        std::sort(v.begin(), v.end());
        double m = v[v.size() / 2];
        total += m;
        std::printf("  %-18s %7.3f\n", name.c_str(), m);
    }
    std::printf("  %-18s %7.3f\n", "total", total);
}
