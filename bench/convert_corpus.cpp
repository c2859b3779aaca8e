// bench/convert_corpus.cpp — converts the whole Sigma corpus to every target
// in one process (rules loaded once), reporting CPU time (the median of N
// runs) and a hash of each target's full output and errors, so an
// optimization can be checked to leave every byte unchanged.
//
// Two measurements:
//   separate  each target on its own (one Converter, every rule), per-target
//             medians — where the time of each target goes;
//   together  what a user converting to all targets runs: per run a fresh
//             ConverterSet (nothing carried over between runs), one call per
//             rule for all targets (targets with the same pipeline chain share
//             its run), then each target's finalized output. The median of
//             the whole runs is the figure for "all targets in one process".
// The hashes of both must be equal (checked, printed).
// SIGIL_BENCH_DUMP=DIR writes each target's output and errors to DIR/TARGET.out.
// Usage: bench_convert_corpus [SHARED_DIR] [RUNS] [all|rules] [--mode=both|separate|together]
//                             [TARGET...]
//   all   = rules* + deprecated + unsupported (3,982 documents, the default)
//   rules = rules* only (the 3,780 rules of the SigmaHQ release)
// Built with -DSIGIL_BENCH_NO_CONVERTER_SET (against an older library without
// ConverterSet), `together` calls one Converter per target for each rule.
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
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

struct TargetResult {
    std::string output;
    std::vector<sigil::RuleConversion> results;
};

uint64_t hash_of(const TargetResult& r) {
    uint64_t h = fnv(0xcbf29ce484222325ull, r.output);
    for (auto& x : r.results)
        for (auto& e : x.errors) h = fnv(h, e.code + "\x1f" + e.message + "\n");
    return h;
}

void dump(const std::string& target, const TargetResult& r) {
    const char* dir = std::getenv("SIGIL_BENCH_DUMP");
    if (!dir) return;
    std::string errs;
    for (auto& x : r.results)
        for (auto& e : x.errors) errs += e.code + "\x1f" + e.message + "\n";
    if (FILE* f = std::fopen((std::string(dir) + "/" + target + ".out").c_str(), "w")) {
        std::fwrite(r.output.data(), 1, r.output.size(), f);
        std::fwrite(errs.data(), 1, errs.size(), f);
        std::fclose(f);
    }
}

sigil::ConvertOptions options_for(const std::string& t) {
    sigil::ConvertOptions o;
    o.target = t;
    return o;
}

// One target, every rule (the timed work of `separate`; noinline so
// callgrind --toggle-collect='*run_separate*' counts exactly it).
[[gnu::noinline]] TargetResult run_separate(const sigil::Converter& c,
                                            const std::vector<sigil::Rule>& rules) {
    TargetResult r;
    r.results.reserve(rules.size());
    for (auto& rule : rules) r.results.push_back(c.convert(rule));
    r.output = c.finalize(r.results);
    return r;
}

// Every target, every rule, from fresh state (the timed work of `together`).
[[gnu::noinline]] std::vector<TargetResult> run_together(const std::vector<std::string>& targets,
                                                         const std::vector<sigil::Rule>& rules) {
    std::vector<sigil::ConvertOptions> opts;
    for (auto& t : targets) opts.push_back(options_for(t));
    sigil::Diagnostics d;
    std::vector<TargetResult> out(targets.size());
    for (auto& r : out) r.results.reserve(rules.size());
#ifndef SIGIL_BENCH_NO_CONVERTER_SET
    auto set = sigil::ConverterSet::create(opts, d);
    if (!set) return {};
    for (auto& rule : rules) {
        auto rc = set->convert(rule);
        for (size_t i = 0; i < rc.size(); ++i) out[i].results.push_back(std::move(rc[i]));
    }
    for (size_t i = 0; i < out.size(); ++i)
        out[i].output = set->converter(i).finalize(out[i].results);
#else
    std::vector<std::unique_ptr<sigil::Converter> > cs;
    for (auto& o : opts) {
        cs.push_back(sigil::Converter::create(o, d));
        if (!cs.back()) return {};
    }
    for (auto& rule : rules)
        for (size_t i = 0; i < cs.size(); ++i) out[i].results.push_back(cs[i]->convert(rule));
    for (size_t i = 0; i < out.size(); ++i) out[i].output = cs[i]->finalize(out[i].results);
#endif
    return out;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::string shared = argc > 1 ? argv[1] : SIGIL_SOURCE_DIR "/../shared";
    int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    if (runs < 1) runs = 1;
    std::string set = argc > 3 ? argv[3] : "all";
    std::string mode = "both";
    std::vector<std::string> targets;
    for (int i = 4; i < argc; ++i) {
        if (std::strncmp(argv[i], "--mode=", 7) == 0)
            mode = argv[i] + 7;
        else
            targets.push_back(argv[i]);
    }
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

    std::vector<uint64_t> separate_hash(targets.size());
    if (mode == "both" || mode == "separate") {
        double total = 0;
        for (size_t ti = 0; ti < targets.size(); ++ti) {
            const std::string& t = targets[ti];
            sigil::Diagnostics d;
            auto c = sigil::Converter::create(options_for(t), d);
            if (!c) {
                std::printf("%s: cannot create\n", t.c_str());
                return 1;
            }
            std::vector<double> times;
            TargetResult res;
            for (int r = 0; r < runs; ++r) {
                double s = cpu_now();
                res = run_separate(*c, coll.rules);
                times.push_back(cpu_now() - s);
                if (r == 0) dump(t, res);
            }
            size_t ok = 0;
            for (auto& x : res.results) ok += x.ok();
            double med = median(times);
            total += med;
            separate_hash[ti] = hash_of(res);
            std::printf("%-11s %8.1f ms  %5zu converted  %8zu bytes  %7.0f rules/s  %016llx\n",
                        t.c_str(), med * 1000, ok, res.output.size(), coll.rules.size() / med,
                        (unsigned long long)separate_hash[ti]);
        }
        std::printf("separate: all %zu targets: %.3f s CPU (medians summed)\n", targets.size(),
                    total);
    }
    if (mode == "both" || mode == "together") {
        std::vector<double> times;
        std::vector<TargetResult> res;
        for (int r = 0; r < runs; ++r) {
            res.clear();
            double s = cpu_now();
            res = run_together(targets, coll.rules);
            times.push_back(cpu_now() - s);
            if (res.size() != targets.size()) {
                std::printf("together: cannot create the converters\n");
                return 1;
            }
        }
        int mismatches = 0;
        for (size_t ti = 0; ti < targets.size(); ++ti) {
            uint64_t h = hash_of(res[ti]);
            bool differs = mode == "both" && h != separate_hash[ti];
            mismatches += differs;
            if (mode == "together") dump(targets[ti], res[ti]);
            std::printf("  together %-11s %016llx%s\n", targets[ti].c_str(), (unsigned long long)h,
                        differs ? "  DIFFERS from separate" : "");
        }
        std::sort(times.begin(), times.end());
        std::printf(
            "together: all %zu targets in one pass: %.3f s CPU (median of %d; min %.3f, max "
            "%.3f)%s\n",
            targets.size(), median(times), runs, times.front(), times.back(),
            mode == "both" ? (mismatches ? "  OUTPUT DIFFERS" : "  output = separate") : "");
        if (mismatches) return 1;
    }
}
