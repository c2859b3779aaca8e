// engine/tables_cache.cpp — the compiled tables of a rule set (shared
// predicates, expression nodes, rules' atoms, log-source groups, gate) kept on
// disk, so a hunt that loads the same rules again skips compiling them.
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <type_traits>

#include "catalog/catalog_internal.h"
#include "engine/compiled.h"

namespace sigil::engine_detail {

/* What is stored and how it is trusted.
 *
 * The caller names a file and a key (EngineOptions::tables_file and
 * tables_key): a hash of everything the rules were loaded from (the hunt
 * uses the rule cache's key: sigil version, every rule file's path and
 * bytes), given only when nothing changed the rules after loading (no
 * pipelines). The file's header holds that key mixed with the options that
 * shape the tables (gate, prefilter, shortest atom) and the sigil binary's
 * fingerprint (a rebuilt sigil never trusts tables an older one wrote); a
 * trailing XXH3 of the payload catches a torn or damaged file. Any mismatch
 * or malformed field: the tables are compiled as usual and the file
 * rewritten (atomically: a temporary file, then rename(2)).
 *
 * The payload is what compile() builds before the correlations (which are
 * compiled again, they are few): field names by id, every shared predicate
 * with the rule and position (in collect_preds() order) of the predicate it
 * was made from, so CompiledPred::src points into the rules just loaded,
 * checked against the predicate's operator and sharing key; nodes, child
 * lists, compiled rules with their atoms, fields per rule, rule groups, the
 * gate, the atom texts, the statistics, and the warnings compile() gave (with
 * their rule, to rebuild location and name). Regexes, networks and globs are
 * rebuilt from the predicates (regexes stay lazily compiled, as before).
 * Integers are LEB128 varints, strings length-prefixed.
 */
namespace {

constexpr char kMagic[8] = {'S', 'I', 'G', 'I', 'L', 'C', 'T', '1'};

// The writer fills a 256 KiB buffer through a raw cursor and streams it to
// the file (and its checksum) whenever it is full, so writing the tables
// needs no copy of them in memory.
struct Out {
    std::string b = std::string(256 << 10, '\0');
    size_t at = 0;
    FILE* f = nullptr;
    XXH3_state_t* sum = nullptr;
    uint64_t written = 0;
    bool ok = true;
    void flush() {
        if (!at) return;
        XXH3_64bits_update(sum, b.data(), at);
        ok = ok && std::fwrite(b.data(), 1, at, f) == at;
        written += at;
        at = 0;
    }
    char* room(size_t n) {
        if (at + n > b.size()) {
            flush();
            if (n > b.size()) b.resize(n);
        }
        char* p = b.data() + at;
        at += n;
        return p;
    }
    [[gnu::always_inline]] void u(uint64_t v) {
        if (v < 0x80 && at < b.size()) {
            b[at++] = char(v);
            return;
        }
        char* p = room(10);
        size_t k = 0;
        while (v >= 0x80) {
            p[k++] = char(uint8_t(v) | 0x80);
            v >>= 7;
        }
        p[k++] = char(uint8_t(v));
        at -= 10 - k;
    }
    void i(int64_t v) { u(uint64_t(v + 1)); }  // ids that may be -1
    void s(std::string_view x) {
        u(x.size());
        if (!x.empty()) std::memcpy(room(x.size()), x.data(), x.size());
    }
    void d(double v) { std::memcpy(room(8), &v, 8); }
    void bytes(const std::vector<uint8_t>& v) {
        u(v.size());
        if (!v.empty()) std::memcpy(room(v.size()), v.data(), v.size());
    }
    // A vector of integers as its bytes (the file never leaves this machine
    // and is tied to this binary, so the byte order is the same).
    template <class T>
    void raw(const std::vector<T>& v) {
        static_assert(std::is_integral_v<T>);
        u(v.size());
        if (!v.empty()) std::memcpy(room(v.size() * sizeof(T)), v.data(), v.size() * sizeof(T));
    }
    template <class T>
    void us(const std::vector<T>& v) {
        u(v.size());
        for (auto x : v) u(uint64_t(x));
    }
    void is(const std::vector<int>& v) {
        u(v.size());
        for (int x : v) i(x);
    }
};

struct In {
    const char* p;
    const char* e;
    bool ok = true;
    uint64_t u() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= e) return fail();
            uint8_t c = uint8_t(*p++);
            v |= uint64_t(c & 0x7F) << shift;
            if (!(c & 0x80)) return v;
        }
        return fail();
    }
    uint64_t fail() {
        ok = false;
        p = e;
        return 0;
    }
    int64_t i() { return int64_t(u()) - 1; }
    // A count of items that each take at least one byte (bounds allocations).
    size_t n() {
        uint64_t v = u();
        if (v > uint64_t(e - p)) return size_t(fail());
        return size_t(v);
    }
    std::string s() {
        size_t len = n();
        std::string r(p, len);
        p += len;
        return r;
    }
    double d() {
        double v = 0;
        if (e - p < 8) return double(fail());
        std::memcpy(&v, p, 8);
        p += 8;
        return v;
    }
    template <class T>
    void us(std::vector<T>& v) {
        v.resize(n());
        for (auto& x : v) x = T(u());
    }
    void is(std::vector<int>& v) {
        v.resize(n());
        for (auto& x : v) x = int(i());
    }
    void bytes(std::vector<uint8_t>& v) {
        v.resize(n());
        if (!v.empty()) std::memcpy(v.data(), p, v.size());
        p += v.size();
    }
    template <class T>
    void raw(std::vector<T>& v) {
        uint64_t count = u();
        if (count > uint64_t(e - p) / sizeof(T)) {
            fail();
            return;
        }
        v.resize(size_t(count));
        if (count) std::memcpy(v.data(), p, v.size() * sizeof(T));
        p += v.size() * sizeof(T);
    }
};

