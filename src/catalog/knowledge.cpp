// src/catalog/knowledge.cpp — parses the embedded knowledge tables (data/*.tsv) into records
// and indexes, and answers the lookups of sigil/knowledge.h.
//
// How it works. Each table is UTF-8 text: a header line naming the columns, then one row per
// line, fields separated by tabs, no quoting (scripts/gen_tables.py guarantees no field holds
// a tab or a newline). Parsing checks the header against the columns this file expects, so a
// table regenerated with a different layout fails loudly (a load error, which the unit tests
// assert to be absent) instead of being misread. A row with the wrong field count or a bad
// number is reported and skipped; the rest of the table still loads.
//
// Records keep std::string_views into the table text, which is static for the embedded
// tables, so loading copies almost nothing (only the derived short provider names are
// owned). The indexes are hash maps whose keys are those same views, hashed and compared
// ASCII-case-insensitively, so a lookup of "t1569.002" or "SECURITY" allocates nothing.
//
// Events and data-needed rows are found by (name, event id) where the name may be a provider,
// a short provider or a channel: every distinct name gets a small integer, and the key of a
// row is (name number << 32 | event id). The rows under one key are kept ranked (provider
// match before short provider before channel, curated titles before task names) so the first
// one is the best answer.
//
// knowledge() builds the tables once in a function-local static: C++ guarantees that its
// initialisation runs exactly once even when several threads call it at the same time, and
// nothing is mutated afterwards, so concurrent lookups need no locking.
#include "sigil/knowledge.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <unordered_map>

namespace sigil {
namespace detail {
// Defined in the source generated from data/*.tsv by scripts/embed_tables.cmake.
std::string_view embedded_knowledge_table(std::string_view name) noexcept;
}  // namespace detail

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}
char upper(char c) {
    return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// FNV-1a over the lower-cased bytes.
struct CiHash {
    size_t operator()(std::string_view s) const noexcept {
        uint64_t h = 1469598103934665603ull;
        for (char c : s) {
            h ^= uint8_t(lower(c));
            h *= 1099511628211ull;
        }
        return size_t(h);
    }
};
struct CiEqual {
    bool operator()(std::string_view a, std::string_view b) const noexcept { return iequals(a, b); }
};
template <class V>
using CiMap = std::unordered_map<std::string_view, V, CiHash, CiEqual>;

template <class V>
const V* find_in(const CiMap<V>& m, std::string_view key) {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
}

// Splits into `out` (cleared first; its capacity is reused across calls).
void split_into(std::string_view s, char sep, std::vector<std::string_view>& out) {
    out.clear();
    if (s.empty()) return;
    size_t start = 0;
    for (;;) {
        size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string_view::npos ? s.npos : p - start));
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    split_into(s, sep, out);
    return out;
}

template <class Int>
bool parse_int(std::string_view s, Int& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

AttackStatus parse_status(std::string_view s, bool& ok) {
    ok = true;
    if (s == "active") return AttackStatus::Active;
    if (s == "deprecated") return AttackStatus::Deprecated;
    if (s == "revoked") return AttackStatus::Revoked;
    ok = false;
    return AttackStatus::Active;
}

// ATT&CK id shapes: a prefix, four digits, and for techniques an optional ".ddd".
bool is_digits(std::string_view s, size_t n) {
    if (s.size() != n) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}
bool is_technique_id(std::string_view s) {
    if (s.size() < 5 || lower(s[0]) != 't') return false;
    std::string_view rest = s.substr(1);
    size_t dot = rest.find('.');
    if (dot == rest.npos) return is_digits(rest, 4);
    return is_digits(rest.substr(0, dot), 4) && is_digits(rest.substr(dot + 1), 3);
}
bool is_prefixed_id(std::string_view s, std::string_view prefix) {
    return istarts_with(s, prefix) && is_digits(s.substr(prefix.size()), 4);
}
std::string upper_copy(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = upper(c);
    return out;
}

// One parsed table: the fields of every good row, row after row in one flat vector (one
// allocation per table, not per row).
struct TableRows {
    size_t width = 0;
    std::vector<std::string_view> cells;
    std::vector<uint32_t> lines;  // 1-based line of each row
    size_t size() const { return lines.size(); }
    std::span<const std::string_view> row(size_t i) const {
        return std::span<const std::string_view>(cells).subspan(i * width, width);
    }
};

}  // namespace

// ---------------------------------------------------------------------------

