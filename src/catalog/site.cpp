// catalog/site.cpp — `sigil catalog build`: loads the rules (through the per-file rule
// cache), runs the analyses and writes the outputs: a full build into a fresh temporary
// directory beside the target, swapped in atomically; an incremental build only the changed
// files, staged and committed through a journal (see OutputTree and recover_catalog_dir).
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "catalog/catalog_internal.h"
#include "catalog/site_internal.h"
#include "sigil/rules.h"
#include "sigil/sigma.h"
#include "sigil/spl.h"

namespace sigil {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// CPU time of the process (user + system): the phase figures of the build report. Wall time
// on a shared machine mostly measures the other jobs.
double cpu_now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

Diagnostic error(const char* code, std::string msg, const std::string& path) {
    Diagnostic d;
    d.code = code;
    d.message = std::move(msg);
    d.loc = SourceLoc{std::make_shared<const std::string>(path), 0, 0};
    return d;
}

// Reads a whole file into `out` with one allocation and no intermediate copy.
bool read_file(const std::string& path, std::string& out) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    struct stat st {};
    bool ok = ::fstat(::fileno(f), &st) == 0;
    out.clear();
    if (ok && st.st_size > 0) {
        out.resize(size_t(st.st_size));
        out.resize(std::fread(out.data(), 1, out.size(), f));
    }
    // A file that grew since fstat (or a pipe): the rest, in blocks.
    char buf[65536];
    for (size_t n; ok && (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    ok = ok && !std::ferror(f);
    std::fclose(f);
    return ok;
}

bool write_file(const fs::path& p, std::string_view data) {
    FILE* f = std::fopen(p.c_str(), "wb");
    if (!f) return false;
    bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    return std::fclose(f) == 0 && ok;
}

/* Loading through the rule cache. Each file is read, hashed (XXH3) and sniffed. A rule file
 * whose path and key are in the previous build's cache gets its rules and diagnostics from
 * there; any other goes to its front-end. The key is the file's hash, and for Splunk
 * detections also the hash of every macro and data source file, since those change how a
 * detection reads. Macros and data sources (the files given, and for a security_content
 * checkout its sibling macros/ and data_sources/ folders) are loaded only when a Splunk
 * detection has to be parsed. The rules are kept as the front-ends made them — before
 * linking — so the new cache can be written from them; linking (Sigma filters, correlation
 * references) then runs over the whole set every time, since a filter in one file changes
 * rules in others. Translations are reused while the rule's linked logic hash is unchanged. */
struct LoadResult {
    std::vector<CachedFile> files;  // the new cache
    // Per entry of `files`: 1 when it differs from what the previous cache holds for it
    // (parsed again, translated or analyzed again), so its cache part must be rewritten.
    std::vector<uint8_t> dirty;
    // Per cache part: whether the previous build's part was read, and the paths it held.
    std::vector<uint8_t> part_read;
    std::vector<std::vector<std::string>> part_paths;
    size_t cached = 0;
    size_t translated = 0;   // rules given to the translator (not from the cache)
    double t_translate = 0;  // CPU seconds in the translator
    // Per catalog rule: its file (index into `files`) and its place among the file's rules.
    std::vector<std::pair<uint32_t, uint32_t>> origin;
    // Per catalog rule: its translations, encoded (in `files`); decoded into the rule's
    // RuleAnalysis::translations only when its pages are rendered.
    std::vector<std::string_view> translations;
    // Per catalog rule: its cached analysis when it was decoded without the parts only its
    // own pages read (decode_analysis_pages adds them when they are rendered); else empty.
    std::vector<std::string_view> analyses;
};

LoadResult load_with_cache(const std::vector<std::string>& paths, const std::string& cache_dir,
                           const Translator& translate, Catalog& c) {
    LoadResult res;
    std::vector<CachedFile> old;
    std::unordered_map<std::string, size_t> old_by_path;
    res.part_read.assign(kRuleCacheParts, 0);
    res.part_paths.assign(kRuleCacheParts, {});
    if (!cache_dir.empty()) {
        char name[8];
        for (size_t p = 0; p < kRuleCacheParts; ++p) {
            std::snprintf(name, sizeof name, "/%02zu", p);
            std::vector<CachedFile> part;
            if (!read_rule_cache(cache_dir + name, part)) continue;
            res.part_read[p] = 1;
            for (auto& f : part) {
                res.part_paths[p].push_back(f.path);
                old.push_back(std::move(f));
            }
        }
        old_by_path.reserve(old.size());
        for (size_t i = 0; i < old.size(); ++i) old_by_path[old[i].path] = i;
    }

    RuleSet set;
    std::vector<std::string> files = rule_files_under(paths, set.diagnostics);
    // security_content checkouts: their macros and data sources
    std::vector<std::string> support;
    {
        std::set<std::string> seen;
        std::error_code ec;
        for (auto& p : paths) {
            fs::path abs = fs::weakly_canonical(p, ec);
            for (fs::path a = abs; !a.empty() && a != a.root_path(); a = a.parent_path())
                if (a.filename() == "detections") {
                    for (const char* sib : {"macros", "data_sources"})
                        if (fs::is_directory(a.parent_path() / sib, ec) &&
                            seen.insert((a.parent_path() / sib).string()).second)
                            for (auto& f : rule_files_under({(a.parent_path() / sib).string()},
                                                            set.diagnostics))
                                support.push_back(f);
                    break;
                }
        }
    }
    std::vector<std::string> texts(files.size());
    std::vector<RuleFileKind> kinds(files.size(), RuleFileKind::Unknown);
    std::vector<uint64_t> hashes(files.size(), 0);
    std::vector<bool> readable(files.size(), false);
    std::vector<std::string> support_texts;
    std::vector<std::string> support_paths;
    uint64_t support_hash = 0x5u;
    auto add_support = [&](const std::string& path, std::string text) {
        uint64_t h = XXH3_64bits(text.data(), text.size());
        support_hash = XXH3_64bits_withSeed(path.data(), path.size(), support_hash ^ h);
        support_paths.push_back(path);
        support_texts.push_back(std::move(text));
    };
    for (size_t fi = 0; fi < files.size(); ++fi) {
        if (!read_file(files[fi], texts[fi])) {
            set.diagnostics.push_back(error("io.read", "cannot read file", files[fi]));
            continue;
        }
        readable[fi] = true;
        kinds[fi] = sniff_rule_file(texts[fi]);
        hashes[fi] = XXH3_64bits(texts[fi].data(), texts[fi].size());
        if (kinds[fi] == RuleFileKind::SplunkSupport) add_support(files[fi], texts[fi]);
    }
    for (auto& f : support) {
        if (std::find(files.begin(), files.end(), f) != files.end()) continue;
        std::string t;
        if (read_file(f, t)) add_support(f, std::move(t));
    }

    SplCollection ctx;  // macros and data sources, loaded on first need
    bool ctx_loaded = false;
    std::vector<size_t> rule_file;  // rule index → index into files
    // Most files hold one rule: reserved so the rules are not moved again as the vector grows.
    set.rules.reserve(files.size() + files.size() / 8);
    rule_file.reserve(set.rules.capacity());
    for (size_t fi = 0; fi < files.size(); ++fi) {
        const std::string& path = files[fi];
        CachedFile cf;
        cf.path = path;
        res.dirty.push_back(1);
        RuleFileKind kind = kinds[fi];
        bool splunk = kind == RuleFileKind::SplunkSecurityContent || kind == RuleFileKind::Armory;
        cf.hash = splunk ? hashes[fi] ^ support_hash : hashes[fi];
        if (!readable[fi] || kind == RuleFileKind::SplunkSupport) {
            res.files.push_back(std::move(cf));
            continue;
        }
        auto it = old_by_path.find(path);
        if (it != old_by_path.end() && old[it->second].hash == cf.hash) {
            cf = std::move(old[it->second]);
            res.dirty.back() = 0;
            ++res.cached;
        } else if (kind == RuleFileKind::Unknown) {
            Diagnostic d = error("rules.not_a_rule",
                                 "not a Sigma or Splunk rule file (no detection, logsource, "
                                 "search or logic key); skipped",
                                 path);
            d.severity = Severity::Warning;
            cf.diagnostics.push_back(std::move(d));
        } else if (splunk) {
            if (!ctx_loaded) {
                for (size_t k = 0; k < support_texts.size(); ++k)
                    load_splunk_text(support_texts[k], support_paths[k], ctx);
                ctx_loaded = true;
            }
            size_t r0 = ctx.rules.size(), d0 = ctx.diagnostics.size();
            load_splunk_text(texts[fi], path, ctx);
            for (size_t k = r0; k < ctx.rules.size(); ++k)
                cf.rules.push_back(std::move(ctx.rules[k]));
            for (size_t k = d0; k < ctx.diagnostics.size(); ++k)
                cf.diagnostics.push_back(std::move(ctx.diagnostics[k]));
            ctx.rules.resize(r0);
            ctx.diagnostics.resize(d0);
        } else {
            SigmaCollection one;
            load_sigma_text(texts[fi], path, one);
            cf.rules = std::move(one.rules);
            cf.diagnostics = std::move(one.diagnostics);
        }
        if (cf.translations.size() != cf.rules.size()) {
            cf.translations.assign(cf.rules.size(), {});
            cf.translated.assign(cf.rules.size(), 0);
            cf.logic_hashes.assign(cf.rules.size(), 0);
        }
        // Moved: the cache keeps the unlinked rules and the diagnostics as bytes.
        seal_cached_file(cf);
        for (auto& r : cf.rules) {
            set.rules.push_back(std::move(r));
            rule_file.push_back(fi);
        }
        for (auto& d : cf.diagnostics) set.diagnostics.push_back(std::move(d));
        res.files.push_back(std::move(cf));
    }
    // Diagnostics of the macro and data source files themselves.
    for (auto& d : ctx.diagnostics) set.diagnostics.push_back(d);
    link_rule_set(set);

    // Keep detection and correlation rules (filters were applied by linking).
    for (auto* v : {&c.texts, &c.files}) v->reserve(set.rules.size());
    c.rules.reserve(set.rules.size());
    c.analyses.reserve(set.rules.size());
    res.origin.reserve(set.rules.size());
    res.translations.reserve(set.rules.size());
    std::vector<size_t> within(files.size(), 0);  // next rule index within its file
    for (size_t i = 0; i < set.rules.size(); ++i) {
        size_t fi = rule_file[i];
        size_t k = within[fi]++;
        Rule& r = set.rules[i];
        if (r.kind == RuleKind::Filter) continue;
        CachedFile& cf = res.files[fi];
        std::vector<Translation> tr;
        std::string_view tr_bytes;
        bool have = false;
        if (translate) {
            uint64_t h = r.conditions.empty() ? 0 : r.expr()->hash;
            if (k < cf.translated.size() && cf.translated[k] && cf.logic_hashes[k] == h) {
                tr_bytes = cf.translations[k];  // decoded if the rule's pages are rendered
            } else {
                double tt = cpu_now();
                tr = translate(r);
                res.t_translate += cpu_now() - tt;
                ++res.translated;
                tr_bytes = cf.keep(encode_translations(tr));
                if (k < cf.translations.size()) {
                    res.dirty[fi] = 1;
                    cf.translations[k] = tr_bytes;
                    cf.translated[k] = 1;
                    cf.logic_hashes[k] = h;
                }
            }
            have = true;
        }
        c.rules.push_back(std::move(r));
        // The file's text moves to its last rule (most files hold one); others get copies.
        if (k + 1 == cf.rules.size())
            c.texts.push_back(std::move(texts[fi]));
        else
            c.texts.push_back(texts[fi]);
        c.files.push_back(files[fi]);
        res.origin.push_back({uint32_t(fi), uint32_t(k)});
        res.translations.push_back(tr_bytes);
        RuleAnalysis a;
        a.translations = std::move(tr);
        a.translations_available = have;
        c.analyses.push_back(std::move(a));
    }
    c.diagnostics = std::move(set.diagnostics);
    return res;
}

/* Per-rule analyses through the rule cache. A rule's own analysis (analyze_rule) depends on
 * its file (text and path, and for Splunk rules the macros: CachedFile::hash), its place in
 * the file, and what linking changed in it — only its conditions, to which Sigma filters in
 * other files are ANDed — plus the binary (knowledge tables; the cache is per binary). The
 * key hashes exactly those, so a cached analysis is decoded instead of recomputed, with the
 * rule's corpus inputs (canonical predicate hashes, conjuncts: CorpusInputs), which depend on
 * the same things. The normalized logic is not rebuilt for them: page keys read its hash
 * (CorpusInputs::logic_hash), and build_catalog rebuilds it (rule_logic) only for the rules
 * whose pages or database rows are written. Changed
 * rules are analyzed and their encoding stored for the next build. */
uint64_t analysis_key(const CachedFile& cf, uint32_t k, const Rule& r) {
    uint64_t v[3] = {cf.hash, k, r.conditions.size()};
    uint64_t h = XXH3_64bits(v, sizeof v);
    for (auto& e : r.conditions) h = XXH3_64bits_withSeed(&e->hash, sizeof e->hash, h);
    return h;
}

void analyze_rules_cached(Catalog& c, LoadResult& lr, std::vector<CorpusInputs>& inputs) {
    CanonicalHashes hashes;
    inputs.assign(c.rules.size(), {});
    lr.analyses.assign(c.rules.size(), {});
    for (size_t i = 0; i < c.rules.size(); ++i) {
        auto [fi, k] = lr.origin[i];
        CachedFile& cf = lr.files[fi];
        const Rule& r = c.rules[i];
        RuleAnalysis& a = c.analyses[i];
        uint64_t key = analysis_key(cf, k, r);
        if (k < cf.analyses.size() && k < cf.analysis_keys.size() && cf.analysis_keys[k] == key &&
            !cf.analyses[k].empty()) {
            RuleAnalysis d;
            CorpusInputs in;
            if (decode_analysis(cf.analyses[k], d, in, false)) {
                lr.analyses[i] = cf.analyses[k];
                // d.logic stays empty: built by build_catalog only for rendered pages.
                d.translations = std::move(a.translations);
                d.translations_available = a.translations_available;
                a = std::move(d);
                inputs[i] = std::move(in);
                continue;
            }
        }
        analyze_rule(r, c.texts[i], a);
        inputs[i] = corpus_inputs(r, a, hashes);
        if (cf.analyses.size() != cf.rules.size()) {
            cf.analyses.assign(cf.rules.size(), {});
            cf.analysis_keys.assign(cf.rules.size(), 0);
        }
        if (k < cf.analyses.size()) {
            lr.dirty[fi] = 1;
            cf.analyses[k] = cf.keep(encode_analysis(a, inputs[i]));
            cf.analysis_keys[k] = key;
        }
    }
}

// The previous build's record: output path → key, rule slug → model key.
struct Manifest {
    std::unordered_map<std::string, uint64_t> files;
    std::unordered_map<std::string, uint64_t> rules;
};

bool read_manifest(const fs::path& p, Manifest& m) {
    std::string text;
    if (!read_file(p.string(), text)) return false;
    std::string_view rest(text);
    auto next_line = [&rest](std::string_view& line) {
        if (rest.empty()) return false;
        size_t nl = rest.find('\n');
        line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        return true;
    };
    std::string_view line;
    if (!next_line(line) || line != "sigil-catalog-manifest 1") return false;
    m.files.reserve(text.size() / 64);
    while (next_line(line)) {
        // "f <hex key> <path>" or "r <hex key> <slug>"
        if (line.size() < 20 || line[1] != ' ' || line[18] != ' ') continue;
        uint64_t key = 0;
        bool hex = true;
        for (char ch : line.substr(2, 16)) {
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (d < 0) hex = false;
            key = key << 4 | uint64_t(d < 0 ? 0 : d);
        }
        if (!hex) continue;
        (line[0] == 'f' ? m.files : m.rules)[std::string(line.substr(19))] = key;
    }
    return true;
}

std::string manifest_text(const Manifest& m) {
    std::string o = "sigil-catalog-manifest 1\n";
    char buf[20];
    auto put = [&](char kind, const std::unordered_map<std::string, uint64_t>& map) {
        std::vector<std::pair<std::string, uint64_t>> v(map.begin(), map.end());
        std::sort(v.begin(), v.end());
        for (auto& [name, key] : v) {
            std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)key);
            o += kind;
            o += ' ';
            o += buf;
            o += ' ';
            o += name;
            o += '\n';
        }
    };
    put('f', m.files);
    put('r', m.rules);
    return o;
}

