// engine/correlation.cpp — Sigma correlation rules (event_count, value_count,
// temporal, temporal_ordered, value_sum/avg/percentile/median) over the
// detections of the rules they reference, in time order, per group.
#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/compiled.h"

namespace sigil {

namespace engine_detail {

namespace {

void corr_diag(Diagnostics& d, const char* code, std::string msg, const Rule& r,
               Severity sev = Severity::Error) {
    Diagnostic x;
    x.severity = sev;
    x.code = code;
    x.message = std::move(msg);
    x.loc = r.loc;
    x.rule = r.title.empty() ? r.id : r.title;
    d.push_back(std::move(x));
}

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower((unsigned char)c));
    return s;
}

// Extended temporal condition ("a and not (b or c)") → postfix over input
// indices; false when it does not parse or names an unknown rule.
bool parse_extended(const std::string& text, const std::function<int(const std::string&)>& input,
                    std::vector<int>& out) {
    std::vector<std::string> toks;
    for (size_t i = 0; i < text.size();) {
        char c = text[i];
        if (std::isspace((unsigned char)c)) {
            ++i;
        } else if (c == '(' || c == ')') {
            toks.emplace_back(1, c);
            ++i;
        } else {
            size_t j = i;
            while (j < text.size() && !std::isspace((unsigned char)text[j]) && text[j] != '(' &&
                   text[j] != ')')
                ++j;
            toks.push_back(text.substr(i, j - i));
            i = j;
        }
    }
    size_t pos = 0;
    std::function<bool()> expr_or, expr_and, expr_not;
    expr_not = [&]() -> bool {
        if (pos >= toks.size()) return false;
        if (lower(toks[pos]) == "not") {
            ++pos;
            if (!expr_not()) return false;
            out.push_back(-3);
            return true;
        }
        if (toks[pos] == "(") {
            ++pos;
            if (!expr_or() || pos >= toks.size() || toks[pos] != ")") return false;
            ++pos;
            return true;
        }
        int k = input(toks[pos]);
        if (k < 0) return false;
        out.push_back(k);
        ++pos;
        return true;
    };
    expr_and = [&]() -> bool {
        if (!expr_not()) return false;
        while (pos < toks.size() && lower(toks[pos]) == "and") {
            ++pos;
            if (!expr_not()) return false;
            out.push_back(-1);
        }
        return true;
    };
    expr_or = [&]() -> bool {
        if (!expr_and()) return false;
        while (pos < toks.size() && lower(toks[pos]) == "or") {
            ++pos;
            if (!expr_and()) return false;
            out.push_back(-2);
        }
        return true;
    };
    return expr_or() && pos == toks.size();
}

}  // namespace

/* Compilation: references resolve by id (case-insensitive), then name, as
 * the loader does; group-by entries go through `aliases` per referenced
 * rule; chains are ordered so a correlation runs after those it reads.
 * Anything the engine cannot evaluate is an error naming the rule, and that
 * correlation is left out.
 */