uint64_t file_key(uint64_t key, const EngineOptions& o) {
    uint64_t v[5] = {key, binary_fingerprint(), uint64_t(o.logsource_gate), uint64_t(o.prefilter),
                     uint64_t(o.min_atom_length)};
    return XXH3_64bits(v, sizeof v);
}

}  // namespace

bool load_tables(const std::vector<Rule>& rules, CompiledRuleSet::Impl& im, Diagnostics& diags,
                 uint64_t (*pred_key)(const Pred&)) {
    const EngineOptions& o = im.opts;
    std::string bytes;
    std::error_code ec;
    uint64_t fsize = std::filesystem::file_size(o.tables_file, ec);
    if (ec || fsize > (uint64_t(1) << 32)) return false;
    if (FILE* f = std::fopen(o.tables_file.c_str(), "rb")) {
        bytes.resize(size_t(fsize));
        bool whole = std::fread(bytes.data(), 1, bytes.size(), f) == bytes.size();
        std::fclose(f);
        if (!whole) return false;
    } else {
        return false;
    }
    if (bytes.size() < 32 || std::memcmp(bytes.data(), kMagic, 8) != 0) return false;
    uint64_t head[2], sum;
    std::memcpy(head, bytes.data() + 8, 16);
    std::memcpy(&sum, bytes.data() + bytes.size() - 8, 8);
    const char* payload = bytes.data() + 24;
    size_t size = bytes.size() - 32;
    if (head[0] != file_key(o.tables_key, o) || head[1] != size ||
        XXH3_64bits(payload, size) != sum)
        return false;
    In in{payload, payload + size};

    if (in.u() != rules.size()) return false;
    // Field names by id.
    size_t nfields = in.n();
    for (size_t k = 0; k < nfields && in.ok; ++k) im.field_ids.emplace(in.s(), int(k));
    if (im.field_ids.size() != nfields) return false;
    im.channel_field = int(in.i());
    im.eventid_field = int(in.i());

    // Shared predicates, pointing into the rules' own predicates.
    size_t npreds = in.n();
    im.preds.resize(npreds);
    uint32_t cur_rule = UINT32_MAX;
    std::vector<const Pred*> ps;
    for (auto& c : im.preds) {
        uint64_t rule = in.u(), ordinal = in.u(), key = std::bit_cast<uint64_t>(in.d());
        if (!in.ok || rule >= rules.size()) return false;
        if (rule != cur_rule) {
            cur_rule = uint32_t(rule);
            ps.clear();
            collect_preds(rules[rule].expr(), ps);
        }
        if (ordinal >= ps.size() || pred_key(*ps[ordinal]) != key) return false;
        c.src = ps[ordinal];
        c.kind = PredKind(in.u());
        c.field = int(in.i());
        c.ref_field = int(in.i());
        c.cased = in.u() != 0;
        c.lit = in.s();
        c.re_literals = int(in.i());
        size_t natoms = in.n();
        for (size_t k = 0; k < natoms && in.ok; ++k) c.re_atoms.push_back(in.s());
        uint64_t flags = in.u();
        if (flags & 16) c.num = in.d();
        if (flags & 1) c.re = std::make_shared<Regex>(c.src->value.s, c.src->re_flags);
        if (flags & 2) c.net = std::make_shared<Network>(c.src->value.s);
        if (flags & 4) c.glob = Glob(c.lit);
        if (flags & 8) c.glob = Glob("*" + c.lit + "*");
    }
    // Nodes and child lists.
    std::vector<uint32_t> nodes;
    in.raw(nodes);
    if (nodes.size() % 4) return false;
    im.nodes.resize(nodes.size() / 4);
    for (size_t k = 0; k < im.nodes.size(); ++k) {
        Node& nd = im.nodes[k];
        if (nodes[4 * k] > uint32_t(ExprKind::False)) return false;
        nd.kind = ExprKind(nodes[4 * k]);
        nd.first = nodes[4 * k + 1];
        nd.count = nodes[4 * k + 2];
        nd.pred = int32_t(nodes[4 * k + 3]);
    }
    in.raw(im.kids);
    // Compiled rules and their fields.
    im.crules.resize(in.n());
    for (auto& cr : im.crules) {
        cr.rule = uint32_t(in.u());
        cr.root = uint32_t(in.u());
        uint64_t bits = in.u();
        cr.gated = bits & 1;
        cr.has_atoms = bits & 2;
        cr.keyword_atoms = bits & 4;
        in.us(cr.atoms);
        in.is(cr.atom_fields);
        if (cr.rule >= rules.size() || cr.root >= im.nodes.size()) return false;
    }
    for (auto& f : im.rule_fields) {
        size_t n = in.n();
        for (size_t k = 0; k < n && in.ok; ++k) f.push_back(in.s());
    }
    // Groups and the gate.
    im.ungated_group = uint32_t(in.u());
    im.groups.resize(in.n());
    for (auto& g : im.groups) {
        in.us(g.rules);
        in.us(g.always);
        in.us(g.atom_global);
        g.atom_rules.resize(in.n());
        for (auto& l : g.atom_rules) in.us(l);
        in.bytes(g.atom_keyword);
        in.bytes(g.scan_field);
        uint64_t bits = in.u();
        g.full = bits & 1;
        if (bits & 2) g.pf = std::make_unique<PrefilterDb>();
    }
    size_t nch = in.n();
    for (size_t k = 0; k < nch && in.ok; ++k) {
        auto& ids = im.gate[in.s()];
        size_t nid = in.n();
        for (size_t j = 0; j < nid && in.ok; ++j) {
            std::string id = in.s();
            in.us(ids[id]);
        }
    }
    size_t natoms = in.n();
    im.atom_text.reserve(natoms);
    for (size_t k = 0; k < natoms && in.ok; ++k) im.atom_text.push_back(in.s());
    // Statistics and warnings.
    EngineStats& st = im.stats;
    st.detection_rules = in.u();
    st.skipped_rules = in.u();
    st.gated_rules = in.u();
    st.predicates = in.u();
    st.unique_predicates = in.u();
    st.atoms = in.u();
    st.rules_with_atoms = in.u();
    Diagnostics loop;
    size_t ndiags = in.n();
    for (size_t k = 0; k < ndiags && in.ok; ++k) {
        uint64_t rule = in.u();
        if (rule >= rules.size()) return false;
        Diagnostic x;
        x.severity = Severity(in.u());
        x.code = in.s();
        x.message = in.s();
        x.loc = rules[rule].loc;
        x.rule = rules[rule].title.empty() ? rules[rule].id : rules[rule].title;
        loop.push_back(std::move(x));
    }
    if (!in.ok || in.p != in.e) return false;
    // Every id in range, so a damaged file cannot send matching out of bounds.
    for (auto& c : im.preds)
        if (c.field >= int(nfields) || c.ref_field >= int(nfields)) return false;
    for (auto& c : im.preds)
        if (uint64_t(c.kind) > uint64_t(PredKind::FieldRef)) return false;
    for (auto& nd : im.nodes)
        if (nd.pred >= int(npreds) || (nd.kind == ExprKind::Pred && nd.pred < 0) ||
            uint64_t(nd.first) + nd.count > im.kids.size())
            return false;
    for (uint32_t k : im.kids)
        if (k >= im.nodes.size()) return false;
    for (auto& cr : im.crules) {
        if (cr.atoms.size() != cr.atom_fields.size()) return false;
        for (uint32_t a : cr.atoms)
            if (a >= im.atom_text.size()) return false;
        for (int f : cr.atom_fields)
            if (f >= int(nfields)) return false;
    }
    auto in_crules = [&](const std::vector<uint32_t>& v) {
        for (uint32_t x : v)
            if (x >= im.crules.size()) return false;
        return true;
    };
    for (auto& g : im.groups) {
        if (!in_crules(g.rules) || !in_crules(g.always) ||
            g.atom_rules.size() != g.atom_global.size() ||
            g.atom_keyword.size() != g.atom_global.size() || g.scan_field.size() != nfields ||
            bool(g.pf) != !g.atom_global.empty())
            return false;
        for (uint32_t a : g.atom_global)
            if (a >= im.atom_text.size()) return false;
        for (auto& l : g.atom_rules)
            if (!in_crules(l)) return false;
    }
    if (im.ungated_group >= im.groups.size()) return false;
    for (auto& [ch, ids] : im.gate)
        for (auto& [id, gs] : ids)
            for (uint32_t g : gs)
                if (g >= im.groups.size()) return false;
    diags.insert(diags.end(), std::make_move_iterator(loop.begin()),
                 std::make_move_iterator(loop.end()));
    return true;
}

