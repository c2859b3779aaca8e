// engine/compile.cpp — compiles a rule set: shared predicates, expression
// nodes, the log-source gate index and the Hyperscan prefilter of atoms.
#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "engine/compiled.h"
#include "engine/logsource_table.h"

namespace sigil {

namespace {

// One literal and where it must occur: in a value of field `field`, or
// (field -1) in any value. The literal is an id into Compiler::lit_text
// (equal ids, equal texts), so atom sets combine without copying strings.
struct Atom {
    uint32_t lit = 0;
    int32_t field = -1;
    bool operator<(const Atom& o) const { return std::tie(lit, field) < std::tie(o.lit, o.field); }
    bool operator==(const Atom& o) const { return lit == o.lit && field == o.field; }
};
using Atoms = std::optional<std::vector<Atom>>;  // nullopt: no constraint

uint64_t mix64(uint64_t h, uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}
uint64_t mix64(uint64_t h, std::string_view s) {
    return mix64(mix64(h, s.size()), std::hash<std::string_view>{}(s));
}

void diag(Diagnostics& d, Severity sev, const char* code, std::string msg, const Rule& r) {
    Diagnostic x;
    x.severity = sev;
    x.code = code;
    x.message = std::move(msg);
    x.loc = r.loc;
    x.rule = r.title.empty() ? r.id : r.title;
    d.push_back(std::move(x));
}

std::string ascii_lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c + 32);
    return s;
}

struct Compiler {
    CompiledRuleSet::Impl& im;
    Diagnostics& diags;
    // Warnings given while compiling rules, by rule index (for the tables
    // cache), and each shared predicate's sharing key.
    std::vector<uint32_t> diag_rule;
    std::vector<uint64_t> pred_keys;

    void warn(const char* code, std::string msg, const Rule& r) {
        diag(diags, Severity::Warning, code, std::move(msg), r);
        diag_rule.push_back(uint32_t(&r - im.rules->data()));
    }
    // Shared predicates: key hash → first entry; pred_next chains entries
    // whose keys collide (see pred_id).
    std::unordered_map<uint64_t, int> pred_head;
    std::vector<int> pred_next;
    std::unordered_map<std::string, uint32_t> atom_ids;
    std::vector<std::string> field_names;  // field id → name
    // Candidate literals of atoms (interned; an atom the rules end up using
    // gets its global id in atom_id()), and each shared predicate's atoms,
    // computed once: 0 not yet, 1 no constraint, 2 pred_atom_list[id].
    std::unordered_map<std::string, uint32_t> lit_ids;
    std::vector<const std::string*> lit_text;  // id → the key in lit_ids
    std::vector<uint8_t> pred_atom_state;
    std::vector<std::pair<uint32_t, uint32_t>> pred_atom_span;  // into pred_atom_flat
    std::vector<Atom> pred_atom_flat;
    // Gate keys per log source (product, category, service): many rules
    // share one.
    std::map<std::tuple<std::string, std::string, std::string>,
             std::vector<std::pair<std::string, std::string>>>
        gate_keys_of;

    // Atoms have at least 2 bytes (the own scanner's shortest anchor; both
    // prefilter engines use the same atoms).
    size_t min_atom() const { return std::max<size_t>(im.opts.min_atom_length, 2); }

    int field_id(const std::string& name) {
        auto it = im.field_ids.find(name);
        if (it != im.field_ids.end()) return it->second;
        int id = int(im.field_ids.size());
        im.field_ids.emplace(name, id);
        field_names.push_back(name);
        return id;
    }

    // The literal an atom or a comparison uses: folded, or (cased) raw.
    static std::string literal(const Pred& p, const std::string& s) {
        return p.cased ? s : fold(s);
    }