void compile_correlations(CompiledRuleSet::Impl& im, Diagnostics& diags) {
    const auto& rules = *im.rules;
    im.corr_of_rule.assign(rules.size(), -1);
    im.feeds_correlation.assign(rules.size(), false);
    std::map<std::string, size_t> by_id, by_name;
    std::vector<bool> compiled_detection(rules.size(), false);
    for (auto& cr : im.crules) compiled_detection[cr.rule] = true;
    for (size_t i = 0; i < rules.size(); ++i) {
        if (rules[i].kind == RuleKind::Filter) continue;
        if (!rules[i].id.empty()) by_id.emplace(lower(rules[i].id), i);
        if (!rules[i].name.empty()) by_name.emplace(rules[i].name, i);
    }
    auto resolve = [&](const std::string& ref) -> long {
        auto it = by_id.find(lower(ref));
        if (it != by_id.end()) return long(it->second);
        auto jt = by_name.find(ref);
        return jt != by_name.end() ? long(jt->second) : -1;
    };

    std::vector<CompiledCorrelation> all;
    for (uint32_t i = 0; i < rules.size(); ++i) {
        const Rule& r = rules[i];
        if (r.kind != RuleKind::Correlation || !r.correlation) continue;
        const Correlation& c = *r.correlation;
        CompiledCorrelation cc;
        cc.rule = i;
        cc.type = c.type;
        cc.group_by = c.group_by;
        cc.span_ms = int64_t(c.timespan_seconds) * 1000;
        cc.condition = c.condition;
        bool ok = true;
        for (auto& ref : c.rules) {
            long t = resolve(ref);
            if (t < 0) {
                corr_diag(diags, "engine.correlation.unknown_rule",
                          "correlation refers to rule '" + ref + "', which is not loaded", r);
                ok = false;
                continue;
            }
            const Rule& in = rules[size_t(t)];
            if (in.kind == RuleKind::Detection && !compiled_detection[size_t(t)]) {
                corr_diag(diags, "engine.correlation.rule_not_compiled",
                          "correlation refers to rule '" + ref + "', which the engine cannot run",
                          r);
                ok = false;
                continue;
            }
            cc.inputs.push_back(int(t));
            cc.input_names.push_back(ref);
            std::vector<std::string> gf;
            for (auto& g : c.group_by) {
                std::string f = g;
                auto al = c.aliases.find(g);
                if (al != c.aliases.end()) {
                    for (auto& [rname, field] : al->second)
                        if (rname == ref || rname == in.name || lower(rname) == lower(in.id))
                            f = field;
                }
                gf.push_back(f);
            }
            cc.group_fields.push_back(gf);
            std::vector<std::string> vf;
            for (auto& f : c.condition_fields) {
                std::string x = f;
                auto al = c.aliases.find(f);
                if (al != c.aliases.end())
                    for (auto& [rname, field] : al->second)
                        if (rname == ref || rname == in.name || lower(rname) == lower(in.id))
                            x = field;
                vf.push_back(x);
            }
            cc.value_fields.push_back(vf);
        }
        bool temporal =
            c.type == Correlation::Type::Temporal || c.type == Correlation::Type::TemporalOrdered;
        if (temporal && cc.condition.empty())
            cc.condition.emplace_back(CmpOp::Gte, double(c.rules.size()));
        if (c.type == Correlation::Type::ValuePercentile) {
            if (!c.percentile) {
                corr_diag(diags, "engine.correlation.percentile",
                          "value_percentile needs 'condition.percentile' (the rank, 0-100)", r);
                ok = false;
            } else {
                cc.percentile = *c.percentile;
            }
        }
        bool numeric = c.type == Correlation::Type::ValueSum ||
                       c.type == Correlation::Type::ValueAvg ||
                       c.type == Correlation::Type::ValuePercentile ||
                       c.type == Correlation::Type::ValueMedian;
        if (numeric && c.condition_fields.size() != 1) {
            corr_diag(diags, "engine.correlation.multi_field",
                      std::string(Correlation::type_name(c.type)) +
                          " over several fields is not supported by the engine",
                      r);
            ok = false;
        }
        if (cc.span_ms <= 0) {
            corr_diag(diags, "engine.correlation.timespan", "the correlation has no time span", r);
            ok = false;
        }
        if (!c.extended_condition.empty()) {
            if (c.type != Correlation::Type::Temporal) {
                corr_diag(diags, "engine.correlation.extended_condition",
                          "a condition expression is supported for temporal correlations only", r);
                ok = false;
            } else {
                auto input = [&](const std::string& name) -> int {
                    for (size_t k = 0; k < cc.input_names.size(); ++k) {
                        const Rule& in = rules[size_t(cc.inputs[k])];
                        if (cc.input_names[k] == name || in.name == name ||
                            lower(in.id) == lower(name))
                            return int(k);
                    }
                    return -1;
                };
                if (!parse_extended(c.extended_condition, input, cc.ext_postfix)) {
                    corr_diag(diags, "engine.correlation.extended_condition",
                              "cannot evaluate condition '" + c.extended_condition + "'", r);
                    ok = false;
                }
                cc.condition.clear();
            }
        }
        if (!ok) {
            ++im.stats.skipped_rules;
            continue;
        }
        all.push_back(std::move(cc));
    }

    // Dependency order (inputs first); cycles and references to dropped
    // correlations leave the correlation out.
    std::map<uint32_t, size_t> idx;
    for (size_t k = 0; k < all.size(); ++k) idx[all[k].rule] = k;
    std::vector<int> state(all.size(), 0);  // 0 new, 1 visiting, 2 done, 3 failed
    std::vector<size_t> order;
    std::function<bool(size_t)> visit = [&](size_t k) -> bool {
        if (state[k] == 2) return true;
        if (state[k] == 1 || state[k] == 3) return false;
        state[k] = 1;
        for (int in : all[k].inputs) {
            if (rules[size_t(in)].kind != RuleKind::Correlation) continue;
            auto it = idx.find(uint32_t(in));
            if (it == idx.end() || !visit(it->second)) {
                state[k] = 3;
                corr_diag(diags, "engine.correlation.chain",
                          "correlation chain through '" + rules[size_t(in)].title +
                              "' cannot run (cycle or failed correlation)",
                          rules[all[k].rule]);
                return false;
            }
        }
        state[k] = 2;
        order.push_back(k);
        return true;
    };
    for (size_t k = 0; k < all.size(); ++k)
        if (!visit(k) && state[k] == 3) ++im.stats.skipped_rules;

    std::vector<bool> gen_true(rules.size(), false), gen_false(rules.size(), false);
    for (size_t k : order) {
        CompiledCorrelation& cc = all[k];
        const Correlation& c = *rules[cc.rule].correlation;
        im.corr_of_rule[cc.rule] = int(im.corrs.size());
        for (size_t n = 0; n < cc.inputs.size(); ++n) {
            size_t in = size_t(cc.inputs[n]);
            (c.generate ? gen_true : gen_false)[in] = true;
            if (rules[in].kind != RuleKind::Detection) continue;
            im.feeds_correlation[in] = true;
            for (auto& f : cc.group_fields[n])
                if (!im.corr_field_ids.count(f)) {
                    im.corr_field_ids.emplace(f, int(im.corr_fields.size()));
                    im.corr_fields.push_back(f);
                }
            for (auto& f : cc.value_fields[n])
                if (!im.corr_field_ids.count(f)) {
                    im.corr_field_ids.emplace(f, int(im.corr_fields.size()));
                    im.corr_fields.push_back(f);
                }
        }
        im.corrs.push_back(std::move(cc));
        ++im.stats.correlation_rules;
    }
    for (size_t i = 0; i < rules.size(); ++i)
        if (gen_false[i] && !gen_true[i]) im.reported_alone[i] = false;
}

}  // namespace engine_detail

