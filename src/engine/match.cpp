// engine/match.cpp — matching one event against the compiled rule set:
// log-source gate, Hyperscan prefilter, then exact confirmation.
#include <algorithm>
#include <cstring>

#include "engine/compiled.h"

namespace sigil {

/* Per-event work, in three steps:
 *  1. Index: each event field whose name some predicate uses gets its field
 *     id; values of one id are chained (multi-valued fields).
 *  2. Candidates: the gate index gives the rules whose log source admits the
 *     event's Channel (folded) and EventID (exact text), plus the ungated
 *     rules. If some candidate has atoms, every non-null value is written to
 *     one scan buffer (folded when it has non-ASCII bytes, so Unicode case
 *     variants meet the folded atoms; ASCII case is left to Hyperscan's
 *     caseless mode) and one Hyperscan scan marks the rules whose atoms occur.
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
    std::vector<uint32_t> cand_stamp, hit_stamp;
    std::vector<uint32_t> cand;
    std::string buf;
    hs_scratch_t* scratch = nullptr;
    uint64_t events = 0, confirmed = 0;

    explicit State(std::shared_ptr<const CompiledRuleSet> rs)
        : owner(std::move(rs)), im(*owner->impl_) {
        field_stamp.assign(im.field_ids.size(), 0);
        field_head.assign(im.field_ids.size(), -1);
        memo_stamp.assign(im.preds.size(), 0);
        memo.assign(im.preds.size(), 0);
        cand_stamp.assign(im.crules.size(), 0);
        hit_stamp.assign(im.crules.size(), 0);
        if (im.db && hs_alloc_scratch(im.db, &scratch) != HS_SUCCESS) scratch = nullptr;
    }
    ~State() {
        if (scratch) hs_free_scratch(scratch);
    }

    void new_epoch() {
        if (++epoch == 0) {  // wrapped: clear every stamp once
            std::fill(field_stamp.begin(), field_stamp.end(), 0);
            std::fill(memo_stamp.begin(), memo_stamp.end(), 0);
            std::fill(cand_stamp.begin(), cand_stamp.end(), 0);
            std::fill(hit_stamp.begin(), hit_stamp.end(), 0);
            std::fill(fold_stamp.begin(), fold_stamp.end(), 0);
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
            engine_detail::fold_into(ev->fields[size_t(i)].value, f);
        }
        return folded[size_t(i)];
    }

    void index(const Event& e) {
        ev = &e;
        size_t n = e.fields.size();
        if (next.size() < n) {
            next.resize(n);
            folded.resize(n);
            fold_stamp.resize(n, 0);
        }
        for (size_t i = 0; i < n; ++i) {
            auto it = im.field_ids.find(e.fields[i].name);
            if (it == im.field_ids.end()) continue;
            size_t f = size_t(it->second);
            if (field_stamp[f] != epoch) {
                field_stamp[f] = epoch;
                field_head[f] = -1;
            }
            next[i] = field_head[f];
            field_head[f] = int32_t(i);
        }
    }

    void add_candidates(const std::vector<uint32_t>& list, bool& need_scan) {
        for (uint32_t c : list) {
            if (cand_stamp[c] == epoch) continue;
            cand_stamp[c] = epoch;
            cand.push_back(c);
            need_scan |= im.crules[c].has_atoms;
        }
    }

    static int on_atom(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
        auto* st = static_cast<State*>(ctx);
        for (uint32_t c : st->im.atom_rules[id]) st->hit_stamp[c] = st->epoch;
        return 0;
    }

    void scan() {
        buf.clear();
        for (auto& f : ev->fields) {
            if (f.is_null) continue;
            if (engine_detail::is_ascii(f.value))
                buf.append(f.value);
            else
                engine_detail::fold_into(f.value, buf);
            buf.push_back('\0');
        }
        hs_scan(im.db, buf.data(), unsigned(buf.size()), 0, scratch, &State::on_atom, this);
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
                return engine_detail::time_part_of(raw, p.src->time_part, part) &&
                       engine_detail::compare_numbers(p.src->op, part, p.num);
            }
            case PredKind::EqNull: return false;
            case PredKind::EqBool: return folded_value(i) == p.lit;
            case PredKind::EqNumText: return raw == p.lit;
            case PredKind::EqStr: return text() == p.lit;
            case PredKind::Contains: return text().find(p.lit) != std::string_view::npos;
            case PredKind::StartsWith: return text().substr(0, p.lit.size()) == p.lit;
            case PredKind::EndsWith: {
                std::string_view s = text();
                return s.size() >= p.lit.size() && s.substr(s.size() - p.lit.size()) == p.lit;
            }
            case PredKind::Glob: return p.glob.match(text());
            case PredKind::Regex: return p.re->search(raw);
            case PredKind::Cidr: return p.net->contains(raw);
            case PredKind::NumCmp: {
                double d;
                return engine_detail::number_of(raw, d) &&
                       engine_detail::compare_numbers(p.src->op, d, p.num);
            }
            case PredKind::FieldRef: {
                std::string a(text());
                for (int32_t j = head(p.ref_field); j >= 0; j = next[size_t(j)]) {
                    if (ev->fields[size_t(j)].is_null) continue;
                    std::string_view b = p.cased ? ev->fields[size_t(j)].value
                                                 : std::string_view(folded_value(j));
                    bool m;
                    switch (p.src->op) {
                        case Op::FieldRef: m = a == b; break;
                        case Op::FieldRefContains: m = a.find(b) != std::string::npos; break;
                        case Op::FieldRefStartsWith: m = a.compare(0, b.size(), b) == 0; break;
                        default:
                            m = a.size() >= b.size() &&
                                a.compare(a.size() - b.size(), b.size(), b) == 0;
                    }
                    if (m) return true;
                }
                return false;
            }
            default: return false;
        }
    }

    bool pred(int32_t id) {
        if (memo_stamp[size_t(id)] == epoch) return memo[size_t(id)];
        const CompiledPred& p = im.preds[size_t(id)];
        bool r = false;
        switch (p.kind) {
            case PredKind::Never: r = false; break;
            case PredKind::Keyword: r = keyword(p); break;
            case PredKind::Exists: r = p.src->value.b == (head(p.field) >= 0); break;
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
            case ExprKind::True: return true;
            case ExprKind::False: return false;
            case ExprKind::Pred: return pred(x.pred);
            case ExprKind::Not: return !eval(im.kids[x.first]);
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
        bool need_scan = false;
        if (!im.gate.empty()) {
            for (int32_t c = head(im.channel_field); c >= 0; c = next[size_t(c)]) {
                if (e.fields[size_t(c)].is_null) continue;
                auto it = im.gate.find(folded_value(c));
                if (it == im.gate.end()) continue;
                auto any = it->second.find("");
                if (any != it->second.end()) add_candidates(any->second, need_scan);
                for (int32_t d = head(im.eventid_field); d >= 0; d = next[size_t(d)]) {
                    if (e.fields[size_t(d)].is_null || e.fields[size_t(d)].value.empty()) continue;
                    auto jt = it->second.find(std::string(e.fields[size_t(d)].value));
                    if (jt != it->second.end()) add_candidates(jt->second, need_scan);
                }
            }
        }
        add_candidates(im.ungated, need_scan);
        if (cand.empty()) return;
        bool scanned = need_scan && im.db && scratch;
        if (scanned) scan();
        size_t first = out.size();
        for (uint32_t c : cand) {
            const CompiledRule& cr = im.crules[c];
            if (cr.has_atoms && scanned && hit_stamp[c] != epoch) continue;
            ++confirmed;
            if (eval(cr.root)) out.push_back(cr.rule);
        }
        std::sort(out.begin() + long(first), out.end());
    }
};

RuleMatcher::RuleMatcher(std::shared_ptr<const CompiledRuleSet> rules)
    : st_(std::make_unique<State>(std::move(rules))) {}
RuleMatcher::~RuleMatcher() = default;
void RuleMatcher::match(const Event& ev, std::vector<uint32_t>& out) { st_->match(ev, out); }
uint64_t RuleMatcher::events() const { return st_->events; }
uint64_t RuleMatcher::confirmed() const { return st_->confirmed; }

}  // namespace sigil