struct Knowledge::Tables {
    std::vector<Tactic> tactics;
    std::vector<Technique> techniques;
    std::vector<TechniqueRedirect> redirects;
    std::vector<AttackObject> software, groups, mitigations, campaigns;
    std::vector<WindowsEvent> events;
    std::vector<LogsourceMapping> logsources;
    std::vector<SplunkDataSource> splunk;
    std::vector<DataNeeded> data_needed;
    std::vector<AtomicTest> atomic;
    std::vector<KnowledgeSource> sources;
    std::deque<std::string> owned;  // derived strings; a deque never moves its elements

    CiMap<uint32_t> tactic_by_key;  // id (current tactic), shortname, name
    CiMap<uint32_t> technique_by_id;
    CiMap<uint32_t> revoked_to, v19_to;  // redirect index by `from`
    CiMap<uint32_t> software_by_id, group_by_id, mitigation_by_id, campaign_by_id;
    CiMap<uint32_t> splunk_by_name;
    struct Range {
        uint32_t begin = 0, end = 0;
    };
    CiMap<Range> atomic_exact, atomic_under;

    // (name, event id) → ranked rows; see the file comment. The entries live in one vector
    // sorted by (key, rank, quality, row), so the rows of a key are a contiguous run found by
    // binary search, best first.
    struct NameEidIndex {
        struct Entry {
            uint64_t key;    // name number << 32 | event id
            uint64_t order;  // rank << 40 | quality << 32 | row
            uint32_t row() const { return uint32_t(order); }
            bool operator<(const Entry& o) const {
                return key != o.key ? key < o.key : order < o.order;
            }
        };
        CiMap<uint32_t> names;
        std::vector<Entry> entries;

        // Tables are sorted by name, so consecutive rows repeat names: the last name seen
        // for each rank is remembered to skip most hash probes.
        std::string_view last_name[4];
        uint32_t last_id[4] = {};

        void add(std::string_view name, uint32_t eid, int rank, int quality, uint32_t row) {
            if (name.empty()) return;
            uint32_t id;
            if (rank < 4 && !last_name[rank].empty() && last_name[rank] == name) {
                id = last_id[rank];
            } else {
                id = names.try_emplace(name, uint32_t(names.size())).first->second;
                if (rank < 4) last_name[rank] = name, last_id[rank] = id;
            }
            entries.push_back({(uint64_t(id) << 32) | eid,
                               (uint64_t(rank) << 40) | (uint64_t(quality) << 32) | row});
        }
        // Sorts, and keeps each row once per key (its best rank): a provider that is also
        // its own short name or channel would otherwise be listed twice.
        void finish() {
            std::sort(entries.begin(), entries.end());
            std::vector<Entry> out;
            out.reserve(entries.size());
            for (size_t i = 0; i < entries.size(); ++i) {
                bool dup = false;
                for (size_t j = out.size(); j-- > 0 && out[j].key == entries[i].key;)
                    if (out[j].row() == entries[i].row()) {
                        dup = true;
                        break;
                    }
                if (!dup) out.push_back(entries[i]);
            }
            entries = std::move(out);
        }
        std::span<const Entry> find(std::string_view name, uint32_t eid) const {
            auto n = names.find(name);
            if (n == names.end()) return {};
            uint64_t key = (uint64_t(n->second) << 32) | eid;
            auto lo = std::lower_bound(entries.begin(), entries.end(), key,
                                       [](const Entry& e, uint64_t k) { return e.key < k; });
            auto hi = lo;
            while (hi != entries.end() && hi->key == key) ++hi;
            return {lo, hi};
        }
    };
    NameEidIndex event_index, data_needed_index;

    Diagnostics* errors = nullptr;

    void error(std::string_view table, uint32_t line, std::string code, std::string message) {
        Diagnostic d;
        d.code = std::move(code);
        d.message = std::move(message);
        d.loc.file = std::make_shared<const std::string>("data/" + std::string(table));
        d.loc.line = line;
        d.loc.col = 1;
        errors->push_back(std::move(d));
    }

