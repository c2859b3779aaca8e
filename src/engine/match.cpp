// engine/match.cpp — matching one event against the compiled rule set:
// log-source gate, literal prefilter (Hyperscan or the own scanner), then
// exact confirmation.
#include <algorithm>
#include <cstring>

#include "engine/compiled.h"

namespace sigil {

/* Per-event work, in three steps:
 *  1. Index: each event field whose name some predicate uses gets its field
 *     id; values of one id are chained (multi-valued fields).
 *  2. Candidates: the gate index gives the rule groups whose log source
 *     admits the event's Channel (folded) and EventID (exact text), plus the
 *     ungated group. A group's rules without atoms are candidates at once;
 *     for the others, the non-null values of the fields the group's atoms
 *     come from go to a scan buffer, and one scan makes the rules of the atoms
 *     that occur candidates. With Hyperscan: one buffer (every value when
 *     one atom is a keyword atom), raw, or folded when it has non-ASCII
 *     bytes, so Unicode case variants meet the folded atoms (ASCII case is
 *     left to Hyperscan's caseless mode). With the own scanner: the field
 *     atoms in their fields' values and the keyword atoms in every value,
 *     ASCII-lowercased (folded when not ASCII). Which engine a group uses is
 *     decided on its first use (prefilter.cpp); a group on the own scanner
 *     counts the bytes it scanned and moves to Hyperscan past its budget.
 *  3. Confirmation: each remaining candidate's expression is evaluated with
 *     short-circuit; predicate results are memoized for the event, so a
 *     predicate shared by many rules is computed once.
 * Per-event arrays are reset by an epoch counter instead of being cleared.
 */
struct RuleMatcher::State {
    std::shared_ptr<const CompiledRuleSet> owner;
    const CompiledRuleSet::Impl& im;
    uint32_t epoch = 0;
    const Event* ev = nullptr;
    std::vector<uint32_t> field_stamp;
    std::vector<int32_t> field_head;
    std::vector<int32_t> next;  // per event field: next value of the same field id
    std::vector<uint32_t> fold_stamp;
    std::vector<std::string> folded;  // per event field, computed on demand
    std::vector<uint32_t> memo_stamp;
    std::vector<uint8_t> memo;
    std::vector<uint32_t> cand_stamp;
    std::vector<uint32_t> cand, groups_seen;
    std::vector<int32_t> field_of;          // per event field: its field id or -1
    std::vector<std::string> layout_names;  // field names of earlier events, by position
    std::vector<int32_t> layout_ids;
    std::string last_channel;  // raw Channel value of the last lookup, and its gate entry
    const NameMap<std::vector<uint32_t>>* last_gate = nullptr;
    std::string buf, all_values;  // scan texts: a group's fields, every value (own scanner)
    uint32_t all_values_epoch = 0;
    std::vector<uint32_t> atom_stamp;  // per atom of the group scanned: found in this scan
    uint32_t scan_epoch = 0;
    hs_scratch_t* scratch = nullptr;  // grown to fit every database used so far
    // Per group: its engine in this thread (Hyperscan: the database, which
    // the scratch fits), the bytes its own scanner scanned so far, and the
    // budget after which it moves to Hyperscan.
    enum class Engine : uint8_t { Unset, None, Hyperscan, Scanner };
    std::vector<Engine> group_engine;
    std::vector<const hs_database_t*> group_db;
    std::vector<uint64_t> group_scanned, group_budget;
    uint64_t events = 0, confirmed = 0, scanned = 0;

    explicit State(std::shared_ptr<const CompiledRuleSet> rs)
        : owner(std::move(rs)), im(*owner->impl_) {
        field_stamp.assign(im.field_ids.size(), 0);
        field_head.assign(im.field_ids.size(), -1);
        memo_stamp.assign(im.preds.size(), 0);
        memo.assign(im.preds.size(), 0);
        cand_stamp.assign(im.crules.size(), 0);
        group_engine.assign(im.groups.size(), Engine::Unset);
        group_db.assign(im.groups.size(), nullptr);
        group_scanned.assign(im.groups.size(), 0);
        group_budget.assign(im.groups.size(), UINT64_MAX);
    }
    ~State() {
        if (scratch) hs_free_scratch(scratch);
    }