// ---------------------------------------------------------------------------
// Recording detections and running the correlations
// ---------------------------------------------------------------------------

namespace {

struct Record {
    int64_t t = 0;
    uint32_t rule = 0;
    uint32_t source = 0;  // index into sources
    uint64_t record_id = 0;
    uint64_t seq = 0;  // arrival order (ties)
    std::vector<std::string> vals;
    std::vector<uint8_t> has;
    std::string computer, channel, event_id;
};

// One input of one correlation: a detection or an inner correlation's hit.
struct Item {
    int64_t t;
    int input;
    std::string key;    // joined group values
    std::string value;  // value_count: distinct value
    double num = 0;     // value_sum/avg/percentile/median
    const Record* rec = nullptr;
    const CorrelationHit* hit = nullptr;
    std::vector<std::pair<std::string, std::string>> group;
};

bool cmp_ok(CmpOp op, double a, double b) {
    switch (op) {
        case CmpOp::Gt:
            return a > b;
        case CmpOp::Gte:
            return a >= b;
        case CmpOp::Lt:
            return a < b;
        case CmpOp::Lte:
            return a <= b;
        case CmpOp::Eq:
            return a == b;
        case CmpOp::Neq:
            return a != b;
    }
    return false;
}

}  // namespace

struct CorrelationState::Impl {
    std::shared_ptr<const CompiledRuleSet> owner;
    const CompiledRuleSet::Impl& im;
    std::vector<Record> records;
    std::vector<std::string> sources;
    std::unordered_map<std::string, uint32_t> source_ids;
    bool full_reported = false;
    uint64_t seq = 0;