bool store_tables(const CompiledRuleSet::Impl& im, const std::vector<TableOrigin>& origins,
                  const Diagnostics& loop_diags, const std::vector<uint32_t>& diag_rules) {
    const EngineOptions& o = im.opts;
    if (origins.size() != im.preds.size() || diag_rules.size() != loop_diags.size()) return false;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(o.tables_file).parent_path(), ec);
    std::random_device rd;
    std::string tmp =
        o.tables_file + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return false;
    // Header: magic, key, payload size (filled in at the end); then the
    // payload; then its XXH3.
    uint64_t head[2] = {file_key(o.tables_key, o), 0};
    Out w;
    w.f = f;
    w.sum = XXH3_createState();
    XXH3_64bits_reset(w.sum);
    w.ok = std::fwrite(kMagic, 1, 8, f) == 8 && std::fwrite(head, 1, 16, f) == 16;
    w.u(im.rules->size());
    std::vector<const std::string*> names(im.field_ids.size());
    for (auto& [name, id] : im.field_ids) names[size_t(id)] = &name;
    w.u(names.size());
    for (auto* n : names) w.s(*n);
    w.i(im.channel_field);
    w.i(im.eventid_field);
    w.u(im.preds.size());
    for (size_t k = 0; k < im.preds.size(); ++k) {
        const CompiledPred& c = im.preds[k];
        w.u(origins[k].rule);
        w.u(origins[k].ordinal);
        w.d(std::bit_cast<double>(origins[k].key));
        w.u(uint64_t(c.kind));
        w.i(c.field);
        w.i(c.ref_field);
        w.u(c.cased);
        w.s(c.lit);
        w.i(c.re_literals);
        w.u(c.re_atoms.size());
        for (auto& a : c.re_atoms) w.s(a);
        bool glob = c.kind == PredKind::Glob;
        bool kw_glob = c.kind == PredKind::Keyword && c.src->op == Op::Glob && !c.re;
        bool num = c.num != 0 || std::signbit(c.num);
        w.u((c.re ? 1 : 0) | (c.net ? 2 : 0) | (glob ? 4 : 0) | (kw_glob ? 8 : 0) | (num ? 16 : 0));
        if (num) w.d(c.num);
    }
    std::vector<uint32_t> nodes(im.nodes.size() * 4);  // packed: no padding bytes
    for (size_t k = 0; k < im.nodes.size(); ++k) {
        const Node& nd = im.nodes[k];
        nodes[4 * k] = uint32_t(nd.kind);
        nodes[4 * k + 1] = nd.first;
        nodes[4 * k + 2] = nd.count;
        nodes[4 * k + 3] = uint32_t(nd.pred);
    }
    w.raw(nodes);
    w.raw(im.kids);
    w.u(im.crules.size());
    for (auto& cr : im.crules) {
        w.u(cr.rule);
        w.u(cr.root);
        w.u((cr.gated ? 1 : 0) | (cr.has_atoms ? 2 : 0) | (cr.keyword_atoms ? 4 : 0));
        w.us(cr.atoms);
        w.is(cr.atom_fields);
    }
    for (auto& f : im.rule_fields) {
        w.u(f.size());
        for (auto& s : f) w.s(s);
    }
    w.u(im.ungated_group);
    w.u(im.groups.size());
    for (auto& g : im.groups) {
        w.us(g.rules);
        w.us(g.always);
        w.us(g.atom_global);
        w.u(g.atom_rules.size());
        for (auto& l : g.atom_rules) w.us(l);
        w.bytes(g.atom_keyword);
        w.bytes(g.scan_field);
        w.u((g.full ? 1 : 0) | (g.pf ? 2 : 0));
    }
    w.u(im.gate.size());
    for (auto& [ch, ids] : im.gate) {
        w.s(ch);
        w.u(ids.size());
        for (auto& [id, gs] : ids) {
            w.s(id);
            w.us(gs);
        }
    }
    w.u(im.atom_text.size());
    for (auto& a : im.atom_text) w.s(a);
    const EngineStats& st = im.stats;
    for (size_t v : {st.detection_rules, st.skipped_rules, st.gated_rules, st.predicates,
                     st.unique_predicates, st.atoms, st.rules_with_atoms})
        w.u(v);
    w.u(loop_diags.size());
    for (size_t k = 0; k < loop_diags.size(); ++k) {
        w.u(diag_rules[k]);
        w.u(uint64_t(loop_diags[k].severity));
        w.s(loop_diags[k].code);
        w.s(loop_diags[k].message);
    }

    w.flush();
    uint64_t sum = XXH3_64bits_digest(w.sum);
    XXH3_freeState(w.sum);
    head[1] = w.written;
    bool ok = w.ok && std::fwrite(&sum, 1, 8, f) == 8 && std::fseek(f, 8, SEEK_SET) == 0 &&
              std::fwrite(head, 1, 16, f) == 16;
    ok = std::fclose(f) == 0 && ok;
    ok = ok && std::rename(tmp.c_str(), o.tables_file.c_str()) == 0;
    if (!ok) std::remove(tmp.c_str());
    return ok;
}

}  // namespace sigil::engine_detail