/* The output of one build, in one of two modes.
 *
 * Fresh (a full build, or no usable previous build): every file is written into the new
 * tree `root_` (DIR.tmp-XXXXXX), which build_catalog() then swaps in with one rename.
 *
 * Staged (an incremental build over a catalog with a manifest): `root_` is the live catalog
 * DIR. A file whose key (a hash of everything it is made from) equals the previous build's
 * is left where it is — no render, no system call. Any other file is written under a number
 * in the staging directory DIR/.sigil/staging-XXXXXX and recorded as a move; files of the
 * previous build that this build no longer makes are recorded as deletions. commit() then
 * writes the journal (a complete list of the moves and deletions, made visible by one
 * rename: the commit point) and applies it. Before the commit point the live catalog has
 * not been touched, so an interrupted build leaves it intact (the next build removes the
 * staging leftovers); after it, recover_catalog_dir() — run by the next build and by
 * `catalog serve` — replays the journal, so the catalog ends up wholly new. Costs per build:
 * one write and one rename per changed file, instead of a link per unchanged file plus the
 * removal of the old tree that a whole-tree swap needs. */
class OutputTree {
  public:
    OutputTree(fs::path root, fs::path staging, const Manifest* old)
        : root_(std::move(root)), staging_(std::move(staging)), old_(old) {
        if (old_) out.files.reserve(old_->files.size()), out.rules.reserve(old_->rules.size());
    }