    // Splits a table into rows after checking its header; reports and drops bad rows.
    TableRows read(const TableReader& reader, std::string_view name,
                   std::initializer_list<std::string_view> columns) {
        TableRows out;
        out.width = columns.size();
        std::string_view text = reader(name);
        if (text.empty()) {
            error(name, 0, "knowledge.table.missing",
                  "knowledge table " + std::string(name) + " is missing or empty");
            return out;
        }
        uint32_t line_no = 0;
        size_t pos = 0;
        bool header = true;
        std::vector<std::string_view> fields;
        while (pos < text.size()) {
            size_t nl = text.find('\n', pos);
            std::string_view line = text.substr(pos, nl == text.npos ? text.npos : nl - pos);
            pos = nl == text.npos ? text.size() : nl + 1;
            ++line_no;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            split_into(line, '\t', fields);
            if (header) {
                header = false;
                if (!std::equal(fields.begin(), fields.end(), columns.begin(), columns.end())) {
                    std::string want;
                    for (auto c : columns) want += (want.empty() ? "" : ",") + std::string(c);
                    error(name, line_no, "knowledge.table.bad_header",
                          "knowledge table " + std::string(name) + " does not have the columns " +
                              want);
                    return out;
                }
                continue;
            }
            if (line.empty()) continue;
            if (fields.size() != columns.size()) {
                error(name, line_no, "knowledge.table.bad_row",
                      "row has " + std::to_string(fields.size()) + " fields, expected " +
                          std::to_string(columns.size()));
                continue;
            }
            out.cells.insert(out.cells.end(), fields.begin(), fields.end());
            out.lines.push_back(line_no);
        }
        return out;
    }

    void load(const TableReader& r);
    void load_attack(const TableReader& r);
    void load_events(const TableReader& r);
    void load_atomic(const TableReader& r);
    const Tactic* tactic(std::string_view key) const {
        const uint32_t* i = find_in(tactic_by_key, key);
        return i ? &tactics[*i] : nullptr;
    }
};

void Knowledge::Tables::load(const TableReader& r) {
    load_attack(r);
    load_events(r);
    load_atomic(r);
    auto src = read(r, "sources.tsv", {"upstream", "what", "revision"});
    for (size_t i = 0; i < src.size(); ++i) {
        auto f = src.row(i);
        sources.push_back({f[0], f[1], f[2]});
    }
}