    explicit Impl(std::shared_ptr<const CompiledRuleSet> rs)
        : owner(std::move(rs)), im(*owner->impl_) {}

    uint32_t source_id(std::string_view s) {
        auto it = source_ids.find(std::string(s));
        if (it != source_ids.end()) return it->second;
        uint32_t id = uint32_t(sources.size());
        sources.emplace_back(s);
        source_ids.emplace(std::string(s), id);
        return id;
    }
};

CorrelationState::CorrelationState(std::shared_ptr<const CompiledRuleSet> rules)
    : impl_(std::make_unique<Impl>(std::move(rules))) {}
CorrelationState::~CorrelationState() = default;
CorrelationState::CorrelationState(CorrelationState&&) noexcept = default;

bool CorrelationState::empty() const {
    return impl_->im.corrs.empty();
}

bool CorrelationState::wants(uint32_t rule) const {
    return rule < impl_->im.feeds_correlation.size() && impl_->im.feeds_correlation[rule];
}

void CorrelationState::add(uint32_t rule, const Event& ev, Diagnostics& diags) {
    Impl& s = *impl_;
    if (s.records.size() >= s.im.opts.max_correlation_detections) {
        if (!s.full_reported) {
            s.full_reported = true;
            Diagnostic d;
            d.severity = Severity::Warning;
            d.code = "engine.correlation.buffer_full";
            d.message = "more than " + std::to_string(s.im.opts.max_correlation_detections) +
                        " detections feed correlations; later ones are not correlated";
            diags.push_back(d);
        }
        return;
    }
    Record r;
    r.t = ev.time_unix_ms;
    r.rule = rule;
    r.source = s.source_id(ev.source);
    r.record_id = ev.record_id;
    r.seq = s.seq++;
    r.vals.resize(s.im.corr_fields.size());
    r.has.assign(s.im.corr_fields.size(), 0);
    for (auto& f : ev.fields) {
        if (f.is_null) continue;
        if (f.name == "Computer" && r.computer.empty()) r.computer = f.value;
        if (f.name == "Channel" && r.channel.empty()) r.channel = f.value;
        if (f.name == "EventID" && r.event_id.empty()) r.event_id = f.value;
        auto it = s.im.corr_field_ids.find(f.name);
        if (it == s.im.corr_field_ids.end() || r.has[size_t(it->second)]) continue;
        r.has[size_t(it->second)] = 1;
        r.vals[size_t(it->second)] = std::string(f.value);
    }
    s.records.push_back(std::move(r));
}

void CorrelationState::merge(CorrelationState& other) {
    Impl& s = *impl_;
    for (auto& r : other.impl_->records) {
        r.source = s.source_id(other.impl_->sources[r.source]);
        r.seq = s.seq++;
        s.records.push_back(std::move(r));
    }
    other.impl_->records.clear();
}

/* Running. Detections are sorted by time (ties: arrival order). Each
 * correlation, in dependency order, reads its inputs (detections of the
 * rules it references, hits of the correlations it chains) merged in time
 * order, and keeps per group (the tuple of group-by values; an input lacking
 * a group-by field is ignored) a sliding window of the inputs of the last
 * `timespan`. After each input the aggregate of the window is compared with
 * the condition; when it holds, one hit is emitted and the group's window is
 * emptied, so the next hit needs new inputs:
 *   event_count      inputs in the window
 *   value_count      distinct values (tuples) of the condition fields
 *   value_sum/avg    sum / mean of the numeric field (non-numeric: ignored)
 *   value_percentile nearest-rank percentile; value_median the 50th
 *   temporal         distinct referenced rules present (or the extended
 *                    condition over which are present)
 *   temporal_ordered length of the longest prefix of the rule list seen in
 *                    order within the window
 * Memory: the window of each live group; groups idle for longer than the
 * timespan are dropped; explicit caps on groups and window length.
 */
