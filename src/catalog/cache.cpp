// catalog/cache.cpp — the rule cache of a catalog build: every source file's rules (as the
// front-end produced them, before collection linking), diagnostics and translations, keyed
// by the file's path and content hash, so a rebuild parses only the files that changed.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "catalog/catalog_internal.h"

namespace sigil {

/* Format: a binary stream, little-endian as written by this machine (the cache never leaves
 * it). Header: magic "SIGILRC", format version, and a fingerprint of the sigil binary (size
 * and modification time of /proc/self/exe), so a rebuilt sigil — whose front-ends may read
 * rules differently — never trusts an old cache. Then per file: path, XXH3 of the bytes,
 * rules, diagnostics, translations, and per rule its cached analysis (key + encoded bytes, see
 * encode_analysis). Integers are LEB128 varints, strings length-prefixed,
 * expressions a pre-order tree. A short or malformed cache is ignored as a whole: reading
 * returns false and the build parses every file. */
namespace {

constexpr char kMagic[8] = {'S', 'I', 'G', 'I', 'L', 'R', 'C', '1'};
constexpr uint64_t kFormat = 5;

}  // namespace

uint64_t binary_fingerprint() {
    struct stat st {};
    uint64_t v[3] = {kFormat, 0, 0};
    if (::stat("/proc/self/exe", &st) == 0) {
        v[1] = uint64_t(st.st_size);
        v[2] = uint64_t(st.st_mtim.tv_sec) * 1000000000ull + uint64_t(st.st_mtim.tv_nsec);
    }
    return XXH3_64bits(v, sizeof v) ^ XXH3_64bits(SIGIL_VERSION, sizeof(SIGIL_VERSION));
}

size_t rule_cache_part(std::string_view path) {
    return size_t(XXH3_64bits(path.data(), path.size()) % kRuleCacheParts);
}

namespace {

struct Writer {
    std::string out;
    void u(uint64_t v) {
        while (v >= 0x80) {
            out += char(uint8_t(v) | 0x80);
            v >>= 7;
        }
        out += char(uint8_t(v));
    }
    void s(std::string_view x) {
        u(x.size());
        out += x;
    }
    void f(double d) {
        char b[8];
        std::memcpy(b, &d, 8);
        out.append(b, 8);
    }
    void strs(const std::vector<std::string>& v) {
        u(v.size());
        for (auto& x : v) s(x);
    }
    void pairs(const std::vector<std::pair<std::string, std::string>>& v) {
        u(v.size());
        for (auto& [a, b] : v) s(a), s(b);
    }
    void loc(const SourceLoc& l) { u(l.line), u(l.col); }
    void expr(const ExprPtr& e) {
        if (!e) {
            u(255);
            return;
        }
        u(uint64_t(e->kind));
        if (e->kind == ExprKind::Pred) {
            const Pred& p = *e->pred;
            s(p.field);
            u(uint64_t(p.op));
            u(uint64_t(p.value.kind));
            u(p.value.b);
            u(uint64_t(p.value.i));
            f(p.value.f);
            s(p.value.s);
            u(p.cased);
            u(p.re_flags);
            u(uint64_t(p.time_part));
            u(p.placeholders);
            loc(p.loc);
            return;
        }
        u(e->kids.size());
        for (auto& k : e->kids) expr(k);
    }
};

struct Reader {
    std::string_view in;
    size_t pos = 0;
    bool ok = true;
    std::shared_ptr<const std::string> file;
    uint64_t u() {
        uint64_t v = 0;
        int shift = 0;
        while (pos < in.size() && shift < 64) {
            uint8_t b = uint8_t(in[pos++]);
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
            shift += 7;
        }
        ok = false;
        return 0;
    }
    std::string s() { return std::string(view()); }
    // The next string's bytes where they are (in the input), not copied.
    std::string_view view() {
        uint64_t n = u();
        if (!ok || n > in.size() - pos) {
            ok = false;
            return {};
        }
        std::string_view r = in.substr(pos, n);
        pos += n;
        return r;
    }
    double f() {
        if (in.size() - pos < 8) {
            ok = false;
            return 0;
        }
        double d;
        std::memcpy(&d, in.data() + pos, 8);
        pos += 8;
        return d;
    }
    size_t count() {
        uint64_t n = u();
        if (n > in.size()) ok = false;  // every element takes at least one byte
        return ok ? size_t(n) : 0;
    }
    std::vector<std::string> strs() {
        std::vector<std::string> v(count());
        for (auto& x : v) x = s();
        return v;
    }
    std::vector<std::pair<std::string, std::string>> pairs() {
        std::vector<std::pair<std::string, std::string>> v(count());
        for (auto& [a, b] : v) a = s(), b = s();
        return v;
    }
    SourceLoc loc() {
        SourceLoc l;
        l.file = file;
        l.line = uint32_t(u());
        l.col = uint32_t(u());
        return l;
    }
    ExprPtr expr(int depth = 0) {
        uint64_t k = u();
        if (k == 255 || !ok) return nullptr;
        if (depth > 4000 || k > uint64_t(ExprKind::False)) {
            ok = false;
            return nullptr;
        }
        auto kind = ExprKind(k);
        switch (kind) {
            // The writer gives True and False a (zero) child count like And and Or.
            case ExprKind::True:
                return count() == 0 ? Expr::make_true() : (ok = false, nullptr);
            case ExprKind::False:
                return count() == 0 ? Expr::make_false() : (ok = false, nullptr);
            case ExprKind::Pred: {
                Pred p;
                p.field = s();
                p.op = Op(u());
                p.value.kind = ValueKind(u());
                p.value.b = u();
                p.value.i = int64_t(u());
                p.value.f = f();
                p.value.s = s();
                p.cased = u();
                p.re_flags = uint8_t(u());
                p.time_part = TimePart(u());
                p.placeholders = u();
                p.loc = loc();
                return Expr::make_pred(std::move(p));
            }
            default:
                break;
        }
        std::vector<ExprPtr> kids(count());
        for (auto& c : kids) {
            c = expr(depth + 1);
            if (!c) {
                ok = false;
                return nullptr;
            }
        }
        if (kind == ExprKind::Not) {
            if (kids.size() != 1) {
                ok = false;
                return nullptr;
            }
            return Expr::make_not(kids[0]);
        }
        // Build And/Or directly: make_and/make_or collapse one child, which the front-end's
        // tree may not have done.
        auto e = kind == ExprKind::And ? Expr::make_and(kids) : Expr::make_or(kids);
        return e;
    }
};

void write_rule(Writer& w, const Rule& r) {
    w.u(uint64_t(r.kind));
    w.u(uint64_t(r.source));
    w.loc(r.loc);
    for (const std::string* x : {&r.id, &r.name, &r.title, &r.description, &r.status, &r.level,
                                 &r.author, &r.license, &r.taxonomy, &r.date, &r.modified})
        w.s(*x);
    for (auto* v : {&r.tags, &r.references, &r.falsepositives, &r.fields, &r.scope}) w.strs(*v);
    w.u(r.related.size());
    for (auto& x : r.related) w.s(x.id), w.s(x.type);
    w.pairs(r.custom);
    w.s(r.logsource.category), w.s(r.logsource.product), w.s(r.logsource.service),
        w.s(r.logsource.definition);
    w.pairs(r.logsource.custom);
    w.u(r.detections.size());
    for (auto& [n, e] : r.detections) w.s(n), w.expr(e);
    w.u(r.conditions.size());
    for (auto& e : r.conditions) w.expr(e);
    w.strs(r.condition_text);
    w.strs(r.filter_rules);
    w.u(r.filter_any);
    w.u(r.stages.size());
    for (auto& s : r.stages) w.s(s.command), w.s(s.text), w.expr(s.expr), w.loc(s.loc);
    w.u(r.correlation.has_value());
    if (r.correlation) {
        const Correlation& c = *r.correlation;
        w.u(uint64_t(c.type));
        w.strs(c.rules);
        w.strs(c.group_by);
        w.u(c.timespan_seconds);
        w.s(c.timespan_text);
        w.u(c.condition.size());
        for (auto& [op, v] : c.condition) w.u(uint64_t(op)), w.f(v);
        w.strs(c.condition_fields);
        w.u(c.percentile.has_value());
        w.f(c.percentile.value_or(0));
        w.s(c.extended_condition);
        w.u(c.aliases.size());
        for (auto& [a, m] : c.aliases) {
            w.s(a);
            w.u(m.size());
            for (auto& [k, v] : m) w.s(k), w.s(v);
        }
        w.u(c.generate);
    }
}

bool read_rule(Reader& rd, Rule& r) {
    r.kind = RuleKind(rd.u());
    r.source = RuleSource(rd.u());
    r.loc = rd.loc();
    for (std::string* x : {&r.id, &r.name, &r.title, &r.description, &r.status, &r.level, &r.author,
                           &r.license, &r.taxonomy, &r.date, &r.modified})
        *x = rd.s();
    for (auto* v : {&r.tags, &r.references, &r.falsepositives, &r.fields, &r.scope}) *v = rd.strs();
    r.related.resize(rd.count());
    for (auto& x : r.related) x.id = rd.s(), x.type = rd.s();
    r.custom = rd.pairs();
    r.logsource.category = rd.s();
    r.logsource.product = rd.s();
    r.logsource.service = rd.s();
    r.logsource.definition = rd.s();
    r.logsource.custom = rd.pairs();
    r.detections.resize(rd.count());
    for (auto& [n, e] : r.detections) n = rd.s(), e = rd.expr();
    r.conditions.resize(rd.count());
    for (auto& e : r.conditions) {
        e = rd.expr();
        if (!e) rd.ok = false;
    }
    r.condition_text = rd.strs();
    r.filter_rules = rd.strs();
    r.filter_any = rd.u();
    r.stages.resize(rd.count());
    for (auto& s : r.stages)
        s.command = rd.s(), s.text = rd.s(), s.expr = rd.expr(), s.loc = rd.loc();
    if (rd.u()) {
        Correlation c;
        c.type = Correlation::Type(rd.u());
        c.rules = rd.strs();
        c.group_by = rd.strs();
        c.timespan_seconds = rd.u();
        c.timespan_text = rd.s();
        c.condition.resize(rd.count());
        for (auto& [op, v] : c.condition) op = CmpOp(rd.u()), v = rd.f();
        c.condition_fields = rd.strs();
        bool has_p = rd.u();
        double p = rd.f();
        if (has_p) c.percentile = p;
        c.extended_condition = rd.s();
        size_t na = rd.count();
        for (size_t i = 0; i < na && rd.ok; ++i) {
            std::string a = rd.s();
            auto& m = c.aliases[a];
            size_t nm = rd.count();
            for (size_t j = 0; j < nm && rd.ok; ++j) {
                std::string k = rd.s();
                m[k] = rd.s();
            }
        }
        c.generate = rd.u();
        r.correlation = std::move(c);
    }
    return rd.ok;
}

std::string encode_rule(const Rule& r) {
    Writer w;
    write_rule(w, r);
    return std::move(w.out);
}

std::string encode_diagnostics(const Diagnostics& v) {
    Writer w;
    w.u(v.size());
    for (auto& d : v) {
        w.u(uint64_t(d.severity));
        w.s(d.code);
        w.s(d.message);
        w.s(d.loc.file ? *d.loc.file : std::string());
        w.loc(d.loc);
        w.s(d.rule);
    }
    return std::move(w.out);
}

// The part of `rd` that `bytes` views, read on its own (same file for the locations).
Reader sub_reader(const Reader& rd, std::string_view bytes) {
    Reader sub;
    sub.in = bytes;
    sub.file = rd.file;
    return sub;
}

}  // namespace

/* A rule's own analysis (analyze_rule's output) as bytes: every field except the normalized
 * logic, which the corpus analyses need as live expressions and which is recomputed
 * (rule_logic), and the corpus-dependent parts (indicator counts, neighbors, translations),
 * which are filled in later. Same varint/string encoding as the rest of the cache. */
std::string encode_analysis(const RuleAnalysis& a, const CorpusInputs& in) {
    // First the parts only a rule's own pages read, length-prefixed (skipped by a decoder
    // that wants only the rest), then what the site pages and corpus analyses read.
    Writer p;
    auto pi = [&](int v) { p.u(uint64_t(int64_t(v))); };
    p.u(a.stages.size());
    for (auto& v : a.stages) pi(v.number), p.s(v.label), p.s(v.text), p.strs(v.predicates);
    p.u(a.exclusions.size());
    for (auto& x : a.exclusions) p.s(x.field), p.s(x.kind), p.strs(x.values);
    p.u(a.search_terms.size());
    for (auto& t : a.search_terms) pi(t.stage), p.s(t.term);
    p.strs(a.other_tags);
    p.u(a.data_needed.size());
    for (auto& d : a.data_needed)
        p.s(d.channel), p.s(d.provider), p.u(d.event_id), p.s(d.atc_id), p.s(d.audit);
    p.u(a.triggers.size());
    for (auto& t : a.triggers)
        p.s(t.technique), pi(t.number), p.s(t.name), p.s(t.guid), p.s(t.executor), p.s(t.match);

    Writer w;
    auto i = [&](int v) { w.u(uint64_t(int64_t(v))); };
    w.s(p.out);
    w.s(a.slug);
    w.u(a.indicators.size());
    for (auto& x : a.indicators) {
        w.s(x.field), w.s(x.kind);
        w.u(x.values.size());
        for (auto& v : x.values) w.s(v.value);
    }
    auto tech = [&](const TechniqueRef& t) {
        w.s(t.id), w.s(t.display), w.s(t.tagged), w.s(t.fate);
    };
    w.u(a.tactics.size());
    for (auto& t : a.tactics) {
        w.s(t.tactic_id), w.s(t.tactic), i(t.order);
        w.u(t.techniques.size());
        for (auto& x : t.techniques) tech(x);
    }
    w.u(a.techniques.size());
    for (auto& x : a.techniques) tech(x);
    for (auto* v : {&a.software, &a.groups}) {
        w.u(v->size());
        for (auto& x : *v) w.s(x.id), w.s(x.name), w.s(x.display);
    }
    w.u(a.events.size());
    for (auto& e : a.events)
        w.s(e.provider), w.s(e.provider_short), w.s(e.channel), w.u(e.event_id), w.s(e.title),
            w.s(e.origin);
    auto hashes = [&](const std::vector<uint64_t>& v) {
        w.u(v.size());
        for (uint64_t h : v) w.u(h);
    };
    hashes(in.indicator_set);
    w.u(in.value_hashes.size());
    for (auto& row : in.value_hashes) {
        w.u(row.size());
        for (auto& [found, h] : row) w.u(found), w.u(h);
    }
    w.u(in.shape.usable);
    w.u(in.shape.conj.size());
    for (auto& cj : in.shape.conj) w.u(cj.hash), hashes(cj.disjuncts);
    hashes(in.shape.conj_hashes);
    hashes(in.shape.preds);
    w.u(in.logic_hash);
    return std::move(w.out);
}

bool decode_analysis_pages(std::string_view bytes, RuleAnalysis& a) {
    Reader outer;
    outer.in = bytes;
    Reader rd;
    rd.in = outer.view();
    if (!outer.ok) return false;
    auto i = [&] { return int(int64_t(rd.u())); };
    a.stages.resize(rd.count());
    for (auto& v : a.stages)
        v.number = i(), v.label = rd.s(), v.text = rd.s(), v.predicates = rd.strs();
    a.exclusions.resize(rd.count());
    for (auto& x : a.exclusions) x.field = rd.s(), x.kind = rd.s(), x.values = rd.strs();
    a.search_terms.resize(rd.count());
    for (auto& t : a.search_terms) t.stage = i(), t.term = rd.s();
    a.other_tags = rd.strs();
    a.data_needed.resize(rd.count());
    for (auto& d : a.data_needed)
        d.channel = rd.s(), d.provider = rd.s(), d.event_id = uint32_t(rd.u()), d.atc_id = rd.s(),
        d.audit = rd.s();
    a.triggers.resize(rd.count());
    for (auto& t : a.triggers)
        t.technique = rd.s(), t.number = i(), t.name = rd.s(), t.guid = rd.s(), t.executor = rd.s(),
        t.match = rd.s();
    return rd.ok && rd.pos == rd.in.size();
}

bool decode_analysis(std::string_view bytes, RuleAnalysis& a, CorpusInputs& in, bool pages) {
    Reader rd;
    rd.in = bytes;
    auto i = [&] { return int(int64_t(rd.u())); };
    rd.view();  // the page parts: decode_analysis_pages
    if (pages && !decode_analysis_pages(bytes, a)) return false;
    a.slug = rd.s();
    a.indicators.resize(rd.count());
    for (auto& x : a.indicators) {
        x.field = rd.s(), x.kind = rd.s();
        x.values.resize(rd.count());
        for (auto& v : x.values) v.value = rd.s();
    }
    auto tech = [&](TechniqueRef& t) {
        t.id = rd.s(), t.display = rd.s(), t.tagged = rd.s(), t.fate = rd.s();
    };
    a.tactics.resize(rd.count());
    for (auto& t : a.tactics) {
        t.tactic_id = rd.s(), t.tactic = rd.s(), t.order = i();
        t.techniques.resize(rd.count());
        for (auto& x : t.techniques) tech(x);
    }
    a.techniques.resize(rd.count());
    for (auto& x : a.techniques) tech(x);
    for (auto* v : {&a.software, &a.groups}) {
        v->resize(rd.count());
        for (auto& x : *v) x.id = rd.s(), x.name = rd.s(), x.display = rd.s();
    }
    a.events.resize(rd.count());
    for (auto& e : a.events)
        e.provider = rd.s(), e.provider_short = rd.s(), e.channel = rd.s(),
        e.event_id = uint32_t(rd.u()), e.title = rd.s(), e.origin = rd.s();
    auto hashes = [&](std::vector<uint64_t>& v) {
        v.resize(rd.count());
        for (auto& h : v) h = rd.u();
    };
    hashes(in.indicator_set);
    in.value_hashes.resize(rd.count());
    for (auto& row : in.value_hashes) {
        row.resize(rd.count());
        for (auto& [found, h] : row) found = rd.u() != 0, h = rd.u();
    }
    in.shape.usable = rd.u() != 0;
    in.shape.conj.resize(rd.count());
    for (auto& cj : in.shape.conj) cj.hash = rd.u(), hashes(cj.disjuncts);
    hashes(in.shape.conj_hashes);
    hashes(in.shape.preds);
    in.logic_hash = rd.u();
    return rd.ok && rd.pos == bytes.size();
}

void seal_cached_file(CachedFile& f) {
    if (f.sealed) return;
    f.rule_bytes.clear();
    for (auto& r : f.rules) f.rule_bytes.push_back(f.keep(encode_rule(r)));
    f.diagnostic_bytes = f.keep(encode_diagnostics(f.diagnostics));
    f.sealed = true;
}

std::string encode_translations(const std::vector<Translation>& v) {
    Writer w;
    w.u(v.size());
    for (auto& t : v) w.s(t.target), w.s(t.query), w.s(t.error);
    return std::move(w.out);
}

bool decode_translations(std::string_view bytes, std::vector<Translation>& out) {
    Reader rd;
    rd.in = bytes;
    out.resize(rd.count());
    for (auto& t : out) t.target = rd.s(), t.query = rd.s(), t.error = rd.s();
    if (rd.ok && rd.pos == bytes.size()) return true;
    out.clear();
    return false;
}

bool write_rule_cache(const std::string& file, const std::vector<CachedFile>& files,
                      size_t size_hint) {
    std::vector<const CachedFile*> v;
    v.reserve(files.size());
    for (auto& f : files) v.push_back(&f);
    return write_rule_cache(file, v, size_hint);
}

bool write_rule_cache(const std::string& file, const std::vector<const CachedFile*>& files,
                      size_t size_hint) {
    Writer w;
    // Sized like the previous cache (about as big): no regrowth copies of tens of MB.
    w.out.reserve(size_hint + (size_hint >> 4));
    w.out.append(kMagic, 8);
    w.u(binary_fingerprint());
    w.u(files.size());
    for (const CachedFile* fp : files) {
        const CachedFile& f = *fp;
        w.s(f.path);
        w.u(f.hash);
        if (f.sealed) {
            w.u(f.rule_bytes.size());
            for (auto& bytes : f.rule_bytes) w.s(bytes);
            w.s(f.diagnostic_bytes);
        } else {
            w.u(f.rules.size());
            for (auto& r : f.rules) w.s(encode_rule(r));
            w.s(encode_diagnostics(f.diagnostics));
        }
        w.u(f.translations.size());
        for (size_t k = 0; k < f.translations.size(); ++k) {
            w.u(k < f.translated.size() ? f.translated[k] : 0);
            w.u(k < f.logic_hashes.size() ? f.logic_hashes[k] : 0);
            w.s(f.translations[k]);
        }
        w.u(f.analyses.size());
        for (size_t k = 0; k < f.analyses.size(); ++k) {
            w.u(k < f.analysis_keys.size() ? f.analysis_keys[k] : 0);
            w.s(f.analyses[k]);
        }
    }
    std::string tmp = file + ".part";
    FILE* out = std::fopen(tmp.c_str(), "wb");
    if (!out) return false;
    bool ok = std::fwrite(w.out.data(), 1, w.out.size(), out) == w.out.size();
    ok = std::fclose(out) == 0 && ok;
    if (ok) ok = std::rename(tmp.c_str(), file.c_str()) == 0;
    if (!ok) std::remove(tmp.c_str());
    return ok;
}

bool read_rule_cache(const std::string& file, std::vector<CachedFile>& out) {
    // Mapped, not read: decoding copies what it keeps, so a private copy of the bytes (and
    // the page faults of a buffer as big as the cache) would be work for nothing. The
    // translations and analyses stay in the mapping (views), which the CachedFiles keep
    // alive. Cache files are only ever replaced by rename (write_rule_cache), never
    // truncated in place, so the mapped file cannot shrink under the reader.
    struct Mapping {
        void* p = MAP_FAILED;
        size_t n = 0;
        ~Mapping() {
            if (p != MAP_FAILED) ::munmap(p, n);
        }
    };
    auto map = std::make_shared<Mapping>();
    {
        int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return false;
        struct stat st {};
        if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
            ::close(fd);
            return false;
        }
        map->n = size_t(st.st_size);
        map->p = ::mmap(nullptr, map->n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        ::close(fd);
        if (map->p == MAP_FAILED) return false;
    }
    std::string_view data(static_cast<const char*>(map->p), map->n);
    if (data.size() < 8 || std::memcmp(data.data(), kMagic, 8) != 0) return false;
    Reader rd;
    rd.in = data;
    rd.pos = 8;
    if (rd.u() != binary_fingerprint() || !rd.ok) return false;
    size_t n = rd.count();
    std::vector<CachedFile> files(n);
    for (auto& f : files) {
        f.mapping = map;
        f.path = rd.s();
        rd.file = std::make_shared<const std::string>(f.path);
        f.hash = rd.u();
        f.rules.resize(rd.count());
        f.rule_bytes.resize(f.rules.size());
        for (size_t k = 0; k < f.rules.size(); ++k) {
            f.rule_bytes[k] = rd.view();
            Reader sub = sub_reader(rd, f.rule_bytes[k]);
            if (!rd.ok || !read_rule(sub, f.rules[k]) || sub.pos != sub.in.size()) return false;
        }
        f.diagnostic_bytes = rd.view();
        Reader dr = sub_reader(rd, f.diagnostic_bytes);
        f.diagnostics.resize(dr.count());
        for (auto& d : f.diagnostics) {
            d.severity = Severity(dr.u());
            d.code = dr.s();
            d.message = dr.s();
            std::string p = dr.s();
            d.loc = dr.loc();
            d.loc.file = p == f.path ? dr.file : std::make_shared<const std::string>(p);
            d.rule = dr.s();
        }
        if (!rd.ok || !dr.ok || dr.pos != dr.in.size()) return false;
        f.sealed = true;
        size_t nt = rd.count();
        f.translations.resize(nt);
        f.translated.resize(nt);
        f.logic_hashes.resize(nt);
        for (size_t k = 0; k < nt && rd.ok; ++k) {
            f.translated[k] = uint8_t(rd.u());
            f.logic_hashes[k] = rd.u();
            f.translations[k] = rd.view();
        }
        size_t na = rd.count();
        f.analyses.resize(na);
        f.analysis_keys.resize(na);
        for (size_t k = 0; k < na && rd.ok; ++k) {
            f.analysis_keys[k] = rd.u();
            f.analyses[k] = rd.view();
        }
        if (!rd.ok) return false;
    }
    if (!rd.ok || rd.pos != data.size()) return false;
    out = std::move(files);
    return true;
}

}  // namespace sigil