    /* Predicates are shared across rules: identical ones (same_logic, and
     * the same value kind and text, so Int 5 and Float 5.0 stay apart only
     * where their text differs) get one entry, evaluated at most once per
     * event. Candidates are found by a hash of exactly what that test
     * compares (field, operator, flags, value kind and text; a string's
     * text is compared as written, so no case folding is needed to hash
     * it), so equal predicates always meet in one chain.
     */
    static uint64_t pred_key(const Pred& p) {
        uint64_t h = mix64(0x5157, std::string_view(p.field));
        h = mix64(h, uint64_t(p.op) | uint64_t(p.cased) << 8 | uint64_t(p.re_flags) << 16 |
                         uint64_t(p.time_part) << 24 | uint64_t(p.placeholders) << 32 |
                         uint64_t(p.value.kind) << 40);
        switch (p.value.kind) {
            case ValueKind::Null:
                return h;
            case ValueKind::Bool:
                return mix64(h, uint64_t(p.value.b));
            case ValueKind::Int:
                return mix64(h, uint64_t(p.value.i));
            case ValueKind::String:
                return mix64(h, std::string_view(p.value.s));
            case ValueKind::Float:
                return mix64(h, std::string_view(p.value.text()));
        }
        return h;
    }

    int pred_id(const Pred& p, const Rule& r) {
        ++im.stats.predicates;
        uint64_t h = pred_key(p);
        auto [head, fresh] = pred_head.emplace(h, -1);
        int last = -1;
        for (int id = head->second; id >= 0; id = pred_next[size_t(id)]) {
            const Pred& q = *im.preds[size_t(id)].src;
            if (q.same_logic(p) && q.value.kind == p.value.kind &&
                (q.value.kind == ValueKind::String ? q.value.s == p.value.s
                                                   : q.value.text() == p.value.text()))
                return id;
            last = id;
        }
        (void)fresh;
        CompiledPred c;
        c.src = &p;
        c.cased = p.cased;
        if (p.placeholders) {
            c.kind = PredKind::Never;
            warn("engine.placeholder.unresolved",
                 "'" + p.str() + "' has unresolved %placeholders% (no pipeline); it never matches",
                 r);
        } else if (p.is_keyword()) {
            c.kind = PredKind::Keyword;
            if (p.op == Op::Regex) {
                c.re = std::make_shared<Regex>(p.value.s, p.re_flags);
            } else {
                c.lit = literal(p, p.value.kind == ValueKind::String ? p.value.s : p.value.text());
                if (p.op == Op::Glob) c.glob = Glob("*" + c.lit + "*");
            }
        } else if (p.op == Op::Exists) {
            c.kind = PredKind::Exists;
        } else if (p.time_part != TimePart::None) {
            c.kind = PredKind::TimePart;
            c.num = p.value.number();
        } else {
            switch (p.op) {
                case Op::Eq:
                    switch (p.value.kind) {
                        case ValueKind::Null:
                            c.kind = PredKind::EqNull;
                            break;
                        case ValueKind::Bool:
                            c.kind = PredKind::EqBool;
                            c.lit = p.value.text();
                            break;
                        case ValueKind::Int:
                        case ValueKind::Float:
                            c.kind = PredKind::EqNumText;
                            c.lit = p.value.text();
                            break;
                        case ValueKind::String:
                            c.kind = PredKind::EqStr;
                            c.lit = literal(p, p.value.s);
                            break;
                    }
                    break;
                case Op::Contains:
                case Op::StartsWith:
                case Op::EndsWith:
                case Op::Glob:
                    c.kind = p.op == Op::Contains     ? PredKind::Contains
                             : p.op == Op::StartsWith ? PredKind::StartsWith
                             : p.op == Op::EndsWith   ? PredKind::EndsWith
                                                      : PredKind::Glob;
                    c.lit = literal(p, p.value.s);
                    if (p.op == Op::Glob) c.glob = Glob(c.lit);
                    break;
                case Op::Regex:
                    c.kind = PredKind::Regex;
                    c.re = std::make_shared<Regex>(p.value.s, p.re_flags);
                    break;
                case Op::Cidr:
                    c.kind = PredKind::Cidr;
                    c.net = std::make_shared<Network>(p.value.s);
                    break;
                case Op::Lt:
                case Op::Lte:
                case Op::Gt:
                case Op::Gte:
                    c.kind = PredKind::NumCmp;
                    c.num = p.value.number();
                    break;
                case Op::FieldRef:
                case Op::FieldRefContains:
                case Op::FieldRefStartsWith:
                case Op::FieldRefEndsWith:
                    c.kind = PredKind::FieldRef;
                    c.ref_field = field_id(p.value.s);
                    break;
                case Op::Exists:
                    break;
            }
        }
        // RE2's analysis of a regex gives its prefilter literals and tells
        // whether RE2 accepts it; only a pattern RE2 rejects is compiled now
        // (PCRE2), to report it if PCRE2 rejects it too.
        if (c.re)
            c.re_literals = regex_required_literals(p.value.s, p.re_flags, min_atom(), c.re_atoms);
        if (c.re && c.re_literals < 0 && !c.re->ok())
            warn("engine.regex.invalid",
                 "regular expression '" + p.value.s +
                     "' is accepted by neither RE2 nor PCRE2; the predicate never matches",
                 r);
        if (!p.is_keyword()) c.field = field_id(p.field);
        int id = int(im.preds.size());
        im.preds.push_back(std::move(c));
        pred_next.push_back(-1);
        pred_keys.push_back(h);
        if (last < 0)
            head->second = id;
        else
            pred_next[size_t(last)] = id;
        return id;
    }

