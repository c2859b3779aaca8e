// bench/evtx_parse.cpp — EVTX parsing speed: reads every .evtx file under a
// directory with sigil's reader (flat Event per record, as a hunt does) and
// reports the median wall time of several runs, records/s and MB/s.
// Usage: bench_evtx_parse DIR [runs=7] [--render xml|json]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "sigil/evtx.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [runs] [--render xml|json]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 && argv[2][0] != '-' ? std::atoi(argv[2]) : 7;
    std::string render;
    for (int i = 2; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--render") == 0) render = argv[i + 1];
    std::vector<std::string> files;
    uint64_t bytes = 0;
    for (auto& e : fs::recursive_directory_iterator(argv[1]))
        if (e.is_regular_file() && e.path().extension() == ".evtx") {
            files.push_back(e.path());
            bytes += e.file_size();
        }
    std::sort(files.begin(), files.end());
    auto cpu_now = [] {
        rusage u;
        getrusage(RUSAGE_SELF, &u);
        return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
               (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    };
    std::vector<double> times, cpus;
    uint64_t records = 0, fields = 0, out_bytes = 0;
    for (int r = 0; r < runs + 1; ++r) {  // the first run warms the page cache
        records = fields = out_bytes = 0;
        std::string out;
        auto t0 = std::chrono::steady_clock::now();
        double c0 = cpu_now();
        for (auto& f : files) {
            sigil::Diagnostics d;
            sigil::read_evtx_records(
                f,
                [&](const sigil::EvtxRecord& rec) {
                    ++records;
                    fields += rec.event().fields.size();
                    if (render == "xml") rec.append_xml(out);
                    if (render == "json") rec.append_json(out);
                    out_bytes += out.size();
                    out.clear();
                    return true;
                },
                d);
        }
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double c = cpu_now() - c0;
        if (r > 0) times.push_back(s), cpus.push_back(c);
    }
    std::sort(times.begin(), times.end());
    std::sort(cpus.begin(), cpus.end());
    double med = times[times.size() / 2];
    double cmed = cpus[cpus.size() / 2];
    std::printf(
        "files %zu, %.1f MB, records %llu, fields %llu%s: median wall %.3f s over %d runs (min "
        "%.3f, max %.3f), median CPU %.3f s; %.0f records/s, %.0f MB/s (by wall)\n",
        files.size(), bytes / 1e6, (unsigned long long)records, (unsigned long long)fields,
        render.empty() ? "" : (", rendering " + render).c_str(), med, runs, times.front(),
        times.back(), cmed, records / med, bytes / 1e6 / med);
    return 0;
}