void Knowledge::Tables::load_attack(const TableReader& r) {
    // Tactics first: techniques point at them, so the vector must not grow afterwards.
    auto tt =
        read(r, "attack_tactics.tsv", {"id", "shortname", "name", "order", "since", "retired_in"});
    for (size_t i = 0; i < tt.size(); ++i) {
        auto f = tt.row(i);
        Tactic t{f[0], f[1], f[2]};
        if (!parse_int(f[3], t.order) || !parse_int(f[4], t.since) ||
            (!f[5].empty() && !parse_int(f[5], t.retired_in))) {
            error("attack_tactics.tsv", tt.lines[i], "knowledge.table.bad_number",
                  "bad order, since or retired_in for tactic " + std::string(f[0]));
            continue;
        }
        tactics.push_back(t);
    }
    std::stable_sort(tactics.begin(), tactics.end(),
                     [](const Tactic& a, const Tactic& b) { return a.order < b.order; });
    for (uint32_t i = 0; i < tactics.size(); ++i) {
        const Tactic& t = tactics[i];
        tactic_by_key.try_emplace(t.shortname, i);
        tactic_by_key.try_emplace(t.name, i);
        // An id reused by ATT&CK v19 (TA0005) names the current tactic.
        auto [it, fresh] = tactic_by_key.try_emplace(t.id, i);
        if (!fresh && !tactics[it->second].current() && t.current()) it->second = i;
    }

    auto tech = read(r, "attack_techniques.tsv",
                     {"id", "name", "tactics", "tactics_v19", "status", "since"});
    auto tactic_list = [&](std::string_view list, uint32_t line, std::string_view id) {
        std::vector<const Tactic*> out;
        for (auto s : split(list, ',')) {
            if (const Tactic* t = tactic(s))
                out.push_back(t);
            else
                error("attack_techniques.tsv", line, "knowledge.table.bad_reference",
                      "technique " + std::string(id) + " names unknown tactic " + std::string(s));
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const Tactic* a, const Tactic* b) { return a->order < b->order; });
        return out;
    };
    for (size_t i = 0; i < tech.size(); ++i) {
        auto f = tech.row(i);
        Technique t;
        t.id = f[0];
        t.name = f[1];
        t.tactics = tactic_list(f[2], tech.lines[i], f[0]);
        t.tactics_v19 = tactic_list(f[3], tech.lines[i], f[0]);
        bool ok = false;
        t.status = parse_status(f[4], ok);
        if (!ok || !parse_int(f[5], t.since) || !is_technique_id(t.id)) {
            error("attack_techniques.tsv", tech.lines[i], "knowledge.table.bad_row",
                  "bad id, status or since for technique " + std::string(f[0]));
            continue;
        }
        if (size_t dot = t.id.find('.'); dot != t.id.npos) t.parent_id = t.id.substr(0, dot);
        techniques.push_back(std::move(t));
    }
    for (uint32_t i = 0; i < techniques.size(); ++i) {
        if (!technique_by_id.try_emplace(techniques[i].id, i).second)
            error("attack_techniques.tsv", 0, "knowledge.table.duplicate",
                  "technique " + std::string(techniques[i].id) + " is listed twice");
    }
    for (Technique& t : techniques) {
        if (t.parent_id.empty()) continue;
        if (const uint32_t* p = find_in(technique_by_id, t.parent_id))
            t.parent_name = techniques[*p].name;
    }

    auto red = read(r, "attack_redirects.tsv", {"from", "to", "reason"});
    for (size_t i = 0; i < red.size(); ++i) {
        auto f = red.row(i);
        if (!f[1].empty() && !find_in(technique_by_id, f[1]))
            error("attack_redirects.tsv", red.lines[i], "knowledge.table.bad_reference",
                  "redirect target " + std::string(f[1]) + " is not a known technique");
        redirects.push_back({f[0], f[1], f[2]});
    }
    for (uint32_t i = 0; i < redirects.size(); ++i) {
        auto& m = redirects[i].reason == "v19" ? v19_to : revoked_to;
        m.try_emplace(redirects[i].from, i);
    }

    struct ObjectTable {
        const char* file;
        AttackObjectKind kind;
        std::vector<AttackObject>* out;
        CiMap<uint32_t>* index;
    };
    const ObjectTable objects[] = {
        {"attack_software.tsv", AttackObjectKind::Software, &software, &software_by_id},
        {"attack_groups.tsv", AttackObjectKind::Group, &groups, &group_by_id},
        {"attack_mitigations.tsv", AttackObjectKind::Mitigation, &mitigations, &mitigation_by_id},
        {"attack_campaigns.tsv", AttackObjectKind::Campaign, &campaigns, &campaign_by_id},
    };
    for (const ObjectTable& ot : objects) {
        TableRows rows;
        switch (ot.kind) {
            case AttackObjectKind::Software:
                rows = read(r, ot.file, {"id", "name", "type", "aliases", "status"});
                break;
            case AttackObjectKind::Mitigation:
                rows = read(r, ot.file, {"id", "name", "status"});
                break;
            default:
                rows = read(r, ot.file, {"id", "name", "aliases", "status"});
                break;
        }
        for (size_t i = 0; i < rows.size(); ++i) {
            auto f = rows.row(i);
            AttackObject o;
            o.kind = ot.kind;
            o.id = f[0];
            o.name = f[1];
            bool ok = false;
            if (ot.kind == AttackObjectKind::Software) {
                o.type = f[2];
                o.aliases = f[3];
                o.status = parse_status(f[4], ok);
            } else if (ot.kind == AttackObjectKind::Mitigation) {
                o.status = parse_status(f[2], ok);
            } else {
                o.aliases = f[2];
                o.status = parse_status(f[3], ok);
            }
            if (!ok) {
                error(ot.file, rows.lines[i], "knowledge.table.bad_row",
                      "bad status for " + std::string(f[0]));
                continue;
            }
            ot.out->push_back(o);
        }
        for (uint32_t i = 0; i < ot.out->size(); ++i) ot.index->try_emplace((*ot.out)[i].id, i);
    }
}

