// engine/prefilter.cpp — building a rule group's Hyperscan literal database
// on first use, and the on-disk cache of compiled databases.
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "engine/compiled.h"

namespace sigil {

namespace fs = std::filesystem;

/* Lazy building. Hyperscan compiles the literal databases of all SigmaHQ
 * Windows rules in about 0.8 s, more than matching a typical collection of
 * logs takes. A group's database is therefore built when the first event
 * reaching that group is matched (double-checked under the group's mutex,
 * so threads build it once); logs with a few channels pay only for those.
 *
 * The cache. A database is a pure function of its literal list (caseless,
 * single-match, in order), of Hyperscan's version and of the CPU platform
 * it was compiled for. The cache key is XXH3-128 over exactly those, so an
 * entry can never be stale: different rules or a pipeline give different
 * literals and another key. An entry is a file `hs-<key>.db`:
 *   "SIGILHS1" | key (16 bytes) | payload size (8) | XXH3-64 of payload (8) |
 *   payload (hs_serialize_database)
 * Anything that does not check out (short, other key, bad checksum,
 * Hyperscan refusing to deserialize) is ignored and the database rebuilt
 * and rewritten. Writes go to a unique temporary file in the same
 * directory, then rename(2), so readers see a whole entry or none; failures
 * to write are silent (the cache is an optimisation).
 */
namespace {

constexpr char kMagic[8] = {'S', 'I', 'G', 'I', 'L', 'H', 'S', '1'};
constexpr unsigned kFlags = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;

XXH128_hash_t database_key(const std::vector<std::string>& literals) {
    XXH3_state_t* st = XXH3_createState();
    XXH3_128bits_reset(st);
    const char* version = hs_version();
    XXH3_128bits_update(st, version, std::strlen(version));
    hs_platform_info_t plat{};
    if (hs_populate_platform(&plat) == HS_SUCCESS) {
        uint64_t p[2] = {plat.tune, plat.cpu_features};
        XXH3_128bits_update(st, p, sizeof p);
    }
    uint32_t flags = kFlags;
    XXH3_128bits_update(st, &flags, sizeof flags);
    for (auto& l : literals) {
        uint64_t n = l.size();
        XXH3_128bits_update(st, &n, sizeof n);
        XXH3_128bits_update(st, l.data(), l.size());
    }
    XXH128_hash_t h = XXH3_128bits_digest(st);
    XXH3_freeState(st);
    return h;
}

std::string entry_path(const std::string& dir, XXH128_hash_t key) {
    char name[64];
    std::snprintf(name, sizeof name, "hs-%016llx%016llx.db", (unsigned long long)key.high64,
                  (unsigned long long)key.low64);
    return (fs::path(dir) / name).string();
}

hs_database_t* load_entry(const std::string& path, XXH128_hash_t key) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return nullptr;
    char head[40];
    hs_database_t* db = nullptr;
    if (std::fread(head, 1, sizeof head, f) == sizeof head && std::memcmp(head, kMagic, 8) == 0) {
        uint64_t hi, lo, size, sum;
        std::memcpy(&hi, head + 8, 8);
        std::memcpy(&lo, head + 16, 8);
        std::memcpy(&size, head + 24, 8);
        std::memcpy(&sum, head + 32, 8);
        if (hi == key.high64 && lo == key.low64 && size > 0 && size < (1ull << 31)) {
            std::string payload(size, '\0');
            if (std::fread(payload.data(), 1, size, f) == size && std::fgetc(f) == EOF &&
                XXH3_64bits(payload.data(), size) == sum &&
                hs_deserialize_database(payload.data(), size, &db) != HS_SUCCESS)
                db = nullptr;
        }
    }
    std::fclose(f);
    return db;
}

bool store_entry(const std::string& dir, const std::string& path, XXH128_hash_t key,
                 const hs_database_t* db) {
    char* bytes = nullptr;
    size_t size = 0;
    if (hs_serialize_database(db, &bytes, &size) != HS_SUCCESS) return false;
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::random_device rd;
    std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
    bool ok = false;
    if (FILE* f = std::fopen(tmp.c_str(), "wb")) {
        char head[40];
        uint64_t v[4] = {key.high64, key.low64, uint64_t(size), XXH3_64bits(bytes, size)};
        std::memcpy(head, kMagic, 8);
        std::memcpy(head + 8, v, sizeof v);
        ok = std::fwrite(head, 1, sizeof head, f) == sizeof head &&
             std::fwrite(bytes, 1, size, f) == size;
        ok = std::fclose(f) == 0 && ok;
        ok = ok && std::rename(tmp.c_str(), path.c_str()) == 0;
        if (!ok) std::remove(tmp.c_str());
    }
    std::free(bytes);
    return ok;
}

}  // namespace