    void new_epoch() {
        if (++epoch == 0) {  // wrapped: clear every stamp once
            std::fill(field_stamp.begin(), field_stamp.end(), 0);
            std::fill(memo_stamp.begin(), memo_stamp.end(), 0);
            std::fill(cand_stamp.begin(), cand_stamp.end(), 0);

            std::fill(fold_stamp.begin(), fold_stamp.end(), 0);
            all_values_epoch = 0;
            epoch = 1;
        }
    }

    int32_t head(int field) const {
        return field >= 0 && field_stamp[size_t(field)] == epoch ? field_head[size_t(field)] : -1;
    }

    const std::string& folded_value(int32_t i) {
        if (fold_stamp[size_t(i)] != epoch) {
            fold_stamp[size_t(i)] = epoch;
            std::string& f = folded[size_t(i)];
            f.clear();
            values::fold_into(ev->fields[size_t(i)].value, f);
        }
        return folded[size_t(i)];
    }

    void index(const Event& e) {
        ev = &e;
        size_t n = e.fields.size();
        if (next.size() < n) {
            next.resize(n);
            field_of.resize(n);
            folded.resize(n);
            fold_stamp.resize(n, 0);
        }
        if (layout_names.size() < n) {
            layout_names.resize(n);
            layout_ids.resize(n, -1);
        }
        for (size_t i = 0; i < n; ++i) {
            // Events of one file mostly repeat the previous event's field
            // order: compare with the name seen at this position before
            // hashing.
            std::string_view name = e.fields[i].name;
            int32_t id;
            if (layout_names[i] == name) {
                id = layout_ids[i];
            } else {
                auto it = im.field_ids.find(name);
                id = it == im.field_ids.end() ? -1 : it->second;
                layout_names[i].assign(name);
                layout_ids[i] = id;
            }
            field_of[i] = id;
            if (id < 0) continue;
            size_t f = size_t(id);
            if (field_stamp[f] != epoch) {
                field_stamp[f] = epoch;
                field_head[f] = -1;
            }
            next[i] = field_head[f];
            field_head[f] = int32_t(i);
        }
    }

    void add_group(uint32_t gid) {
        for (uint32_t g : groups_seen)
            if (g == gid) return;
        if (im.groups[gid].rules.empty()) return;
        groups_seen.push_back(gid);
        const RuleGroup& g = im.groups[gid];
        // A group without atoms confirms all its rules.
        for (uint32_t c : engine(gid) == Engine::None ? g.rules : g.always) candidate(c);
    }

    // The group's engine in this thread, chosen on first use
    // (CompiledRuleSet::Impl::plan), with this thread's scratch grown to fit
    // a Hyperscan database.
    Engine engine(uint32_t gid) {
        if (group_engine[gid] != Engine::Unset) return group_engine[gid];
        if (!im.groups[gid].pf) return group_engine[gid] = Engine::None;
        auto plan = im.plan(gid);
        if (plan.db && use_database(gid, plan.db)) return Engine::Hyperscan;
        if (!plan.db) group_budget[gid] = plan.switch_after;
        im.scanners(gid);
        return group_engine[gid] = Engine::Scanner;
    }

    bool use_database(uint32_t gid, const hs_database_t* db) {
        if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) return false;
        group_db[gid] = db;
        group_engine[gid] = Engine::Hyperscan;
        return true;
    }

    // Past its budget, a group on the own scanner moves to Hyperscan (built
    // now, or read from the cache another thread wrote).
    void over_budget(uint32_t gid) {
        group_budget[gid] = UINT64_MAX;
        const hs_database_t* db = im.prefilter(gid, true);
        if (db && use_database(gid, db)) {
            std::lock_guard<std::mutex> l(im.late_mu);
            ++im.cache_stats.switched;
        }
    }