void Knowledge::Tables::load_events(const TableReader& r) {
    auto ev = read(r, "windows_events.tsv", {"provider", "event_id", "channel", "title", "src"});
    CiMap<std::string_view> short_names;  // provider → its short name (owned)
    events.reserve(ev.size());
    for (size_t i = 0; i < ev.size(); ++i) {
        auto f = ev.row(i);
        WindowsEvent e;
        e.provider = f[0];
        e.channel = f[2];
        e.title = f[3];
        e.source = f[4].size() == 1 ? f[4][0] : '?';
        if (!parse_int(f[1], e.event_id)) {
            error("windows_events.tsv", ev.lines[i], "knowledge.table.bad_number",
                  "bad event id " + std::string(f[1]));
            continue;
        }
        if (!e.provider.empty() && !events.empty() && events.back().provider == e.provider) {
            e.provider_short = events.back().provider_short;  // rows are sorted by provider
        } else if (!e.provider.empty()) {
            auto it = short_names.find(e.provider);
            if (it == short_names.end()) {
                std::string s = provider_short_name(e.provider);
                std::string_view view =
                    s == e.provider ? e.provider : std::string_view(owned.emplace_back(s));
                it = short_names.emplace(e.provider, view).first;
            }
            e.provider_short = it->second;
        }
        events.push_back(e);
    }
    for (uint32_t i = 0; i < events.size(); ++i) {
        const WindowsEvent& e = events[i];
        int quality = e.source == 't' ? 1 : 0;
        event_index.add(e.provider, e.event_id, 0, quality, i);
        event_index.add(e.provider_short, e.event_id, 1, quality, i);
        event_index.add(e.channel, e.event_id, 2, quality, i);
    }
    event_index.finish();

    auto ls =
        read(r, "sigma_logsources.tsv",
             {"product", "category", "service", "channel", "provider", "event_ids", "pipeline"});
    for (size_t i = 0; i < ls.size(); ++i) {
        auto f = ls.row(i);
        LogsourceMapping m{f[0], f[1], f[2], f[3], f[4], {}, f[6]};
        bool ok = true;
        for (auto s : split(f[5], ',')) {
            uint32_t id = 0;
            ok = ok && parse_int(s, id);
            m.event_ids.push_back(id);
        }
        if (!ok) {
            error("sigma_logsources.tsv", ls.lines[i], "knowledge.table.bad_number",
                  "bad event id list " + std::string(f[5]));
            continue;
        }
        logsources.push_back(std::move(m));
    }

    auto sp = read(r, "splunk_data_sources.tsv",
                   {"name", "source", "sourcetype", "channel", "provider", "event_id"});
    for (size_t i = 0; i < sp.size(); ++i) {
        auto f = sp.row(i);
        SplunkDataSource d{f[0], f[1], f[2], f[3], f[4], std::nullopt};
        if (!f[5].empty()) {
            uint32_t id = 0;
            if (!parse_int(f[5], id)) {
                error("splunk_data_sources.tsv", sp.lines[i], "knowledge.table.bad_number",
                      "bad event id " + std::string(f[5]));
                continue;
            }
            d.event_id = id;
        }
        splunk.push_back(d);
    }
    for (uint32_t i = 0; i < splunk.size(); ++i) splunk_by_name.try_emplace(splunk[i].name, i);

    auto dn = read(r, "data_needed.tsv", {"channel", "provider", "event_id", "atc_id", "audit"});
    for (size_t i = 0; i < dn.size(); ++i) {
        auto f = dn.row(i);
        DataNeeded d{f[0], f[1], 0, f[3], f[4]};
        if (!parse_int(f[2], d.event_id)) {
            error("data_needed.tsv", dn.lines[i], "knowledge.table.bad_number",
                  "bad event id " + std::string(f[2]));
            continue;
        }
        data_needed.push_back(d);
    }
    for (uint32_t i = 0; i < data_needed.size(); ++i) {
        const DataNeeded& d = data_needed[i];
        // Rows with an ATC page first: they say more.
        int quality = d.atc_id.empty() ? 1 : 0;
        data_needed_index.add(d.channel, d.event_id, 0, quality, i);
        data_needed_index.add(d.provider, d.event_id, 1, quality, i);
    }
    data_needed_index.finish();
}

void Knowledge::Tables::load_atomic(const TableReader& r) {
    auto at = read(r, "atomic_tests.tsv", {"technique", "number", "name", "guid", "executor"});
    for (size_t i = 0; i < at.size(); ++i) {
        auto f = at.row(i);
        AtomicTest t{f[0], 0, f[2], f[3], f[4]};
        if (!parse_int(f[1], t.number) || !is_technique_id(t.technique)) {
            error("atomic_tests.tsv", at.lines[i], "knowledge.table.bad_row",
                  "bad technique or test number " + std::string(f[0]) + " #" + std::string(f[1]));
            continue;
        }
        atomic.push_back(t);
    }
    // The table is sorted by technique id (numerically: T1059, T1059.001, ..., T1060), so a
    // technique's tests, and a parent's tests followed by its sub-techniques' tests, are
    // contiguous ranges: lookups return spans into the table. A table that breaks the order
    // is reported (the generator never writes one) and the offending rows are not indexed.
    for (uint32_t i = 0; i < atomic.size(); ++i) {
        std::string_view id = atomic[i].technique;
        std::string_view parent = id.substr(0, id.find('.'));
        auto [e, fresh] = atomic_exact.try_emplace(id, Range{i, i + 1});
        auto [u, ufresh] = atomic_under.try_emplace(parent, Range{i, i + 1});
        if ((!fresh && e->second.end != i) || (!ufresh && u->second.end != i)) {
            error("atomic_tests.tsv", 0, "knowledge.table.unsorted",
                  "tests of " + std::string(id) + " are not contiguous");
            continue;
        }
        e->second.end = i + 1;
        u->second.end = i + 1;
    }
}

