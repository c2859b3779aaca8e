// bench/convert_corpus.cpp — converts the whole Sigma corpus to every target
// in one process (rules loaded once), reporting per-target wall time, the
// median of N runs. Usage: bench_convert_corpus [SHARED_DIR] [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "sigil/convert.h"
#include "sigil/sigma.h"

int main(int argc, char** argv) {
    std::string shared = argc > 1 ? argv[1] : SIGIL_SOURCE_DIR "/../shared";
    int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    std::string base = shared + "/corpus/sigma/";
    std::vector<std::string> paths;
    for (auto* d : {"rules", "rules-threat-hunting", "rules-emerging-threats", "rules-placeholder",
                    "rules-compliance", "deprecated", "unsupported"})
        paths.push_back(base + d);
    auto t0 = std::chrono::steady_clock::now();
    sigil::SigmaCollection coll;
    sigil::load_sigma_paths(paths, coll);
    double load = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("loaded %zu rules in %.3f s\n", coll.rules.size(), load);
    double total = 0;
    for (auto& t : sigil::convert_targets()) {
        sigil::ConvertOptions o;
        o.target = t;
        sigil::Diagnostics d;
        auto c = sigil::Converter::create(o, d);
        std::vector<double> times;
        size_t ok = 0, bytes = 0;
        for (int r = 0; r < runs; ++r) {
            auto s = std::chrono::steady_clock::now();
            std::vector<sigil::RuleConversion> res;
            res.reserve(coll.rules.size());
            for (auto& rule : coll.rules) res.push_back(c->convert(rule));
            std::string out = c->finalize(res);
            times.push_back(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
            ok = 0;
            for (auto& x : res) ok += x.ok();
            bytes = out.size();
        }
        std::sort(times.begin(), times.end());
        double med = times[times.size() / 2];
        total += med;
        std::printf("%-11s %8.1f ms  %5zu converted  %8zu bytes  %7.0f rules/s\n", t.c_str(),
                    med * 1000, ok, bytes, coll.rules.size() / med);
    }
    std::printf("all %zu targets: %.3f s (medians summed)\n", sigil::convert_targets().size(),
                total);
}
