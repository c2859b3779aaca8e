// bench/spl_load.cpp — time to load both Splunk corpora (security_content
// detections with their macros and data sources, and Armory): YAML, macro
// expansion, SPL/SQL parsing and lowering to IR. Run:
//   build/bench_spl_load [--benchmark_repetitions=5]
// SIGIL_SHARED overrides the shared data folder (default: <source>/../shared).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "sigil/spl.h"

namespace {

std::string shared_dir() {
    if (const char* s = std::getenv("SIGIL_SHARED")) return s;
    return std::string(SIGIL_SOURCE_DIR) + "/../shared";
}

void BM_LoadSplunkCorpora(benchmark::State& state) {
    std::string base = shared_dir() + "/corpus/";
    std::vector<std::string> paths = {base + "splunk-security-content/detections",
                                      base + "armory/detections"};
    if (!std::filesystem::is_directory(paths[0])) {
        state.SkipWithError("shared corpora not present");
        return;
    }
    size_t rules = 0;
    for (auto _ : state) {
        sigil::SplCollection c;
        sigil::load_splunk_paths(paths, c, unsigned(state.range(0)));
        rules = c.rules.size();
        benchmark::DoNotOptimize(c.rules.data());
    }
    state.counters["rules"] = double(rules);
    state.counters["rules_per_s"] =
        benchmark::Counter(double(rules) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LoadSplunkCorpora)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