std::vector<CorrelationHit> CorrelationState::run(Diagnostics& diags) {
    Impl& s = *impl_;
    const auto& im = s.im;
    const auto& rules = *im.rules;
    std::stable_sort(s.records.begin(), s.records.end(),
                     [](const Record& a, const Record& b) { return a.t < b.t; });
    std::vector<std::vector<CorrelationHit>> hits_of(im.corrs.size());
    std::vector<CorrelationHit> out;

    for (size_t k = 0; k < im.corrs.size(); ++k) {
        const CompiledCorrelation& cc = im.corrs[k];
        const Rule& cr = rules[cc.rule];
        bool needs_value = cc.type == Correlation::Type::ValueCount ||
                           cc.type == Correlation::Type::ValueSum ||
                           cc.type == Correlation::Type::ValueAvg ||
                           cc.type == Correlation::Type::ValuePercentile ||
                           cc.type == Correlation::Type::ValueMedian;
        bool numeric = needs_value && cc.type != Correlation::Type::ValueCount;
        std::vector<Item> items;
        for (size_t n = 0; n < cc.inputs.size(); ++n) {
            uint32_t in = uint32_t(cc.inputs[n]);
            auto make = [&](Item& it, auto&& lookup) -> bool {
                it.input = int(n);
                for (size_t g = 0; g < cc.group_fields[n].size(); ++g) {
                    const std::string* v = lookup(cc.group_fields[n][g]);
                    if (!v) return false;
                    it.key += *v;
                    it.key += '\x1f';
                    it.group.emplace_back(cc.group_by[g], *v);
                }
                if (needs_value) {
                    for (auto& f : cc.value_fields[n]) {
                        const std::string* v = lookup(f);
                        if (!v) return false;
                        it.value += *v;
                        it.value += '\x1f';
                        if (numeric && !values::number_of(*v, it.num)) return false;
                    }
                }
                return true;
            };
            if (rules[in].kind == RuleKind::Correlation) {
                int inner = im.corr_of_rule[in];
                if (inner < 0) continue;
                for (auto& h : hits_of[size_t(inner)]) {
                    Item it;
                    it.t = h.time_unix_ms;
                    it.hit = &h;
                    auto lookup = [&](const std::string& f) -> const std::string* {
                        for (auto& [name, v] : h.group)
                            if (name == f) return &v;
                        return nullptr;
                    };
                    if (make(it, lookup)) items.push_back(std::move(it));
                }
            } else {
                for (auto& r : s.records) {
                    if (r.rule != in) continue;
                    Item it;
                    it.t = r.t;
                    it.rec = &r;
                    auto lookup = [&](const std::string& f) -> const std::string* {
                        auto fi = im.corr_field_ids.find(f);
                        if (fi == im.corr_field_ids.end() || !r.has[size_t(fi->second)])
                            return nullptr;
                        return &r.vals[size_t(fi->second)];
                    };
                    if (make(it, lookup)) items.push_back(std::move(it));
                }
            }
        }
        std::stable_sort(items.begin(), items.end(),
                         [](const Item& a, const Item& b) { return a.t < b.t; });

        struct Group {
            std::deque<const Item*> window;
            std::unordered_map<std::string, uint32_t> distinct;
            int64_t last = 0;
        };
        std::unordered_map<std::string, Group> groups;
        bool capped_groups = false, capped_window = false;
        size_t since_sweep = 0;
        for (const Item& it : items) {
            if (++since_sweep >= 4096) {
                since_sweep = 0;
                for (auto g = groups.begin(); g != groups.end();)
                    g = g->second.last < it.t - cc.span_ms ? groups.erase(g) : std::next(g);
            }
            auto gi = groups.find(it.key);
            if (gi == groups.end()) {
                if (groups.size() >= im.opts.max_correlation_groups) {
                    if (!capped_groups) {
                        capped_groups = true;
                        corr_diag(diags, "engine.correlation.groups",
                                  "more than " + std::to_string(im.opts.max_correlation_groups) +
                                      " live groups; new groups are ignored",
                                  cr, Severity::Warning);
                    }
                    continue;
                }
                gi = groups.emplace(it.key, Group{}).first;
            }
            Group& g = gi->second;
            g.last = it.t;
            auto drop_front = [&]() {
                const Item* f = g.window.front();
                g.window.pop_front();
                if (cc.type == Correlation::Type::ValueCount) {
                    auto d = g.distinct.find(f->value);
                    if (d != g.distinct.end() && --d->second == 0) g.distinct.erase(d);
                }
            };
            g.window.push_back(&it);
            if (cc.type == Correlation::Type::ValueCount) ++g.distinct[it.value];
            while (!g.window.empty() && g.window.front()->t < it.t - cc.span_ms) drop_front();
            if (g.window.size() > im.opts.max_events_per_window) {
                if (!capped_window) {
                    capped_window = true;
                    corr_diag(diags, "engine.correlation.window",
                              "a group's window exceeds " +
                                  std::to_string(im.opts.max_events_per_window) +
                                  " events; the oldest are dropped",
                              cr, Severity::Warning);
                }
                drop_front();
            }
            double agg = 0;
            bool fired;
            switch (cc.type) {
                case Correlation::Type::EventCount:
                    agg = double(g.window.size());
                    break;
                case Correlation::Type::ValueCount:
                    agg = double(g.distinct.size());
                    break;
                case Correlation::Type::ValueSum:
                case Correlation::Type::ValueAvg: {
                    for (auto* w : g.window) agg += w->num;
                    if (cc.type == Correlation::Type::ValueAvg) agg /= double(g.window.size());
                    break;
                }
                case Correlation::Type::ValuePercentile:
                case Correlation::Type::ValueMedian: {
                    std::vector<double> v;
                    for (auto* w : g.window) v.push_back(w->num);
                    std::sort(v.begin(), v.end());
                    double p = cc.type == Correlation::Type::ValueMedian ? 50 : cc.percentile;
                    size_t rank = size_t(std::ceil(p / 100.0 * double(v.size())));
                    agg = v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
                    break;
                }
                case Correlation::Type::Temporal: {
                    std::vector<bool> present(cc.inputs.size(), false);
                    for (auto* w : g.window) present[size_t(w->input)] = true;
                    agg = double(std::count(present.begin(), present.end(), true));
                    if (!cc.ext_postfix.empty()) {
                        std::vector<bool> st;
                        for (int op : cc.ext_postfix) {
                            if (op >= 0) {
                                st.push_back(present[size_t(op)]);
                            } else if (op == -3) {
                                st.back() = !st.back();
                            } else {
                                bool b = st.back();
                                st.pop_back();
                                st.back() = op == -1 ? (st.back() && b) : (st.back() || b);
                            }
                        }
                        agg = st.back() ? 1 : 0;
                    }
                    break;
                }
                case Correlation::Type::TemporalOrdered: {
                    size_t step = 0;
                    for (auto* w : g.window)
                        if (step < cc.inputs.size() && size_t(w->input) == step) ++step;
                    agg = double(step);
                    break;
                }
            }
            if (!cc.ext_postfix.empty()) {
                fired = agg == 1;
            } else {
                fired = true;
                for (auto& [op, v] : cc.condition) fired = fired && cmp_ok(op, agg, v);
            }
            if (!fired) continue;
            CorrelationHit h;
            h.rule = cc.rule;
            h.time_unix_ms = it.t;
            h.first_unix_ms = g.window.front()->t;
            h.group = it.group;
            h.value = agg;
            h.events = g.window.size();
            if (it.rec) {
                h.source = s.sources[it.rec->source];
                h.record_id = it.rec->record_id;
                h.computer = it.rec->computer;
                h.channel = it.rec->channel;
                h.event_id = it.rec->event_id;
            } else if (it.hit) {
                h.source = it.hit->source;
                h.record_id = it.hit->record_id;
                h.computer = it.hit->computer;
                h.channel = it.hit->channel;
                h.event_id = it.hit->event_id;
            }
            hits_of[k].push_back(std::move(h));
            g.window.clear();
            g.distinct.clear();
        }
        for (auto& h : hits_of[k])
            if (im.reported_alone[h.rule]) out.push_back(h);
    }
    std::stable_sort(out.begin(), out.end(), [](const CorrelationHit& a, const CorrelationHit& b) {
        return a.time_unix_ms < b.time_unix_ms;
    });
    return out;
}

}  // namespace sigil