    bool staged() const { return !staging_.empty(); }

    bool emit(const std::string& rel, uint64_t key, const std::function<std::string()>& render) {
        out.files[rel] = key;
        if (old_) {
            auto it = old_->files.find(rel);
            // Unchanged, and still there (a file deleted by hand is written again).
            if (it != old_->files.end() && it->second == key && exists(rel)) {
                ++reused;
                return true;
            }
        }
        ++written;
        if (!write_file(target(rel), render())) {
            failed.push_back(rel);
            return false;
        }
        return true;
    }
    // A page whose key is its content.
    bool emit_content(const std::string& rel, const std::string& content) {
        uint64_t key = XXH3_64bits(content.data(), content.size());
        return emit(rel, key, [&] { return content; });
    }
    // Where to write the file `rel` of this build (staged: a new staging name, recorded as a
    // move to `rel`).
    fs::path target(const std::string& rel) {
        if (!staged()) return root_ / rel;
        std::string name = std::to_string(moves.size());
        moves.push_back({name, rel});
        return staging_ / name;
    }
    // Staged: records the deletion of the previous build's files that were not emitted.
    void delete_stale() {
        if (!old_ || !staged()) return;
        for (auto& [rel, key] : old_->files)
            if (!out.files.count(rel)) deletions.push_back(rel);
    }
    // Staged: writes the journal, then applies it (see the class comment). With commit_db
    // (the database updated in place), the journal names the database ("Q catalog.sqlite")
    // and commit_db commits its transaction between the journal and the moves.
    bool commit(std::string& err, const std::function<std::string()>& commit_db = {}) {
        fs::path dir = root_ / ".sigil";
        std::string stage = staging_.filename().string();
        std::string j = "sigil-catalog-journal 1\n";
        if (commit_db) j += "Q catalog.sqlite\n";
        for (auto& [name, rel] : moves) j += "R .sigil/" + stage + "/" + name + "\t" + rel + "\n";
        for (auto& rel : deletions) j += "D " + rel + "\n";
        if (!write_file(dir / "journal.tmp", j) ||
            ::rename((dir / "journal.tmp").c_str(), (dir / "journal").c_str()) != 0) {
            err = std::string("cannot write the journal: ") + std::strerror(errno);
            return false;
        }
        if (commit_db) {
            std::string e = commit_db();
            if (!e.empty()) {  // rolled back: the build is abandoned, the catalog unchanged
                ::unlink((dir / "journal").c_str());
                recover_catalog_dir(root_.string());
                err = "cannot commit the database: " + e;
                return false;
            }
        }
        if (!recover_catalog_dir(root_.string())) {
            err = "cannot move the new files into place (the next build retries)";
            return false;
        }
        return true;
    }

