// bench/hunt.cpp — throughput of `hunt` over JSON lines or EVTX, by phase:
//   scan    a plain simdjson DOM parse of every line (the baseline; JSON only)
//   read    the reader (JSON: framing, parse, flatten; EVTX: records → Events)
//   match   the reader plus every compiled rule on every event (one thread)
// Usage: bench_hunt RULES_DIR LOG_DIR [repeats=3]; prints the median of
// each phase in CPU seconds and MB/s, and match/scan as a fraction.
// SIGIL_BENCH_NO_PREFILTER / SIGIL_BENCH_NO_GATE switch those stages off;
// SIGIL_BENCH_PREFILTER=hyperscan|scanner forces a prefilter engine (the
// first match pass builds it; the median is of later passes when repeats > 2).
#include "sigil/hunt.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sigil/engine.h"
#include "sigil/jsonl.h"
#include "sigil/rules.h"

using namespace sigil;
namespace fs = std::filesystem;

namespace {

// CPU time of this process: the machine is shared, and wall time would
// measure the neighbours too. (One thread, so CPU time is the work done.)
double now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s RULES_DIR LOG_DIR [repeats]\n", argv[0]);
        return 2;
    }
    int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
    std::vector<std::string> files;
    Diagnostics diags;
    collect_log_files({argv[2]}, files, diags);
    size_t bytes = 0;
    for (auto& f : files) bytes += fs::file_size(f);

    double t = now();
    RuleSet set;
    load_rules({argv[1]}, set);
    double t_load = now() - t;
    t = now();
    EngineOptions eo;
    eo.prefilter = !std::getenv("SIGIL_BENCH_NO_PREFILTER");
    eo.logsource_gate = !std::getenv("SIGIL_BENCH_NO_GATE");
    if (const char* e = std::getenv("SIGIL_BENCH_PREFILTER"))
        eo.prefilter_engine = std::string(e) == "hyperscan" ? PrefilterEngine::Hyperscan
                              : std::string(e) == "scanner" ? PrefilterEngine::Scanner
                                                            : PrefilterEngine::Auto;
    eo.expected_input_bytes = bytes;
    auto compiled = CompiledRuleSet::compile(set.rules, diags, eo);
    double t_compile = now() - t;
    auto& st = compiled->stats();
    std::printf(
        "rules: %zu detection (%zu gated, %zu with atoms), %zu unique predicates of %zu, "
        "%zu atoms; load %.2f s, compile %.2f s\n",
        st.detection_rules, st.gated_rules, st.rules_with_atoms, st.unique_predicates,
        st.predicates, st.atoms, t_load, t_compile);
    std::printf("logs: %zu files, %.1f MB\n", files.size(), double(bytes) / 1e6);

    std::vector<double> scan, read, match;
    size_t events = 0, hits = 0;
    uint64_t confirmed = 0, scanned = 0;
    bool only_match = std::getenv("SIGIL_BENCH_ONLY_MATCH");  // for profiling
    bool json = false;
    for (auto& f : files) json |= fs::path(f).extension() != ".evtx";
    auto phase_scan = [&]() {
        // a plain simdjson parse of each line, touching every top-level value
        size_t docs = 0;
        simdjson::dom::parser parser;
        for (auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            std::string line;
            while (std::getline(in, line)) {
                simdjson::dom::element doc;
                if (parser.parse(line).get(doc)) continue;
                simdjson::dom::object o;
                if (doc.get(o)) continue;
                for (auto [k, v] : o)
                    docs += k.size() > 0 && v.type() != simdjson::dom::element_type::NULL_VALUE;
            }
        }
        return docs;
    };
    auto phase_read = [&]() {
        size_t n = 0;
        for (auto& f : files) {
            Diagnostics d;
            read_log_file(
                f,
                [&](const Event& e) {
                    n += e.fields.size() > 0;
                    return true;
                },
                d);
        }
        return n;
    };
    auto phase_match = [&]() {
        RuleMatcher m(compiled);
        std::vector<uint32_t> out;
        size_t h = 0, n = 0;
        for (auto& f : files) {
            Diagnostics d;
            read_log_file(
                f,
                [&](const Event& e) {
                    out.clear();
                    m.match(e, out);
                    h += out.size();
                    ++n;
                    return true;
                },
                d);
        }
        hits = h;
        events = n;
        confirmed = m.confirmed();
        scanned = m.scanned();
    };
    for (int r = 0; r < repeats; ++r) {
        if (!only_match) {
            t = now();
            if (json) phase_scan();
            scan.push_back(now() - t);
            t = now();
            phase_read();
            read.push_back(now() - t);
        }
        t = now();
        phase_match();
        match.push_back(now() - t);
    }
    if (only_match) scan = read = {1};
    double s = median(scan), rd = median(read), mt = median(match);
    std::printf("events: %zu, detections: %zu, rule confirmations: %llu (%.1f per event)\n", events,
                hits, (unsigned long long)confirmed,
                double(confirmed) / double(std::max<size_t>(events, 1)));
    if (json) std::printf("scan  %.3f s  %.0f MB/s\n", s, double(bytes) / 1e6 / s);
    std::printf("read  %.3f s  %.0f MB/s\n", rd, double(bytes) / 1e6 / rd);
    std::printf("match %.3f s  %.0f MB/s  %.0f events/s\n", mt, double(bytes) / 1e6 / mt,
                double(events) / mt);
    if (json) std::printf("match speed / scan speed = %.2f (goal >= 0.25)\n", s / mt);
    std::printf("load + compile + match: %.3f s\n", t_load + t_compile + mt);
    EngineCacheStats cs = compiled->cache_stats();
    std::printf(
        "prefilter: %.1f MB scanned per pass; %zu groups on the own scanner (%zu moved to "
        "Hyperscan), %zu Hyperscan databases compiled, %zu from the cache\n",
        double(scanned) / 1e6, cs.scanners, cs.switched, cs.built, cs.loaded);
    return 0;
}