// ---------------------------------------------------------------------------
// Record helpers

const char* attack_status_name(AttackStatus s) {
    switch (s) {
        case AttackStatus::Active:
            return "active";
        case AttackStatus::Deprecated:
            return "deprecated";
        case AttackStatus::Revoked:
            return "revoked";
    }
    return "?";
}

const char* technique_fate_name(TechniqueFate f) {
    switch (f) {
        case TechniqueFate::Current:
            return "current";
        case TechniqueFate::Revoked:
            return "revoked";
        case TechniqueFate::Deprecated:
            return "deprecated";
        case TechniqueFate::Unknown:
            return "unknown";
    }
    return "?";
}

const char* attack_tag_kind_name(AttackTagKind k) {
    switch (k) {
        case AttackTagKind::Technique:
            return "technique";
        case AttackTagKind::Tactic:
            return "tactic";
        case AttackTagKind::Group:
            return "group";
        case AttackTagKind::Software:
            return "software";
        case AttackTagKind::Mitigation:
            return "mitigation";
        case AttackTagKind::Campaign:
            return "campaign";
        case AttackTagKind::DataSource:
            return "data source";
        case AttackTagKind::Unknown:
            return "unknown";
        case AttackTagKind::NotAttack:
            return "not attack";
    }
    return "?";
}

std::string Tactic::display() const {
    return std::string(id) + " " + std::string(name);
}

std::string Technique::full_name() const {
    if (parent_name.empty() || name.empty()) return std::string(name);
    return std::string(parent_name) + ": " + std::string(name);
}

std::string Technique::display() const {
    if (name.empty()) return std::string(id);
    return std::string(id) + " " + full_name();
}

bool Technique::in_tactic(const Tactic& tactic) const {
    auto has = [&](const std::vector<const Tactic*>& list) {
        return std::find(list.begin(), list.end(), &tactic) != list.end();
    };
    if (has(tactics) || has(tactics_v19)) return true;
    if (tactics_v19.empty() && tactic.since == 19) {
        for (const Tactic* t : tactics)
            if (t->shortname == "defense-evasion") return true;
    }
    return false;
}

std::string AttackObject::display() const {
    return std::string(id) + " " + std::string(name);
}

std::vector<std::string_view> AttackObject::alias_list() const {
    return split(aliases, '|');
}

std::string provider_short_name(std::string_view provider) {
    constexpr std::string_view kPrefix = "Microsoft-Windows-";
    if (istarts_with(provider, kPrefix) && provider.size() > kPrefix.size())
        provider.remove_prefix(kPrefix.size());
    std::string out(provider);
    std::replace(out.begin(), out.end(), ' ', '-');
    return out;
}

// ---------------------------------------------------------------------------
// Knowledge

Knowledge::Knowledge(const TableReader& read) : t_(std::make_unique<Tables>()) {
    t_->errors = &errors_;
    t_->load(read);
    t_->errors = nullptr;
}

Knowledge::~Knowledge() = default;

const Technique* Knowledge::technique(std::string_view id) const {
    const uint32_t* i = find_in(t_->technique_by_id, id);
    return i ? &t_->techniques[*i] : nullptr;
}

TechniqueLookup Knowledge::resolve_technique(std::string_view id) const {
    TechniqueLookup out;
    out.technique = technique(id);
    // Follow "revoked" redirects to an active technique; chains exist (T1073 → T1574.002 →
    // T1574.001), cycles do not, but the hop limit keeps a bad table from looping.
    auto follow = [&](std::string_view from) -> const Technique* {
        for (int hop = 0; hop < 8; ++hop) {
            const uint32_t* r = find_in(t_->revoked_to, from);
            if (!r) return nullptr;
            const Technique* to = technique(t_->redirects[*r].to);
            if (!to) return nullptr;
            if (to->status == AttackStatus::Active) return to;
            from = to->id;
        }
        return nullptr;
    };
    if (!out.technique) {
        out.fate = TechniqueFate::Unknown;
        out.current = follow(id);
    } else if (out.technique->status == AttackStatus::Active) {
        out.fate = TechniqueFate::Current;
        out.current = out.technique;
    } else {
        out.fate = out.technique->status == AttackStatus::Revoked ? TechniqueFate::Revoked
                                                                  : TechniqueFate::Deprecated;
        out.current = follow(out.technique->id);
    }
    for (std::string_view key : {id, out.current ? out.current->id : std::string_view()}) {
        if (key.empty()) continue;
        if (const uint32_t* r = find_in(t_->v19_to, key)) {
            out.v19 = technique(t_->redirects[*r].to);
            if (out.v19) break;
        }
    }
    return out;
}