    Manifest out;
    size_t written = 0, reused = 0;
    std::vector<std::string> failed;
    std::vector<std::pair<std::string, std::string>> moves;  // staging name → path in DIR
    std::vector<std::string> deletions;

  private:
    fs::path root_, staging_;
    const Manifest* old_;  // staged mode only
    // Names present in each directory of root_ (read once with readdir: a few getdents calls
    // instead of an access() per unchanged file).
    std::unordered_map<std::string, std::unordered_set<std::string>> listing_;

    bool exists(const std::string& rel) {
        size_t slash = rel.rfind('/');
        std::string dir = slash == std::string::npos ? std::string() : rel.substr(0, slash);
        auto [it, fresh] = listing_.try_emplace(dir);
        if (fresh) {
            if (DIR* d = ::opendir((dir.empty() ? root_ : root_ / dir).c_str())) {
                while (dirent* e = ::readdir(d)) it->second.insert(e->d_name);
                ::closedir(d);
            }
        }
        return it->second.count(slash == std::string::npos ? rel : rel.substr(slash + 1)) > 0;
    }
};

bool is_catalog_dir(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p / ".sigil" / "manifest", ec);
}

/* Swap: with the new tree complete in `tmp`, renameat2(RENAME_EXCHANGE) swaps it with the
 * old directory in one step, so readers see either the old or the new catalog; the old
 * tree (now at `tmp`) is then removed. File systems without RENAME_EXCHANGE fall back to
 * two renames, which leave a moment without `out` but never a half-written catalog. */
