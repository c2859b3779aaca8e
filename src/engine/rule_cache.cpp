// engine/rule_cache.cpp — loading hunt rules through a cache of the parsed
// rule set, so a repeated hunt with the same rule files skips YAML parsing.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/catalog_internal.h"
#include "sigil/hunt.h"
#include "sigil/rules.h"
#include "sigil/sigma.h"

namespace sigil {

namespace fs = std::filesystem;

/* The cache stores what load_rules() builds before collection linking: per
 * Sigma file, its rules and diagnostics, in the catalog's binary rule-cache
 * format (catalog/cache.cpp: one entry per file, so every rule keeps its
 * file in its location; the format carries a fingerprint of the sigil
 * binary). A last entry named "" holds the whole set's key in its hash and
 * the load statistics (files, documents, rules loaded, rules failed) in its
 * per-rule hash slots.
 *
 * Key: XXH3 over the sigil version, every discovered file's path and the
 * XXH3 of its bytes, in discovery order. Files are read and hashed on every
 * run (cheap next to parsing); only when the key matches are the stored
 * rules used, then linked (Sigma filters, correlation references) as usual.
 * The cache file's name is a hash of the paths given, so hunts over
 * different rule folders keep separate entries. Sets with Splunk files
 * (their loading reads macros beside them) are loaded without the cache.
 *
 * Loading mirrors load_rules() (src/catalog/corpus.cpp) step by step —
 * discovery, sniffing, diagnostics for missing, unreadable and non-rule
 * files — so both give the same RuleSet; tests compare them.
 */
namespace {

struct RuleFile {
    std::string path, text;
    RuleFileKind kind = RuleFileKind::Unknown;
    bool readable = false;
};

Diagnostic file_diag(const char* code, const char* msg, const std::string& path, uint32_t line,
                     Severity sev = Severity::Error) {
    Diagnostic d;
    d.severity = sev;
    d.code = code;
    d.message = msg;
    d.loc = SourceLoc{std::make_shared<const std::string>(path), line, line};
    return d;
}

constexpr const char* kSetEntry = "";

// A whole file, read with one open, fstat and read(2) loop (an ifstream
// through a stringstream cost more than hashing the bytes). As with the
// ifstream it replaces, a file that opens is readable, and a read error
// leaves the bytes read so far (a directory reads as empty).
bool read_whole(const std::string& path, std::string& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    out.resize(::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? size_t(st.st_size) : 0);
    size_t got = 0;
    for (;;) {
        ssize_t n;
        if (got < out.size()) {
            n = ::read(fd, out.data() + got, out.size() - got);
            if (n > 0) got += size_t(n);
        } else {  // at the size fstat gave: EOF, or the file is longer
            char more[4096];
            n = ::read(fd, more, sizeof more);
            if (n > 0) {
                out.append(more, size_t(n));
                got += size_t(n);
            }
        }
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
    }
    ::close(fd);
    out.resize(got);
    return true;
}

}  // namespace

RuleCacheStats load_rules_cached(const std::vector<std::string>& paths,
                                 const std::string& cache_dir, RuleSet& out) {
    RuleCacheStats cs;
    if (cache_dir.empty()) {
        load_rules(paths, out);
        return cs;
    }
    Diagnostics walk_diags;
    std::vector<std::string> names = rule_files_under(paths, walk_diags);
    std::vector<RuleFile> files(names.size());
    XXH3_state_t* st = XXH3_createState();
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, SIGIL_VERSION, sizeof(SIGIL_VERSION));
    for (size_t i = 0; i < names.size(); ++i) {
        RuleFile& f = files[i];
        f.path = names[i];
        if (read_whole(f.path, f.text)) {
            f.readable = true;
            f.kind = sniff_rule_file(f.text);
        }
        uint64_t h[2] = {f.readable ? XXH3_64bits(f.text.data(), f.text.size()) : 0, f.path.size()};
        XXH3_64bits_update(st, h, sizeof h);
        XXH3_64bits_update(st, f.path.data(), f.path.size());
        if (f.kind != RuleFileKind::Sigma && f.kind != RuleFileKind::Unknown) {
            XXH3_freeState(st);
            load_rules(paths, out);  // Splunk files: no cache
            return cs;
        }
    }
    uint64_t key = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    cs.used = true;

    std::string joined;
    for (auto& p : paths) joined += p + '\0';
    char name[48];
    std::snprintf(name, sizeof name, "rules-%016llx.cache",
                  (unsigned long long)XXH3_64bits(joined.data(), joined.size()));
    std::string cache_file = (fs::path(cache_dir) / name).string();
    cs.key = key;
    cs.file = cache_file;

    // Unknown files and unreadable ones: diagnostics in file order, as load_rules() gives.
    out.diagnostics = std::move(walk_diags);
    SigmaCollection sc;
    for (auto& f : files) {
        if (!f.readable) {
            out.diagnostics.push_back(file_diag("io.read", "cannot open file", f.path, 0));
            ++sc.stats.rules_failed;
        } else if (f.kind == RuleFileKind::Unknown) {
            out.diagnostics.push_back(file_diag(
                "rules.not_a_rule",
                "not a Sigma or Splunk rule file (no detection, logsource, search or logic "
                "key); skipped",
                f.path, 1, Severity::Warning));
            ++sc.stats.files;
        }
    }

    std::vector<CachedFile> cached;
    if (read_rule_cache(cache_file, cached) && !cached.empty() && cached.back().path == kSetEntry &&
        cached.back().hash == key && cached.back().logic_hashes.size() == 4) {
        const auto& s = cached.back().logic_hashes;
        sc.stats.files += s[0];
        sc.stats.documents += s[1];
        sc.stats.rules_loaded += s[2];
        sc.stats.rules_failed += s[3];
        cached.pop_back();
        for (auto& cf : cached) {
            for (auto& r : cf.rules) sc.rules.push_back(std::move(r));
            for (auto& d : cf.diagnostics) sc.diagnostics.push_back(std::move(d));
        }
        cs.hit = true;
    } else {
        std::vector<CachedFile> fresh;
        SigmaLoadStats before = sc.stats;
        for (auto& f : files) {
            if (!f.readable || f.kind != RuleFileKind::Sigma) continue;
            size_t r0 = sc.rules.size(), d0 = sc.diagnostics.size();
            load_sigma_text(f.text, f.path, sc);
            CachedFile cf;
            cf.path = f.path;
            cf.rules.assign(sc.rules.begin() + long(r0), sc.rules.end());
            cf.diagnostics.assign(sc.diagnostics.begin() + long(d0), sc.diagnostics.end());
            fresh.push_back(std::move(cf));
        }
        CachedFile set;
        set.path = kSetEntry;
        set.hash = key;
        set.logic_hashes = {sc.stats.files - before.files, sc.stats.documents - before.documents,
                            sc.stats.rules_loaded - before.rules_loaded,
                            sc.stats.rules_failed - before.rules_failed};
        set.translations.resize(4);
        set.translated.resize(4);
        fresh.push_back(std::move(set));
        std::error_code ec;
        fs::create_directories(cache_dir, ec);
        cs.stored = write_rule_cache(cache_file, fresh);
    }
    link_sigma_collection(sc);
    out.rules = std::move(sc.rules);
    for (auto& d : sc.diagnostics) out.diagnostics.push_back(std::move(d));
    out.stats = sc.stats;
    return cs;
}

}  // namespace sigil