const Tactic* Knowledge::tactic(std::string_view key) const {
    if (const Tactic* t = t_->tactic(key)) return t;
    if (key.find('_') == key.npos) return nullptr;
    std::string dashed(key);
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    return t_->tactic(dashed);
}

const AttackObject* Knowledge::software(std::string_view id) const {
    const uint32_t* i = find_in(t_->software_by_id, id);
    return i ? &t_->software[*i] : nullptr;
}
const AttackObject* Knowledge::group(std::string_view id) const {
    const uint32_t* i = find_in(t_->group_by_id, id);
    return i ? &t_->groups[*i] : nullptr;
}
const AttackObject* Knowledge::mitigation(std::string_view id) const {
    const uint32_t* i = find_in(t_->mitigation_by_id, id);
    return i ? &t_->mitigations[*i] : nullptr;
}
const AttackObject* Knowledge::campaign(std::string_view id) const {
    const uint32_t* i = find_in(t_->campaign_by_id, id);
    return i ? &t_->campaigns[*i] : nullptr;
}

// A Sigma ATT&CK tag is "attack." followed by a technique id (t1234, t1234.567), a tactic
// id (ta0001), a group/software/mitigation/campaign/data-source id (g0001, s0001, m1001,
// c0001, ds0001) or a tactic shortname, hyphenated (lateral-movement) or, in older rules,
// with underscores (lateral_movement). The id shape decides the kind even when the id is
// not in the tables (known = false), so a validator can tell "unknown technique T9999" from
// "not an ATT&CK tag at all".
AttackTag Knowledge::classify_tag(std::string_view tag) const {
    AttackTag out;
    constexpr std::string_view kPrefix = "attack.";
    if (!istarts_with(tag, kPrefix)) {
        out.kind = AttackTagKind::NotAttack;
        out.display = std::string(tag);
        return out;
    }
    std::string_view v = tag.substr(kPrefix.size());
    auto object = [&](AttackTagKind kind, const AttackObject* o) {
        out.kind = kind;
        out.id = upper_copy(v);
        out.object = o;
        out.known = o != nullptr;
        out.display = o ? o->display() : out.id;
    };
    if (is_technique_id(v)) {
        out.kind = AttackTagKind::Technique;
        out.id = upper_copy(v);
        out.technique = resolve_technique(v);
        out.known = out.technique.technique != nullptr;
        out.display = out.known ? out.technique.technique->display() : out.id;
    } else if (is_prefixed_id(v, "ta")) {
        out.kind = AttackTagKind::Tactic;
        out.id = upper_copy(v);
        out.tactic = t_->tactic(out.id);
        out.known = out.tactic != nullptr;
        out.display = out.known ? out.tactic->display() : out.id;
    } else if (is_prefixed_id(v, "ds")) {
        out.kind = AttackTagKind::DataSource;
        out.id = upper_copy(v);
        out.display = out.id;
    } else if (is_prefixed_id(v, "g")) {
        object(AttackTagKind::Group, group(v));
    } else if (is_prefixed_id(v, "s")) {
        object(AttackTagKind::Software, software(v));
    } else if (is_prefixed_id(v, "m")) {
        object(AttackTagKind::Mitigation, mitigation(v));
    } else if (is_prefixed_id(v, "c")) {
        object(AttackTagKind::Campaign, campaign(v));
    } else if (const Tactic* t = tactic(v); t && iequals(t->shortname, v)) {
        out.kind = AttackTagKind::Tactic;
        out.tactic = t;
        out.known = true;
        out.id = std::string(t->id);
        out.display = t->display();
    } else if (t && v.find('_') != v.npos) {
        out.kind = AttackTagKind::Tactic;
        out.tactic = t;
        out.known = true;
        out.legacy_spelling = true;
        out.id = std::string(t->id);
        out.display = t->display();
    } else {
        out.kind = AttackTagKind::Unknown;
        out.display = std::string(tag);
    }
    return out;
}

std::span<const Tactic> Knowledge::all_tactics() const {
    return t_->tactics;
}
std::span<const Technique> Knowledge::all_techniques() const {
    return t_->techniques;
}
std::span<const TechniqueRedirect> Knowledge::all_redirects() const {
    return t_->redirects;
}
std::span<const AttackObject> Knowledge::all_software() const {
    return t_->software;
}
std::span<const AttackObject> Knowledge::all_groups() const {
    return t_->groups;
}
std::span<const AttackObject> Knowledge::all_mitigations() const {
    return t_->mitigations;
}
std::span<const AttackObject> Knowledge::all_campaigns() const {
    return t_->campaigns;
}