    // Children of a node are stored contiguously in im.kids; their slots
    // are reserved before the children are compiled (which append their
    // own children after them).
    uint32_t node(const ExprPtr& e, const Rule& r) {
        Node n;
        n.kind = e->kind;
        if (e->kind == ExprKind::Pred) {
            n.pred = pred_id(*e->pred, r);
        } else if (!e->kids.empty()) {
            n.first = uint32_t(im.kids.size());
            n.count = uint32_t(e->kids.size());
            im.kids.resize(im.kids.size() + e->kids.size());
            for (uint32_t k = 0; k < n.count; ++k) {
                uint32_t kid = node(e->kids[k], r);
                im.kids[n.first + k] = kid;
            }
        }
        im.nodes.push_back(n);
        return uint32_t(im.nodes.size() - 1);
    }

    /* Atoms (YARA-style). For each rule a set of literals such that any event
     * the rule matches contains one of them in some value (after folding):
     *  - a positive string predicate gives its literal (a wildcard pattern
     *    its longest literal run), folded unless cased; cased literals with
     *    non-ASCII bytes give none (the scan text is folded);
     *  - And takes the best child set (longest shortest atom, then fewest);
     *  - Or needs every child constrained and unites them;
     *  - a regex gives the literals one of which every match contains
     *    (regex_required_literals: RE2's prefilter analysis), if any;
     *  - Not, numbers, networks, field references: no constraint;
     *  - False and unresolved placeholders: the empty set (never matches).
     * Each atom remembers its field: only the values of fields that some
     * atom comes from are scanned, unless a candidate rule has a keyword
     * atom (then every value is).
     * A rule without a constraint is always confirmed.
     * The walk is over the compiled nodes, so a shared predicate's atoms are
     * worked out once (pred_atoms) and sets are combined as literal ids.
     */
    uint32_t lit_id(std::string&& s) {
        auto [it, fresh] = lit_ids.emplace(std::move(s), uint32_t(lit_text.size()));
        if (fresh) lit_text.push_back(&it->first);
        return it->second;
    }

    Atoms pred_atoms_uncached(uint32_t id) {
        const CompiledPred& c = im.preds[id];
        const Pred& p = *c.src;
        int32_t field = p.is_keyword() ? -1 : c.field;
        if (p.placeholders) return std::vector<Atom>{};
        if (p.op == Op::Regex) {
            if (c.re_literals != 1) return std::nullopt;
            std::vector<Atom> out;
            for (auto& l : c.re_atoms) out.push_back(Atom{lit_id(std::string(l)), field});
            return out;
        }
        // The literal, folded (or, cased, ASCII-lowered). For a string value
        // not cased, c.lit already holds fold(value) (see pred_id).
        std::string lit;
        bool folded = false;
        if (p.is_keyword()) {
            if (p.value.kind == ValueKind::String && !p.cased) {
                lit = c.lit;
                folded = true;
            } else {
                lit = p.value.kind == ValueKind::String ? p.value.s : p.value.text();
            }
        } else if (p.op == Op::Exists || p.time_part != TimePart::None) {
            return std::nullopt;
        } else if (p.op == Op::Eq) {
            if (p.value.kind == ValueKind::Null) return std::nullopt;
            if (p.value.kind == ValueKind::String && !p.cased) {
                lit = c.lit;
                folded = true;
            } else {
                lit = p.value.kind == ValueKind::String ? p.value.s : p.value.text();
            }
        } else if (p.op == Op::Contains || p.op == Op::StartsWith || p.op == Op::EndsWith ||
                   p.op == Op::Glob) {
            if (!p.cased) {
                lit = c.lit;
                folded = true;
            } else {
                lit = p.value.s;
            }
        } else {
            return std::nullopt;
        }
        if (!folded) {
            if (p.cased) {
                if (!is_ascii(lit)) return std::nullopt;
                lit = ascii_lower(lit);
            } else {
                lit = fold(lit);
            }
        }
        if (p.op == Op::Glob) {
            std::string best;
            for (auto& run : Glob(lit).literals())
                if (run.size() > best.size()) best = std::move(run);
            lit = std::move(best);
        }
        if (lit.size() < min_atom()) return std::nullopt;
        return std::vector<Atom>{Atom{lit_id(std::move(lit)), field}};
    }