bool swap_in(const fs::path& tmp, const fs::path& out, std::string& err) {
    std::error_code ec;
    if (!fs::exists(out, ec)) {
        if (::rename(tmp.c_str(), out.c_str()) != 0) {
            err = std::strerror(errno);
            return false;
        }
        return true;
    }
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) == 0) {
        fs::remove_all(tmp, ec);
        return true;
    }
    fs::path old = tmp;
    old += ".old";
    if (::rename(out.c_str(), old.c_str()) != 0 || ::rename(tmp.c_str(), out.c_str()) != 0) {
        err = std::strerror(errno);
        return false;
    }
    fs::remove_all(old, ec);
    return true;
}

/* The key of a rule's pages: a hash of everything its model is made from — the rule's file
 * (its text and path), its place in the file and its linked logic (a filter elsewhere can
 * change it), the slug, the corpus-dependent parts of its analysis (indicator counts,
 * neighbors with their titles), its translations — and the sigil binary, whose templates and
 * knowledge tables also shape the pages. Computing it is a few hashes per rule, so an
 * incremental build knows which pages to render without building any model. */
uint64_t page_key(const Catalog& c, size_t i, uint64_t logic_hash, std::string_view translations,
                  uint64_t fingerprint) {
    const Rule& r = c.rules[i];
    const RuleAnalysis& a = c.analyses[i];
    // Streamed: the same hash as of the concatenation, without copying the translations.
    struct State {
        XXH3_state_t* s = XXH3_createState();
        ~State() { XXH3_freeState(s); }
    } st;
    XXH3_64bits_reset(st.s);
    auto num = [&](uint64_t v) { XXH3_64bits_update(st.s, &v, sizeof v); };
    auto str = [&](std::string_view s) {
        num(s.size());
        XXH3_64bits_update(st.s, s.data(), s.size());
    };
    num(fingerprint);
    num(XXH3_64bits(c.texts[i].data(), c.texts[i].size()));
    str(c.files[i]);
    str(a.slug);
    num(r.loc.line);
    num(r.loc.col);
    num(r.conditions.empty() ? 0 : r.expr()->hash);
    num(logic_hash);
    for (auto& ind : a.indicators)
        for (auto& v : ind.values) {
            num(v.corpus);
            for (uint32_t n : v.by_source) num(n);
        }
    for (auto& n : a.neighbors) {
        num(uint64_t(n.kind) << 32 | n.filters);
        num(uint64_t(n.similarity * 1e6));
        str(c.analyses[n.rule].slug);
        str(c.rules[n.rule].title);
        num(uint64_t(c.rules[n.rule].source));
    }
    for (uint32_t t : a.neighbor_totals) num(t);
    num(a.translations_available);
    str(translations);  // encode_translations: every target, query and error
    return XXH3_64bits_digest(st.s);
}

/* The rule cache is split in kRuleCacheParts parts by a hash of each rule file's path, so
 * that a rebuild after a few changed files rewrites only their parts (~1/64 of the cache
 * each) instead of the whole cache. A part is written when one of its files is new or was
 * parsed, translated or analyzed again (LoadResult::dirty), when the previous build's part
 * could not be read, or when the list of its files changed (a file added or removed). In a
 * staged build the parts are written like every other file: staged, then moved into place by
 * the journal. */
bool write_cache_parts(LoadResult& lr, OutputTree& tree) {
    std::vector<std::vector<const CachedFile*>> parts(kRuleCacheParts);
    std::vector<uint8_t> write(kRuleCacheParts, 0);
    for (size_t i = 0; i < lr.files.size(); ++i) {
        size_t p = rule_cache_part(lr.files[i].path);
        parts[p].push_back(&lr.files[i]);
        if (lr.dirty[i]) write[p] = 1;
    }
    for (size_t p = 0; p < kRuleCacheParts; ++p) {
        if (write[p]) continue;
        const auto& before = lr.part_paths[p];
        bool same = lr.part_read[p] && before.size() == parts[p].size();
        for (size_t k = 0; same && k < before.size(); ++k) same = before[k] == parts[p][k]->path;
        write[p] = !same;
    }
    char name[24];
    for (size_t p = 0; p < kRuleCacheParts; ++p) {
        if (!write[p]) continue;
        std::snprintf(name, sizeof name, ".sigil/cache/%02zu", p);
        if (!write_rule_cache(tree.target(name).string(), parts[p])) return false;
    }
    return true;
}