    void candidate(uint32_t c) {
        if (cand_stamp[c] == epoch) return;
        cand_stamp[c] = epoch;
        cand.push_back(c);
    }

    struct ScanContext {
        State* st;
        const RuleGroup* group;
    };

    static int on_atom(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
        auto* sc = static_cast<ScanContext*>(ctx);
        for (uint32_t c : sc->group->atom_rules[id]) sc->st->candidate(c);
        return 0;
    }

    // Hyperscan: values of the group's atom fields (or all values), folded
    // when not ASCII, NUL-separated.
    void scan_hyperscan(const RuleGroup& g, const hs_database_t* db) {
        // Raw values first; only when some byte is not ASCII is the buffer
        // rebuilt with those values folded.
        for (int pass = 0; pass < 2; ++pass) {
            buf.clear();
            for (size_t i = 0; i < ev->fields.size(); ++i) {
                const EventField& f = ev->fields[i];
                if (f.is_null) continue;
                if (!g.full && (field_of[i] < 0 || !g.scan_field[size_t(field_of[i])])) continue;
                if (pass == 1 && !values::is_ascii(f.value))
                    values::fold_into(f.value, buf);
                else
                    buf.append(f.value);
                buf.push_back('\0');
            }
            if (pass == 0 && values::is_ascii(buf)) break;
        }
        ScanContext sc{this, &g};
        hs_scan(db, buf.data(), unsigned(buf.size()), 0, scratch, &State::on_atom, &sc);
    }

    // The own scanner: the group's field atoms in the values of their
    // fields, and its keyword atoms in every value (NUL-separated, see
    // append_lower). Returns the bytes scanned.
    size_t scan_own(uint32_t gid) {
        const RuleGroup& g = im.groups[gid];
        const PrefilterDb& sc = im.scanners(gid);
        if (atom_stamp.size() < g.atom_rules.size()) atom_stamp.resize(g.atom_rules.size(), 0);
        if (++scan_epoch == 0) {
            std::fill(atom_stamp.begin(), atom_stamp.end(), 0);
            scan_epoch = 1;
        }
        auto found = [&](uint32_t a) {
            if (atom_stamp[a] == scan_epoch) return;
            atom_stamp[a] = scan_epoch;
            for (uint32_t c : g.atom_rules[a]) candidate(c);
        };
        size_t bytes = 0;
        if (!sc.fields.empty()) {
            buf.clear();
            for (size_t i = 0; i < ev->fields.size(); ++i) {
                const EventField& f = ev->fields[i];
                if (f.is_null || field_of[i] < 0 || !g.scan_field[size_t(field_of[i])]) continue;
                append_lower(buf, f.value);
                buf.push_back('\0');
            }
            sc.fields.scan(buf, [&](uint32_t k) { found(sc.field_atoms[k]); });
            bytes += buf.size();
        }
        if (!sc.keywords.empty()) {
            if (all_values_epoch != epoch) {  // built once per event, shared by groups
                all_values_epoch = epoch;
                all_values.clear();
                for (const EventField& f : ev->fields) {
                    if (f.is_null) continue;
                    append_lower(all_values, f.value);
                    all_values.push_back('\0');
                }
            }
            sc.keywords.scan(all_values, [&](uint32_t k) { found(sc.keyword_atoms[k]); });
            bytes += all_values.size();
        }
        return bytes;
    }

    // Appends v ASCII-lowercased, or folded when it has non-ASCII bytes
    // (the atoms are folded; for ASCII, folding is lowercasing).
    static void append_lower(std::string& out, std::string_view v) {
        size_t at = out.size();
        out.resize(at + v.size());
        if (!lower_ascii(v.data(), v.size(), out.data() + at)) {
            out.resize(at);
            values::fold_into(v, out);
        }
    }