    Atoms pred_atoms(uint32_t id) {
        if (pred_atom_state.size() <= id) {
            pred_atom_state.resize(im.preds.size(), 0);
            pred_atom_span.resize(im.preds.size());
        }
        if (pred_atom_state[id] == 0) {
            Atoms a = pred_atoms_uncached(id);
            pred_atom_state[id] = a ? 2 : 1;
            if (a) {
                pred_atom_span[id] = {uint32_t(pred_atom_flat.size()), uint32_t(a->size())};
                pred_atom_flat.insert(pred_atom_flat.end(), a->begin(), a->end());
            }
            return a;
        }
        if (pred_atom_state[id] == 1) return std::nullopt;
        auto [first, count] = pred_atom_span[id];
        return std::vector<Atom>(pred_atom_flat.begin() + first,
                                 pred_atom_flat.begin() + first + count);
    }

    std::pair<size_t, size_t> score(const std::vector<Atom>& a) const {
        if (a.empty()) return {SIZE_MAX, 0};
        size_t shortest = SIZE_MAX;
        for (auto& s : a) shortest = std::min(shortest, lit_text[s.lit]->size());
        return {std::min<size_t>(shortest, 12), SIZE_MAX - a.size()};
    }

    Atoms atoms(uint32_t ni) {
        const Node& n = im.nodes[ni];
        switch (n.kind) {
            case ExprKind::True:
            case ExprKind::Not:
                return std::nullopt;
            case ExprKind::False:
                return std::vector<Atom>{};
            case ExprKind::Pred:
                return pred_atoms(uint32_t(n.pred));
            case ExprKind::And: {
                Atoms best;
                std::pair<size_t, size_t> best_score{};
                for (uint32_t k = 0; k < n.count; ++k) {
                    Atoms a = atoms(im.kids[n.first + k]);
                    if (!a) continue;
                    auto sc = score(*a);
                    if (!best || sc > best_score) {
                        best = std::move(a);
                        best_score = sc;
                    }
                }
                return best;
            }
            case ExprKind::Or: {
                std::vector<Atom> all;
                for (uint32_t k = 0; k < n.count; ++k) {
                    Atoms a = atoms(im.kids[n.first + k]);
                    if (!a) return std::nullopt;
                    all.insert(all.end(), a->begin(), a->end());
                }
                std::sort(all.begin(), all.end());
                all.erase(std::unique(all.begin(), all.end()), all.end());
                return all;
            }
        }
        return std::nullopt;
    }

    // The gate entries (folded channel, event id or "" for any) a log source
    // admits, sorted; empty: no mapping (the rule is ungated).
    const std::vector<std::pair<std::string, std::string>>& gate_keys(const LogSource& ls) {
        auto [it, fresh] =
            gate_keys_of.try_emplace(std::make_tuple(ls.product, ls.category, ls.service));
        if (!fresh) return it->second;
        auto rows = engine_detail::logsource_rows(ls);
        std::map<std::string, std::vector<std::string>> by_channel;
        for (auto* row : rows) {
            auto& ids = by_channel[fold(row->channel)];
            const std::string& list = row->event_ids;
            if (list.empty()) ids.push_back("");
            size_t at = 0;
            while (at < list.size()) {
                size_t comma = list.find(',', at);
                if (comma == std::string::npos) comma = list.size();
                ids.push_back(list.substr(at, comma - at));
                at = comma + 1;
            }
        }
        auto& keys = it->second;
        for (auto& [ch, ids] : by_channel) {
            bool any = std::find(ids.begin(), ids.end(), "") != ids.end();
            if (any) ids = {""};
            std::sort(ids.begin(), ids.end());
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
            for (auto& id : ids) keys.emplace_back(ch, id);
        }
        return keys;
    }

