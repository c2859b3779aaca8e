// bench/sigma_load.cpp — phases of loading a Sigma corpus: YAML parsing alone,
// then the whole front-end (modifiers, conditions, validators). Prints medians.
// Usage: bench_sigma_load DIR... (defaults to ../shared/corpus/sigma/rules*)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sigil/rules.h"
#include "sigil/sigma.h"
#include "sigil/yaml.h"

using namespace sigil;
using clk = std::chrono::steady_clock;

int main(int argc, char** argv) {
    std::vector<std::string> dirs;
    for (int i = 1; i < argc; ++i) dirs.push_back(argv[i]);
    if (dirs.empty())
        for (auto* d : {"rules", "rules-threat-hunting", "rules-emerging-threats",
                        "rules-placeholder", "rules-compliance"})
            dirs.push_back(std::string(SIGIL_SOURCE_DIR) + "/../shared/corpus/sigma/" + d);
    std::vector<std::pair<std::string, std::string>> files;
    for (auto& d : dirs)
        for (auto& e : std::filesystem::recursive_directory_iterator(d))
            if (e.path().extension() == ".yml") {
                std::ifstream in(e.path());
                std::stringstream ss;
                ss << in.rdbuf();
                files.emplace_back(e.path().string(), ss.str());
            }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::vector<double> yaml_t, front_t, all_t;
    for (int run = 0; run < 7; ++run) {
        auto t0 = clk::now();
        size_t docs = 0;
        for (auto& [p, text] : files) {
            std::vector<YamlDocument> d;
            Diagnostics diags;
            parse_yaml(text, std::make_shared<const std::string>(p), d, diags);
            docs += d.size();
        }
        auto t1 = clk::now();
        SigmaCollection c;
        for (auto& [p, text] : files) load_sigma_text(text, p, c);
        link_sigma_collection(c);
        auto t2 = clk::now();
        RuleSet set;
        load_rules(dirs, set);
        validate_rule_set(set);
        auto t3 = clk::now();
        yaml_t.push_back(std::chrono::duration<double>(t1 - t0).count());
        front_t.push_back(std::chrono::duration<double>(t2 - t1).count());
        all_t.push_back(std::chrono::duration<double>(t3 - t2).count());
        if (run == 0)
            std::printf("files %zu, documents %zu, rules %zu\n", files.size(), docs, c.rules.size());
    }
    std::printf("yaml parse only (in memory): median %.3f s\n", median(yaml_t));
    std::printf("sigma front-end (in memory): median %.3f s\n", median(front_t));
    std::printf("load_rules + validators (from disk): median %.3f s\n", median(all_t));
}