// The key of a page listing rules (technique, event): its name and each rule's row.
uint64_t list_key(const Catalog& c, const std::string& name, const std::vector<uint32_t>& rules,
                  uint64_t fingerprint) {
    std::string k = name;
    for (uint32_t i : rules) {
        const Rule& r = c.rules[i];
        k += '\x1f' + c.analyses[i].slug + '\x1f' + r.title + '\x1f' + r.level + '\x1f' +
             rule_source_name(r.source);
    }
    return XXH3_64bits_withSeed(k.data(), k.size(), fingerprint);
}

}  // namespace

void load_catalog(const std::vector<std::string>& paths, Catalog& c) {
    load_with_cache(paths, "", nullptr, c);
}

/* Recovery of an incremental build (see OutputTree): a journal DIR/.sigil/journal exists
 * only between an incremental build's commit point and the end of its moves. Replaying it is
 * idempotent — a move whose staged file is gone was done, a deletion of a missing file was
 * done — so an interruption during recovery is recovered the same way. Then the staging
 * directories (of committed or abandoned builds) are removed.
 *
 * The database is updated in place (see build_catalog) with SQLite's rollback journal, and
 * committed after the journal is written and before its moves: a journal naming it ("Q
 * catalog.sqlite") is therefore replayed only if that transaction was committed — SQLite's
 * own journal (catalog.sqlite-journal) is gone. If it is still there, the build died between
 * the two commits: the journal is dropped, and opening the database rolls it back, so the
 * catalog stays wholly the previous one. */
namespace {
// Opening the database and reading it makes SQLite roll back a hot journal.
void roll_back_database(const fs::path& db) {
    sqlite3* h = nullptr;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK)
        sqlite3_exec(h, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    sqlite3_close(h);
}
}  // namespace

bool recover_catalog_dir(const std::string& dir_path) {
    fs::path dir(dir_path);
    fs::path sig = dir / ".sigil";
    std::string text;
    bool ok = true;
    if (read_file((sig / "journal").string(), text)) {
        std::istringstream in(text);
        std::string line;
        bool abandoned = false;
        for (size_t q = text.find("\nQ "); q != std::string::npos; q = text.find("\nQ ", q + 1)) {
            std::string rel = text.substr(q + 3, text.find('\n', q + 3) - (q + 3));
            if (rel.find("..") == std::string::npos && !rel.empty() && rel[0] != '/' &&
                ::access((dir / (rel + "-journal")).c_str(), F_OK) == 0)
                abandoned = true;
        }
        if (!abandoned && std::getline(in, line) && line == "sigil-catalog-journal 1") {
            while (std::getline(in, line)) {
                if (line.size() < 3 || line[1] != ' ') continue;
                std::string arg = line.substr(2);
                if (arg.find("..") != std::string::npos || arg[0] == '/') continue;
                if (line[0] == 'R') {
                    size_t tab = arg.find('\t');
                    if (tab == std::string::npos) continue;
                    fs::path from = dir / arg.substr(0, tab), to = dir / arg.substr(tab + 1);
                    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) ok = false;
                } else if (line[0] == 'D') {
                    if (::unlink((dir / arg).c_str()) != 0 && errno != ENOENT) ok = false;
                }
            }
        }
        if (!ok) return false;
        ::unlink((sig / "journal").c_str());
    }
    // A database transaction that was never committed (its hot journal): rolled back now.
    if (::access((dir / "catalog.sqlite-journal").c_str(), F_OK) == 0)
        roll_back_database(dir / "catalog.sqlite");
    ::unlink((sig / "journal.tmp").c_str());
    std::error_code ec;
    if (DIR* d = ::opendir(sig.c_str())) {
        std::vector<std::string> stale;
        while (dirent* e = ::readdir(d))
            if (std::strncmp(e->d_name, "staging-", 8) == 0) stale.push_back(e->d_name);
        ::closedir(d);
        for (auto& n : stale) fs::remove_all(sig / n, ec);
    }
    return ok;
}