    // A rule's atoms in the order of (text, field name), as ids.
    void sort_atoms(std::vector<Atom>& a) const {
        static const std::string none;
        std::sort(a.begin(), a.end(), [&](const Atom& x, const Atom& y) {
            if (x.lit != y.lit) return *lit_text[x.lit] < *lit_text[y.lit];
            const std::string& fx = x.field < 0 ? none : field_names[size_t(x.field)];
            const std::string& fy = y.field < 0 ? none : field_names[size_t(y.field)];
            return fx < fy;
        });
    }

    uint32_t atom_id(const std::string& a) {
        auto it = atom_ids.find(a);
        if (it != atom_ids.end()) return it->second;
        uint32_t id = uint32_t(im.atom_text.size());
        atom_ids.emplace(a, id);
        im.atom_text.push_back(a);
        return id;
    }

    /* Rule groups: rules whose log sources admit the same gate entries
     * (channel + event id, or channel with any id) form one group, and the
     * ungated rules another; every rule is in exactly one group. Each group
     * has its own Hyperscan database over its rules' atoms, so an event is
     * scanned only for the literals of the groups it reaches (the ungated
     * group, its channel's any-id groups, its channel + id groups), only in
     * the fields those literals come from, and no literal is compiled twice.
     * The databases themselves are built on first use (prefilter.cpp).
     */
    uint32_t group(const std::vector<uint32_t>& rules_in) {
        uint32_t gid = uint32_t(im.groups.size());
        RuleGroup g;
        g.rules = rules_in;
        g.scan_field.assign(im.field_ids.size(), 0);
        std::unordered_map<uint32_t, uint32_t> local;
        std::vector<uint32_t> global;
        for (uint32_t c : g.rules) {
            const CompiledRule& cr = im.crules[c];
            for (size_t k = 0; k < cr.atoms.size(); ++k) {
                auto [lt, fresh] = local.emplace(cr.atoms[k], uint32_t(global.size()));
                if (fresh) {
                    global.push_back(cr.atoms[k]);
                    g.atom_rules.emplace_back();
                    g.atom_keyword.push_back(0);
                }
                auto& lst = g.atom_rules[lt->second];
                if (lst.empty() || lst.back() != c) lst.push_back(c);
                if (cr.atom_fields[k] < 0) {
                    g.full = true;
                    g.atom_keyword[lt->second] = 1;
                } else {
                    g.scan_field[size_t(cr.atom_fields[k])] = 1;
                }
            }
        }
        g.atom_global = std::move(global);
        if (!g.atom_global.empty()) g.pf = std::make_unique<PrefilterDb>();
        for (uint32_t c : g.rules)
            if (!im.crules[c].has_atoms) g.always.push_back(c);
        im.groups.push_back(std::move(g));
        return gid;
    }
};

}  // namespace