    /* ASCII lowercase, 8 bytes at a time (SWAR): for each byte b < 0x80,
     * b + (0x80 - 'A') has its top bit set when b >= 'A', and
     * b + (0x7F - 'Z') when b > 'Z'; their difference marks 'A'..'Z', and
     * that bit moved to 0x20 lowercases. False (output unspecified) when
     * some byte is not ASCII.
     */
    static bool lower_ascii(const char* in, size_t n, char* out) {
        constexpr uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
        uint64_t any_high = 0;
        size_t k = 0;
        for (; k + 8 <= n; k += 8) {
            uint64_t w;
            std::memcpy(&w, in + k, 8);
            any_high |= w;
            uint64_t ge_a = w + (0x80 - 'A') * ones, gt_z = w + (0x7F - 'Z') * ones;
            uint64_t upper = (ge_a ^ gt_z) & high;
            w |= upper >> 2;
            std::memcpy(out + k, &w, 8);
        }
        for (; k < n; ++k) {
            unsigned char c = static_cast<unsigned char>(in[k]);
            any_high |= c;
            out[k] = char(c + ((unsigned(c) - 'A' < 26u) << 5));
        }
        return (any_high & high) == 0;
    }

    bool keyword(const CompiledPred& p) {
        const auto& fields = ev->fields;
        for (size_t i = 0; i < fields.size(); ++i) {
            if (fields[i].is_null) continue;
            std::string_view raw = fields[i].value;
            if (p.re) {
                if (p.re->search(raw)) return true;
                continue;
            }
            std::string_view s = p.cased ? raw : std::string_view(folded_value(int32_t(i)));
            if (p.src->op == Op::Glob ? p.glob.match(s) : s.find(p.lit) != std::string_view::npos)
                return true;
        }
        return false;
    }

    bool value(const CompiledPred& p, int32_t i) {
        const EventField& f = ev->fields[size_t(i)];
        if (f.is_null) return p.kind == PredKind::EqNull;
        std::string_view raw = f.value;
        auto text = [&]() -> std::string_view {
            return p.cased ? raw : std::string_view(folded_value(i));
        };
        switch (p.kind) {
            case PredKind::TimePart: {
                double part;
                return values::time_part_of(raw, p.src->time_part, part) &&
                       values::compare_numbers(p.src->op, part, p.num);
            }
            case PredKind::EqNull:
                return false;
            case PredKind::EqBool:
                return folded_value(i) == p.lit;
            case PredKind::EqNumText:
                return raw == p.lit;
            case PredKind::EqStr:
                return text() == p.lit;
            case PredKind::Contains:
                return text().find(p.lit) != std::string_view::npos;
            case PredKind::StartsWith:
                return text().substr(0, p.lit.size()) == p.lit;
            case PredKind::EndsWith: {
                std::string_view s = text();
                return s.size() >= p.lit.size() && s.substr(s.size() - p.lit.size()) == p.lit;
            }
            case PredKind::Glob:
                return p.glob.match(text());
            case PredKind::Regex:
                return p.re->search(raw);
            case PredKind::Cidr:
                return p.net->contains(raw);
            case PredKind::NumCmp: {
                double d;
                return values::number_of(raw, d) && values::compare_numbers(p.src->op, d, p.num);
            }
            case PredKind::FieldRef: {
                std::string a(text());
                for (int32_t j = head(p.ref_field); j >= 0; j = next[size_t(j)]) {
                    if (ev->fields[size_t(j)].is_null) continue;
                    std::string_view b =
                        p.cased ? ev->fields[size_t(j)].value : std::string_view(folded_value(j));
                    bool m;
                    switch (p.src->op) {
                        case Op::FieldRef:
                            m = a == b;
                            break;
                        case Op::FieldRefContains:
                            m = a.find(b) != std::string::npos;
                            break;
                        case Op::FieldRefStartsWith:
                            m = a.compare(0, b.size(), b) == 0;
                            break;
                        default:
                            m = a.size() >= b.size() &&
                                a.compare(a.size() - b.size(), b.size(), b) == 0;
                    }
                    if (m) return true;
                }
                return false;
            }
            default:
                return false;
        }
    }