CatalogBuildReport build_catalog(const CatalogBuildOptions& o) {
    CatalogBuildReport rep;
    double t0 = cpu_now();
    std::error_code ec;
    fs::path out = fs::path(o.out_dir).lexically_normal();
    if (out.has_filename() == false) out = out.parent_path();
    if (out.empty()) {
        rep.diagnostics.push_back(error("catalog.out.empty", "no output directory", o.out_dir));
        return rep;
    }
    fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
    if (fs::exists(out, ec)) {
        if (!fs::is_directory(out, ec)) {
            rep.diagnostics.push_back(error("catalog.out.not_dir",
                                            "the output path exists and is not a directory",
                                            out.string()));
            return rep;
        }
        if (!is_catalog_dir(out) && !fs::is_empty(out, ec)) {
            rep.diagnostics.push_back(
                error("catalog.out.not_catalog",
                      "the output directory is not empty and holds no sigil catalog; refusing to "
                      "replace it",
                      out.string()));
            return rep;
        }
    } else if (!fs::exists(parent, ec)) {
        fs::create_directories(parent, ec);
    }
    // Leftovers of interrupted full builds: DIR.tmp-XXXXXX siblings holding a partial catalog.
    std::string stem = out.filename().string() + ".tmp-";
    for (auto& e : fs::directory_iterator(parent, ec)) {
        std::string n = e.path().filename().string();
        if (n.size() == stem.size() + 6 && n.compare(0, stem.size(), stem) == 0 &&
            e.is_directory(ec))
            fs::remove_all(e.path(), ec);
    }
    // Leftovers of interrupted incremental builds: finish a committed one, drop the others.
    if (is_catalog_dir(out) && !recover_catalog_dir(out.string())) {
        rep.diagnostics.push_back(error(
            "catalog.out.recover",
            "an interrupted build's journal (.sigil/journal) could not be applied", out.string()));
        return rep;
    }

    // Everything big lives in `w`: with keep_memory it is left unreleased at the end.
    struct Work {
        Catalog c;
        LoadResult lr;
        Manifest old;
        std::unique_ptr<OutputTree> tree;
        std::unique_ptr<CatalogDb> db;
        SiteIndex site;
    };
    auto w = std::make_unique<Work>();
    struct Leak {
        std::unique_ptr<Work>& w;
        bool keep;
        ~Leak() {
            if (keep) (void)w.release();
        }
    } leak{w, o.keep_memory};
    Catalog& c = w->c;
    Manifest& old = w->old;

    bool incremental =
        o.incremental && is_catalog_dir(out) && read_manifest(out / ".sigil" / "manifest", old);
    // Fresh: a new tree DIR.tmp-XXXXXX. Staged: DIR/.sigil/staging-XXXXXX.
    std::string tmpl = incremental ? (out / ".sigil" / "staging-").string() + "XXXXXX"
                                   : (parent / stem).string() + "XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back(0);
    if (!::mkdtemp(buf.data())) {
        rep.diagnostics.push_back(error(
            "catalog.out.tmp",
            std::string("cannot create a temporary directory: ") + std::strerror(errno), tmpl));
        return rep;
    }
    fs::path tmp = buf.data();
    bool db_in_place = false;  // the live database, updated in one uncommitted transaction
    auto fail = [&](const char* code, std::string msg, const std::string& path) {
        rep.diagnostics.push_back(error(code, std::move(msg), path));
        if (db_in_place && w->db) w->db->rollback();
        fs::remove_all(tmp, ec);
        return rep;
    };
    fs::path root = incremental ? out : tmp;  // where the outputs go (staged or not)
    for (const char* d : {".sigil", ".sigil/cache", "rules", "techniques", "events", "assets"})
        fs::create_directories(root / d, ec);
    if (!incremental) ::chmod(tmp.c_str(), 0755);  // mkdtemp makes it 0700; a site is read

    // Load.
    w->lr =
        load_with_cache(o.paths, incremental ? (out / ".sigil" / "cache").string() : std::string(),
                        o.analysis.translate, c);
    LoadResult& lr = w->lr;
    rep.files = lr.files.size();
    rep.files_cached = lr.cached;
    rep.rules = c.rules.size();
    rep.translated = lr.translated;
    rep.t_translate = lr.t_translate;
    for (auto& d : c.diagnostics)
        if (d.severity == Severity::Error) ++rep.rules_failed;
    rep.diagnostics = c.diagnostics;
    double t1 = cpu_now();
    rep.t_load = t1 - t0 - lr.t_translate;

    // Analyze.
    std::vector<uint64_t> logic_hashes(c.rules.size());
    {
        std::vector<CorpusInputs> inputs;
        analyze_rules_cached(c, lr, inputs);
        analyze_corpus_inputs(c, o.analysis, inputs);
        for (size_t i = 0; i < inputs.size(); ++i) logic_hashes[i] = inputs[i].logic_hash;
    }
    double t2 = cpu_now();
    rep.t_analyze = t2 - t1;

    // Render rule pages and update the database in the same pass over the models.
    w->tree = std::make_unique<OutputTree>(root, incremental ? tmp : fs::path(),
                                           incremental ? &old : nullptr);
    OutputTree& tree = *w->tree;
    HtmlRenderer html;
    html.rule_count = c.rules.size();
    w->db = std::make_unique<CatalogDb>();
    fs::path db_path = tmp / "catalog.sqlite";
    bool db_fresh = true;
    if (o.sqlite) {
        std::string e;
        // Incremental: the previous database is updated in place, in a transaction committed
        // with the build (OutputTree::commit), instead of copying ~110 MB to update the copy.
        if (incremental && fs::exists(out / "catalog.sqlite", ec)) {
            db_path = out / "catalog.sqlite";
            e = w->db->open(db_path.string(), false, true);
            if (e.empty()) {
                db_fresh = false;
                db_in_place = true;
            } else {  // an unreadable or older database: a fresh one, staged
                w->db = std::make_unique<CatalogDb>();
            }
        }
        if (db_fresh && incremental) db_path = tree.target("catalog.sqlite");
        if (db_fresh) {
            e = w->db->open(db_path.string(), true);
            if (!e.empty()) return fail("catalog.sqlite", e, db_path.string());
        }
    }
    CatalogDb& db = *w->db;
    const uint64_t fp = binary_fingerprint();
    double t_db = 0;
    std::unordered_set<std::string> slugs;
    slugs.reserve(c.rules.size());
    for (size_t i = 0; i < c.rules.size(); ++i) {
        uint64_t key = page_key(c, i, logic_hashes[i], lr.translations[i], fp);
        const std::string& slug = c.analyses[i].slug;
        slugs.insert(slug);
        tree.out.rules[slug] = key;
        bool changed = db_fresh;
        if (!changed) {
            auto it = old.rules.find(slug);
            changed = it == old.rules.end() || it->second != key;
        }
        // The model is built only when something made from it must be written.
        std::optional<json> m;
        std::string js;
        auto model = [&]() -> const json& {
            if (!m) {
                RuleAnalysis& a = c.analyses[i];
                if (!a.logic) a.logic = rule_logic(c.rules[i]);
                if (a.translations.empty() && !lr.translations[i].empty())
                    decode_translations(lr.translations[i], a.translations);
                if (!lr.analyses[i].empty()) {
                    decode_analysis_pages(lr.analyses[i], a);
                    lr.analyses[i] = {};
                }
                m = rule_model(c, i);
                js = rule_json_text(*m);
            }
            return *m;
        };
        if (o.sqlite && changed) {
            const json& mj = model();  // counted as render time: every output reads it
            double td = cpu_now();
            std::string e = db.put_rule(mj, !db_fresh);
            t_db += cpu_now() - td;
            if (!e.empty()) return fail("catalog.sqlite", e, db_path.string());
        }
        std::string base = "rules/" + slug;
        if (o.json) tree.emit(base + ".json", key, [&] { return model(), js; });
        if (o.html) tree.emit(base + ".html", key, [&] { return html.rule_page(model()); });
        if (o.markdown) tree.emit(base + ".md", key, [&] { return rule_markdown(model()); });
    }
    if (o.sqlite && !db_fresh)
        for (auto& [slug, key] : old.rules)
            if (!slugs.count(slug)) {
                std::string e = db.remove_rule(slug);
                if (!e.empty()) return fail("catalog.sqlite", e, db_path.string());
            }

    // Site pages.
    w->site = index_site(c);
    SiteIndex& site = w->site;
    if (o.html) {
        tree.emit_content("index.html", html.index_page(c, site));
        tree.emit_content("search-index.js", search_index_js(c));
        tree.emit_content("assets/style.css",
                          std::string(detail::embedded_catalog_asset("style.css")));
        tree.emit_content("assets/app.js", std::string(detail::embedded_catalog_asset("app.js")));
        tree.emit_content("matrix.html", html.matrix_page(c, site));
        tree.emit_content("logsources.html", html.logsources_page(c));
        tree.emit_content("downloads.html", html.downloads_page(c));
        tree.emit_content("events/index.html", html.events_page(c, site));
        for (auto& entry : site.by_event) {
            const auto& key =
                entry.first;  // a named reference: lambdas cannot capture bindings in clang 14
            tree.emit("events/" + key + ".html", list_key(c, key, entry.second, fp),
                      [&] { return html.event_page(c, site, key); });
        }
        // A page per technique with rules, and per parent of one (sub-technique lists).
        std::set<std::string> techs;
        for (auto& [id, rules] : site.by_technique) {
            techs.insert(id);
            techs.insert(id.substr(0, id.find('.')));
        }
        for (auto& id : techs) {
            // A technique page lists its rules and its sub-techniques' rule counts.
            static const std::vector<uint32_t> none;
            auto it = site.by_technique.find(id);
            uint64_t key = list_key(c, id, it == site.by_technique.end() ? none : it->second, fp);
            for (auto jt = site.by_technique.lower_bound(id + ".");
                 jt != site.by_technique.end() && jt->first.rfind(id + ".", 0) == 0; ++jt)
                key = XXH3_64bits_withSeed(jt->first.data(), jt->first.size(),
                                           key + jt->second.size());
            tree.emit("techniques/" + id + ".html", key,
                      [&] { return html.technique_page(c, site, id); });
        }
    }
    tree.emit_content("rules.csv", rules_csv(c));
    tree.emit_content("navigator-layer.json", navigator_layer(c, site));
    double t3 = cpu_now();
    if (o.sqlite) {
        std::string e = db.finish(c.rules.size(), !db_in_place);
        if (!e.empty()) return fail("catalog.sqlite", e, db_path.string());
    }
    if (!db_in_place) w->db.reset();  // closed before it is moved into place
    double t4 = cpu_now();
    rep.t_sqlite = t_db + (t4 - t3);
    rep.t_render = t3 - t2 - t_db;
    rep.pages_written = tree.written;
    rep.pages_reused = tree.reused;
    if (!tree.failed.empty())
        return fail("catalog.out.write", "cannot write " + tree.failed.front(), tmp.string());

    if (!write_cache_parts(lr, tree))
        return fail("catalog.out.write", "cannot write the rule cache", tmp.string());
    tree.delete_stale();
    // The single-file cache of builds before the split: no longer read.
    if (incremental && ::access((out / ".sigil" / "rules.cache").c_str(), F_OK) == 0)
        tree.deletions.push_back(".sigil/rules.cache");
    if (!write_file(tree.target(".sigil/manifest"), manifest_text(tree.out)))
        return fail("catalog.out.write", "cannot write the manifest", tmp.string());

    std::string err;
    if (incremental) {
        std::function<std::string()> commit_db;
        if (db_in_place)
            commit_db = [&] {
                std::string e = w->db->commit();
                if (!e.empty()) w->db->rollback();
                w->db.reset();
                return e;
            };
        if (!tree.commit(err, commit_db)) {
            rep.diagnostics.push_back(error("catalog.out.swap", err, out.string()));
            return rep;
        }
    } else if (!swap_in(tmp, out, err)) {
        return fail("catalog.out.swap", "cannot move the new catalog into place: " + err,
                    out.string());
    }
    rep.t_swap = cpu_now() - t4;
    rep.ok = true;
    return rep;
}

}  // namespace sigil