std::shared_ptr<const CompiledRuleSet> CompiledRuleSet::compile(const std::vector<Rule>& rules,
                                                                Diagnostics& diags,
                                                                const EngineOptions& opts) {
    auto rs = std::shared_ptr<CompiledRuleSet>(new CompiledRuleSet());
    auto fresh_impl = [&] {
        rs->impl_ = std::make_unique<Impl>();
        rs->impl_->rules = &rules;
        rs->impl_->opts = opts;
        rs->impl_->rule_fields.resize(rules.size());
        rs->impl_->reported_alone.assign(rules.size(), true);
    };
    fresh_impl();
    bool cached = !opts.tables_file.empty() && opts.tables_key;
    if (cached && load_tables(rules, *rs->impl_, diags, &Compiler::pred_key)) {
        rs->impl_->cache_stats.tables_loaded = true;
        rs->finish(diags);
        return rs;
    }
    if (cached) fresh_impl();  // a partly read file leaves nothing behind
    Impl& im = *rs->impl_;
    Compiler c{im, diags};
    size_t diags0 = diags.size();
    std::vector<TableOrigin> origins;
    std::vector<uint32_t> ungated;
    // Rules by the gate entries their log source admits (a log-source class).
    std::map<std::vector<std::pair<std::string, std::string>>, std::vector<uint32_t>> classes;
    im.channel_field = c.field_id("Channel");
    im.eventid_field = c.field_id("EventID");

    for (uint32_t i = 0; i < rules.size(); ++i) {
        const Rule& r = rules[i];
        if (r.kind != RuleKind::Detection) continue;
        if (!r.stages.empty() && r.stages.size() > 1) {
            c.warn("engine.rule.stages",
                   "the rule has pipeline stages after its search (" + r.stages[1].command +
                       "); only detection rules run in the engine",
                   r);
            ++im.stats.skipped_rules;
            continue;
        }
        ExprPtr e = r.expr();
        CompiledRule cr;
        cr.rule = i;
        size_t preds0 = im.preds.size();
        cr.root = c.node(e, r);
        std::vector<const Pred*> ps;
        collect_preds(e, ps);
        for (auto* p : ps)
            if (!p->field.empty() && std::find(im.rule_fields[i].begin(), im.rule_fields[i].end(),
                                               p->field) == im.rule_fields[i].end())
                im.rule_fields[i].push_back(p->field);
        if (cached)
            for (size_t k = preds0; k < im.preds.size(); ++k) {
                uint32_t at =
                    uint32_t(std::find(ps.begin(), ps.end(), im.preds[k].src) - ps.begin());
                origins.push_back({i, at, c.pred_keys[k]});
            }
        if (opts.prefilter) {
            Atoms a = c.atoms(cr.root);
            if (a) {
                cr.has_atoms = true;
                c.sort_atoms(*a);
                for (auto& s : *a) {
                    cr.atoms.push_back(c.atom_id(*c.lit_text[s.lit]));
                    cr.atom_fields.push_back(s.field);
                    cr.keyword_atoms |= s.field < 0;
                }
            }
        }
        uint32_t ci = uint32_t(im.crules.size());
        if (cr.has_atoms) ++im.stats.rules_with_atoms;
        // Gate
        const auto* keys = opts.logsource_gate ? &c.gate_keys(r.logsource) : nullptr;
        if (!keys || keys->empty()) {
            ungated.push_back(ci);
        } else {
            cr.gated = true;
            ++im.stats.gated_rules;
            classes[*keys].push_back(ci);
        }
        im.crules.push_back(std::move(cr));
        ++im.stats.detection_rules;
    }
    im.stats.unique_predicates = im.preds.size();
    im.stats.atoms = im.atom_text.size();
    im.ungated_group = c.group(ungated);
    for (auto& [keys, list] : classes) {
        uint32_t g = c.group(list);
        for (auto& [ch, id] : keys) im.gate[ch][id].push_back(g);
    }
    if (cached)
        im.cache_stats.tables_stored = store_tables(
            im, origins, Diagnostics(diags.begin() + long(diags0), diags.end()), c.diag_rule);
    rs->finish(diags);
    return rs;
}

void CompiledRuleSet::finish(Diagnostics& diags) {
    compile_correlations(*impl_, diags);
    if (!impl_->opts.lazy_prefilter) {
        build_prefilters();
        Diagnostics late = late_diagnostics();
        diags.insert(diags.end(), late.begin(), late.end());
        impl_->late_diags.clear();
    }
}

CompiledRuleSet::~CompiledRuleSet() = default;
const std::vector<Rule>& CompiledRuleSet::rules() const {
    return *impl_->rules;
}
const EngineStats& CompiledRuleSet::stats() const {
    return impl_->stats;
}
const EngineOptions& CompiledRuleSet::options() const {
    return impl_->opts;
}
bool CompiledRuleSet::reported_alone(uint32_t rule) const {
    return rule < impl_->reported_alone.size() && impl_->reported_alone[rule];
}
const std::vector<std::string>& CompiledRuleSet::rule_fields(uint32_t rule) const {
    return impl_->rule_fields.at(rule);
}

}  // namespace sigil