std::string default_cache_dir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    if (xdg && *xdg == '/') return (fs::path(xdg) / "sigil").string();
    const char* home = std::getenv("HOME");
    if (home && *home) return (fs::path(home) / ".cache" / "sigil").string();
    return {};
}

const hs_database_t* CompiledRuleSet::Impl::prefilter(uint32_t gid, bool build) const {
    const RuleGroup& g = groups[gid];
    if (!g.pf) return nullptr;
    PrefilterDb& pf = *g.pf;
    int s = pf.state.load(std::memory_order_acquire);
    if (s == 1) return pf.db.load(std::memory_order_relaxed);
    if (s == 2 || (s == 3 && !build)) return nullptr;
    std::lock_guard<std::mutex> lock(pf.mu);
    s = pf.state.load(std::memory_order_relaxed);
    if (s == 1) return pf.db.load();
    if (s == 2 || (s == 3 && !build)) return nullptr;

    std::vector<std::string> literals;
    literals.reserve(g.atom_global.size());
    for (uint32_t a : g.atom_global) literals.push_back(atom_text[a]);
    XXH128_hash_t key = database_key(literals);
    std::string path = opts.cache_dir.empty() ? std::string() : entry_path(opts.cache_dir, key);
    // State 3: the cache was already looked at.
    hs_database_t* db = path.empty() || s == 3 ? nullptr : load_entry(path, key);
    bool loaded = db != nullptr, stored = false;
    if (!db && !build) {
        pf.state.store(3, std::memory_order_release);
        return nullptr;
    }
    if (!db) {
        std::vector<const char*> exprs;
        std::vector<size_t> lens;
        std::vector<unsigned> flags, ids;
        for (size_t i = 0; i < literals.size(); ++i) {
            exprs.push_back(literals[i].data());
            lens.push_back(literals[i].size());
            flags.push_back(kFlags);
            ids.push_back(unsigned(i));
        }
        hs_compile_error_t* err = nullptr;
        if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                 unsigned(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                                 &err) != HS_SUCCESS) {
            db = nullptr;
            Diagnostic d;
            d.severity = Severity::Warning;
            d.code = "engine.prefilter.compile";
            d.message = std::string("the literal prefilter of ") + std::to_string(g.rules.size()) +
                        " rules could not be built (" +
                        (err && err->message ? err->message : "unknown error") +
                        "); sigil's own scanner is used instead";
            std::lock_guard<std::mutex> l2(late_mu);
            late_diags.push_back(std::move(d));
        }
        if (err) hs_free_compile_error(err);
        if (db && !path.empty()) stored = store_entry(opts.cache_dir, path, key, db);
    }
    {
        std::lock_guard<std::mutex> l2(late_mu);
        cache_stats.loaded += loaded;
        cache_stats.built += db && !loaded;
        cache_stats.stored += stored;
    }
    pf.db.store(db, std::memory_order_relaxed);
    pf.state.store(db ? 1 : 2, std::memory_order_release);
    return db;
}

