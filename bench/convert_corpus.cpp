// bench/convert_corpus.cpp — converts the whole Sigma corpus to every target
// in one process (rules loaded once), reporting per-target CPU time (the
// median of N runs) and a hash of each target's full output and errors, so an
// optimization can be checked to leave every byte unchanged.
// SIGIL_BENCH_DUMP=DIR writes each target's output and errors to DIR/TARGET.out.
// Usage: bench_convert_corpus [SHARED_DIR] [RUNS] [all|rules] [TARGET...]
//   all   = rules* + deprecated + unsupported (3,982 documents, the default)
//   rules = rules* only (the 3,780 rules of the SigmaHQ release)
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sigil/convert.h"
#include "sigil/sigma.h"

namespace {

double cpu_now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// FNV-1a, 64 bits: enough to notice any changed byte between two runs.
uint64_t fnv(uint64_t h, const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

}  // namespace

int main(int argc, char** argv) {
    std::string shared = argc > 1 ? argv[1] : SIGIL_SOURCE_DIR "/../shared";
    int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    std::string set = argc > 3 ? argv[3] : "all";
    std::vector<std::string> targets;
    for (int i = 4; i < argc; ++i) targets.push_back(argv[i]);
    if (targets.empty()) targets = sigil::convert_targets();
    std::string base = shared + "/corpus/sigma/";
    std::vector<std::string> paths;
    for (auto* d : {"rules", "rules-threat-hunting", "rules-emerging-threats", "rules-placeholder",
                    "rules-compliance", "deprecated", "unsupported"}) {
        if (set == "rules" && std::strncmp(d, "rules", 5) != 0) continue;
        paths.push_back(base + d);
    }
    double t0 = cpu_now();
    sigil::SigmaCollection coll;
    sigil::load_sigma_paths(paths, coll);
    std::printf("loaded %zu rules (%s) in %.3f s CPU\n", coll.rules.size(), set.c_str(),
                cpu_now() - t0);
    double total = 0;
    for (auto& t : targets) {
        sigil::ConvertOptions o;
        o.target = t;
        sigil::Diagnostics d;
        auto c = sigil::Converter::create(o, d);
        if (!c) {
            std::printf("%s: cannot create\n", t.c_str());
            return 1;
        }
        std::vector<double> times;
        size_t ok = 0, bytes = 0;
        uint64_t hash = 0;
        for (int r = 0; r < runs; ++r) {
            double s = cpu_now();
            std::vector<sigil::RuleConversion> res;
            res.reserve(coll.rules.size());
            for (auto& rule : coll.rules) res.push_back(c->convert(rule));
            std::string out = c->finalize(res);
            times.push_back(cpu_now() - s);
            ok = 0;
            hash = fnv(0xcbf29ce484222325ull, out);
            for (auto& x : res) {
                ok += x.ok();
                for (auto& e : x.errors) hash = fnv(hash, e.code + "\x1f" + e.message + "\n");
            }
            bytes = out.size();
            if (const char* dump = std::getenv("SIGIL_BENCH_DUMP"); dump && r == 0) {
                // the full output and errors, for diffing two builds
                std::string errs;
                for (auto& x : res)
                    for (auto& e : x.errors) errs += e.code + "\x1f" + e.message + "\n";
                if (FILE* f = std::fopen((std::string(dump) + "/" + t + ".out").c_str(), "w")) {
                    std::fwrite(out.data(), 1, out.size(), f);
                    std::fwrite(errs.data(), 1, errs.size(), f);
                    std::fclose(f);
                }
            }
        }
        std::sort(times.begin(), times.end());
        double med = times[times.size() / 2];
        total += med;
        std::printf("%-11s %8.1f ms  %5zu converted  %8zu bytes  %7.0f rules/s  %016llx\n",
                    t.c_str(), med * 1000, ok, bytes, coll.rules.size() / med,
                    (unsigned long long)hash);
    }
    std::printf("all %zu targets: %.3f s CPU (medians summed)\n", targets.size(), total);
}