const WindowsEvent* Knowledge::windows_event(std::string_view name, uint32_t event_id) const {
    auto rows = t_->event_index.find(name, event_id);
    return rows.empty() ? nullptr : &t_->events[rows.front().row()];
}

std::vector<const WindowsEvent*> Knowledge::windows_events(std::string_view name,
                                                           uint32_t event_id) const {
    std::vector<const WindowsEvent*> out;
    for (const auto& e : t_->event_index.find(name, event_id)) out.push_back(&t_->events[e.row()]);
    return out;
}

std::span<const WindowsEvent> Knowledge::all_windows_events() const {
    return t_->events;
}

std::vector<const LogsourceMapping*> Knowledge::logsource(std::string_view product,
                                                          std::string_view category,
                                                          std::string_view service) const {
    std::vector<const LogsourceMapping*> out;
    auto product_ok = [&](const LogsourceMapping& m) {
        return product.empty() || iequals(m.product, product);
    };
    if (!category.empty()) {
        for (const auto& m : t_->logsources)
            if (product_ok(m) && iequals(m.category, category) &&
                (service.empty() || iequals(m.service, service)))
                out.push_back(&m);
        if (!out.empty() || service.empty()) return out;
    }
    // Service only (or a category the service-specific table does not list): the service's
    // channel, all events.
    for (const auto& m : t_->logsources)
        if (product_ok(m) && m.category.empty() && iequals(m.service, service)) out.push_back(&m);
    return out;
}

std::span<const LogsourceMapping> Knowledge::all_logsources() const {
    return t_->logsources;
}

const SplunkDataSource* Knowledge::splunk_data_source(std::string_view name) const {
    const uint32_t* i = find_in(t_->splunk_by_name, name);
    return i ? &t_->splunk[*i] : nullptr;
}

std::span<const SplunkDataSource> Knowledge::all_splunk_data_sources() const {
    return t_->splunk;
}

const DataNeeded* Knowledge::data_needed(std::string_view channel_or_provider,
                                         uint32_t event_id) const {
    auto rows = t_->data_needed_index.find(channel_or_provider, event_id);
    return rows.empty() ? nullptr : &t_->data_needed[rows.front().row()];
}

std::span<const DataNeeded> Knowledge::all_data_needed() const {
    return t_->data_needed;
}

AtomicLookup Knowledge::atomic_tests(std::string_view technique_id) const {
    auto exact = [&](std::string_view id, AtomicMatch how) -> std::optional<AtomicLookup> {
        const Tables::Range* r = find_in(t_->atomic_exact, id);
        if (!r) return std::nullopt;
        std::span<const AtomicTest> tests(t_->atomic.data() + r->begin, r->end - r->begin);
        return AtomicLookup{tests, tests.front().technique, how};
    };
    if (auto a = exact(technique_id, AtomicMatch::Exact)) return *a;
    TechniqueLookup l = resolve_technique(technique_id);
    for (const Technique* next : {l.current, l.v19}) {
        if (next && !iequals(next->id, technique_id))
            if (auto a = exact(next->id, AtomicMatch::Redirected)) return *a;
    }
    if (size_t dot = technique_id.find('.'); dot != technique_id.npos)
        if (auto a = exact(technique_id.substr(0, dot), AtomicMatch::Parent)) return *a;
    return {};
}

std::span<const AtomicTest> Knowledge::atomic_tests_under(std::string_view technique_id) const {
    std::string_view parent = technique_id.substr(0, technique_id.find('.'));
    if (parent.size() != technique_id.size()) {
        // A sub-technique has no sub-techniques: its own tests.
        const Tables::Range* r = find_in(t_->atomic_exact, technique_id);
        return r ? std::span<const AtomicTest>(t_->atomic.data() + r->begin, r->end - r->begin)
                 : std::span<const AtomicTest>();
    }
    const Tables::Range* r = find_in(t_->atomic_under, parent);
    return r ? std::span<const AtomicTest>(t_->atomic.data() + r->begin, r->end - r->begin)
             : std::span<const AtomicTest>();
}

std::span<const AtomicTest> Knowledge::all_atomic_tests() const {
    return t_->atomic;
}

std::span<const KnowledgeSource> Knowledge::sources() const {
    return t_->sources;
}

std::string_view embedded_table(std::string_view name) {
    return detail::embedded_knowledge_table(name);
}

const Knowledge& knowledge() {
    static const Knowledge k([](std::string_view name) { return embedded_table(name); });
    return k;
}

}  // namespace sigil