const PrefilterDb& CompiledRuleSet::Impl::scanners(uint32_t gid) const {
    const RuleGroup& g = groups[gid];
    PrefilterDb& pf = *g.pf;
    std::call_once(pf.scanner_once, [&] {
        std::vector<std::string> f, k;
        for (uint32_t a = 0; a < g.atom_global.size(); ++a) {
            (g.atom_keyword[a] ? k : f).push_back(atom_text[g.atom_global[a]]);
            (g.atom_keyword[a] ? pf.keyword_atoms : pf.field_atoms).push_back(a);
        }
        pf.fields = AtomScanner(f);
        pf.keywords = AtomScanner(k);
        std::lock_guard<std::mutex> l2(late_mu);
        ++cache_stats.scanners;
    });
    return pf;
}

/* Choosing the engine (PrefilterEngine::Auto). Both engines find the same
 * atoms, so the candidates they give lead to the same detections; they
 * differ in cost (measured on all SigmaHQ Windows rules, one core):
 *  - Hyperscan compiles ~35 us per literal (the 42 groups hayabusa-sample-
 *    evtx reaches: 17,702 literals, 0.56-0.69 s), scans fastest, and its
 *    databases are cached on disk, after which they cost a file read;
 *  - the own scanner builds all of them in ~10 ms but costs ~0.65 ns more
 *    per scanned byte (OTRF JSON lines: 443 MB scanned, 2.28 s against
 *    2.00 s of matching; hayabusa-sample-evtx: 21 MB, within noise).
 * So a group whose database is in the cache uses it. Otherwise, when the
 * run's input is large (expected_input_bytes, the log files' sizes, at
 * least kLargeInput: a run of several seconds, where the compilation is a
 * small share and its cached result speeds up every later run on those
 * rules), its database is compiled at once. Otherwise the group starts on
 * the own scanner, and the matcher moves it to Hyperscan (and so into the
 * cache) once the extra cost of the bytes it scanned reaches the cost of
 * compiling its database: the break-even rule of renting versus buying,
 * which costs at most twice the better choice in hindsight whatever the
 * input (a stream of unknown length included). Small hunts never pay for
 * Hyperscan.
 */
namespace {
constexpr uint64_t kCompilePsPerLiteral = 35'000'000;      // 35 us
constexpr uint64_t kCompilePsPerDatabase = 1'000'000'000;  // 1 ms (estimate)
constexpr uint64_t kScannerExtraPsPerByte = 650;           // 0.65 ns
constexpr uint64_t kLargeInput = uint64_t(256) << 20;      // 256 MiB of log files
}  // namespace

CompiledRuleSet::Impl::PrefilterPlan CompiledRuleSet::Impl::plan(uint32_t gid) const {
    PrefilterPlan p;
    if (!groups[gid].pf) return p;
    switch (opts.prefilter_engine) {
        case PrefilterEngine::Hyperscan:
            p.db = prefilter(gid, true);
            break;
        case PrefilterEngine::Scanner:
            break;
        case PrefilterEngine::Auto:
            p.db = prefilter(gid, opts.expected_input_bytes >= kLargeInput);
            if (!p.db)
                p.switch_after = (uint64_t(groups[gid].atom_global.size()) * kCompilePsPerLiteral +
                                  kCompilePsPerDatabase) /
                                 kScannerExtraPsPerByte;
            break;
    }
    if (!p.db) scanners(gid);
    return p;
}

void CompiledRuleSet::build_prefilters() const {
    for (uint32_t g = 0; g < impl_->groups.size(); ++g) {
        if (!impl_->groups[g].pf) continue;
        if (impl_->opts.prefilter_engine == PrefilterEngine::Scanner || !impl_->prefilter(g))
            impl_->scanners(g);
    }
}

EngineCacheStats CompiledRuleSet::cache_stats() const {
    std::lock_guard<std::mutex> l(impl_->late_mu);
    return impl_->cache_stats;
}

Diagnostics CompiledRuleSet::late_diagnostics() const {
    std::lock_guard<std::mutex> l(impl_->late_mu);
    return impl_->late_diags;
}

}  // namespace sigil