    bool pred(int32_t id) {
        if (memo_stamp[size_t(id)] == epoch) return memo[size_t(id)];
        const CompiledPred& p = im.preds[size_t(id)];
        bool r = false;
        switch (p.kind) {
            case PredKind::Never:
                r = false;
                break;
            case PredKind::Keyword:
                r = keyword(p);
                break;
            case PredKind::Exists:
                r = p.src->value.b == (head(p.field) >= 0);
                break;
            default: {
                int32_t h = head(p.field);
                if (h < 0) {
                    r = p.src->op == Op::Eq && p.src->value.kind == ValueKind::Null;
                } else {
                    for (int32_t i = h; i >= 0 && !r; i = next[size_t(i)]) r = value(p, i);
                }
            }
        }
        memo_stamp[size_t(id)] = epoch;
        memo[size_t(id)] = r;
        return r;
    }

    bool eval(uint32_t n) {
        const Node& x = im.nodes[n];
        switch (x.kind) {
            case ExprKind::True:
                return true;
            case ExprKind::False:
                return false;
            case ExprKind::Pred:
                return pred(x.pred);
            case ExprKind::Not:
                return !eval(im.kids[x.first]);
            case ExprKind::And:
                for (uint32_t k = 0; k < x.count; ++k)
                    if (!eval(im.kids[x.first + k])) return false;
                return true;
            case ExprKind::Or:
                for (uint32_t k = 0; k < x.count; ++k)
                    if (eval(im.kids[x.first + k])) return true;
                return false;
        }
        return false;
    }

    void match(const Event& e, std::vector<uint32_t>& out) {
        ++events;
        new_epoch();
        index(e);
        cand.clear();
        groups_seen.clear();
        for (int32_t c = head(im.channel_field); c >= 0; c = next[size_t(c)]) {
            if (e.fields[size_t(c)].is_null) continue;
            if (e.fields[size_t(c)].value != last_channel || last_channel.empty()) {
                auto it = im.gate.find(folded_value(c));
                last_gate = it == im.gate.end() ? nullptr : &it->second;
                last_channel.assign(e.fields[size_t(c)].value);
            }
            if (!last_gate) continue;
            if (auto any = last_gate->find(""); any != last_gate->end())
                for (uint32_t g : any->second) add_group(g);
            for (int32_t d = head(im.eventid_field); d >= 0; d = next[size_t(d)]) {
                if (e.fields[size_t(d)].is_null || e.fields[size_t(d)].value.empty()) continue;
                auto jt = last_gate->find(e.fields[size_t(d)].value);
                if (jt != last_gate->end())
                    for (uint32_t g : jt->second) add_group(g);
            }
        }
        add_group(im.ungated_group);
        for (uint32_t g : groups_seen) {
            if (group_engine[g] == Engine::Hyperscan) {
                scan_hyperscan(im.groups[g], group_db[g]);
                scanned += buf.size();
            } else if (group_engine[g] == Engine::Scanner) {
                size_t n = scan_own(g);
                scanned += n;
                group_scanned[g] += n;
                if (group_scanned[g] >= group_budget[g]) over_budget(g);
            }
        }
        size_t first = out.size();
        for (uint32_t c : cand) {
            const CompiledRule& cr = im.crules[c];
            ++confirmed;
            if (eval(cr.root)) out.push_back(cr.rule);
        }
        std::sort(out.begin() + long(first), out.end());
    }
};

RuleMatcher::RuleMatcher(std::shared_ptr<const CompiledRuleSet> rules)
    : st_(std::make_unique<State>(std::move(rules))) {}
RuleMatcher::~RuleMatcher() = default;
void RuleMatcher::match(const Event& ev, std::vector<uint32_t>& out) {
    st_->match(ev, out);
}
uint64_t RuleMatcher::events() const {
    return st_->events;
}
uint64_t RuleMatcher::confirmed() const {
    return st_->confirmed;
}
uint64_t RuleMatcher::scanned() const {
    return st_->scanned;
}

}  // namespace sigil
