// catalog/rule_facts.cpp — the knowledge attached to one rule: ATT&CK tactic/technique rows,
// software and groups, event coverage (log source, EventID predicates, Splunk data
// sources), the data needed to get those events, and the Atomic Red Team tests that
// trigger the rule's techniques.
#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "catalog/catalog_internal.h"
#include "sigil/catalog.h"
#include "sigil/knowledge.h"

namespace sigil {

namespace {

std::string lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    return r;
}

std::string trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r\n'\"");
    if (b == std::string_view::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n'\"");
    return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= s.size()) {
        size_t e = s.find(sep, i);
        if (e == std::string_view::npos) e = s.size();
        std::string t = trim(s.substr(i, e - i));
        if (!t.empty()) out.push_back(t);
        i = e + 1;
    }
    return out;
}

// Groups and software by lower-case name or alias, for rules that name them in text.
struct ObjectNames {
    std::unordered_map<std::string, const AttackObject*> groups, software;
    ObjectNames() {
        const Knowledge& k = knowledge();
        auto add = [](auto& map, const AttackObject& o) {
            if (o.status != AttackStatus::Active) return;
            map.emplace(lower(o.name), &o);
            for (auto a : o.alias_list()) map.emplace(lower(a), &o);
        };
        for (auto& g : k.all_groups()) add(groups, g);
        for (auto& s : k.all_software()) add(software, s);
    }
};
const ObjectNames& object_names() {
    static const ObjectNames n;
    return n;
}

void add_ref(std::vector<AttackRef>& out, AttackRef r) {
    for (auto& x : out)
        if ((!r.id.empty() && x.id == r.id) || (r.id.empty() && x.name == r.name)) return;
    out.push_back(std::move(r));
}

AttackRef ref_of(const AttackObject* o, const std::string& name) {
    if (!o) return {"", name, name};
    return {std::string(o->id), std::string(o->name), o->display()};
}

/* Armory descriptions end with "-- Threat Actor Association: A, B -- Software
 * Association: C, D". Each name is looked up by name or alias; unknown names are kept as
 * plain names. */
void associations(const Rule& r, RuleAnalysis& a) {
    auto section = [&](std::string_view key) -> std::string {
        size_t p = r.description.find(key);
        if (p == std::string::npos) return "";
        p += key.size();
        size_t e = r.description.find("--", p);
        return std::string(r.description.substr(p, e == std::string::npos ? e : e - p));
    };
    auto& names = object_names();
    for (auto& n : split_list(section("Threat Actor Association:"), ',')) {
        auto it = names.groups.find(lower(n));
        add_ref(a.groups, ref_of(it == names.groups.end() ? nullptr : it->second, n));
    }
    for (auto& n : split_list(section("Software Association:"), ',')) {
        auto it = names.software.find(lower(n));
        add_ref(a.software, ref_of(it == names.software.end() ? nullptr : it->second, n));
    }
}

TechniqueRef technique_ref(const TechniqueLookup& t, const std::string& written) {
    TechniqueRef r;
    const Technique* cur = t.current ? t.current : t.technique;
    r.fate = technique_fate_name(t.fate);
    if (cur) {
        r.id = std::string(cur->id);
        r.display = cur->display();
    } else {
        r.id = written;
        r.display = written;
    }
    if (written != r.id) r.tagged = written;
    return r;
}

/* ATT&CK rows. Tags are classified with the knowledge tables (attack.t1569.002,
 * attack.execution, attack.s0029, ...; SPL rules' bare ids "T1569.002" are read as
 * technique tags). A revoked technique is shown as its successor, naming the tag. Each
 * technique goes under each of its ATT&CK tactics (T1543.003: Persistence and Privilege
 * Escalation), one row per tactic in matrix order; a tagged tactic with no technique gets a
 * row of its own ("No specific technique"). */
void attack_rows(const Rule& r, RuleAnalysis& a) {
    const Knowledge& k = knowledge();
    std::vector<const Tactic*> tactics;
    std::vector<std::pair<TechniqueLookup, std::string>> techs;
    for (const std::string& tag0 : r.tags) {
        std::string tag = tag0;
        if (tag.size() > 1 && (tag[0] == 'T' || tag[0] == 't') &&
            std::isdigit((unsigned char)tag[1]))
            tag = "attack." + tag;
        AttackTag t = k.classify_tag(tag);
        switch (t.kind) {
            case AttackTagKind::Tactic:
                if (t.tactic &&
                    std::find(tactics.begin(), tactics.end(), t.tactic) == tactics.end())
                    tactics.push_back(t.tactic);
                break;
            case AttackTagKind::Technique: {
                bool dup = false;
                for (auto& [l, w] : techs)
                    if (w == t.id) dup = true;
                if (!dup) techs.push_back({t.technique, t.id});
                break;
            }
            case AttackTagKind::Software:
                add_ref(a.software, ref_of(t.object, t.id));
                break;
            case AttackTagKind::Group:
                add_ref(a.groups, ref_of(t.object, t.id));
                break;
            default:
                a.other_tags.push_back(tag0);
        }
    }
    std::vector<TacticRow> rows;
    auto row_for = [&](const Tactic* t) -> TacticRow& {
        for (auto& row : rows)
            if (row.tactic_id == t->id && row.tactic == t->name) return row;
        rows.push_back({std::string(t->id), std::string(t->name), t->order, {}});
        return rows.back();
    };
    std::vector<const Tactic*> used;
    for (auto& [lookup, written] : techs) {
        TechniqueRef ref = technique_ref(lookup, written);
        bool dup = false;
        for (auto& x : a.techniques)
            if (x.id == ref.id) dup = true;
        if (dup) continue;
        a.techniques.push_back(ref);
        const Technique* cur = lookup.current ? lookup.current : lookup.technique;
        if (!cur) continue;
        // Every tactic of the technique, plus a tagged tactic the technique also belongs to
        // under another ATT&CK version (Defense Evasion next to v19's Stealth).
        std::vector<const Tactic*> under = cur->current_tactics();
        if (under.empty()) under = cur->tactics;
        for (const Tactic* t : tactics)
            if (cur->in_tactic(*t) && std::find(under.begin(), under.end(), t) == under.end())
                under.push_back(t);
        for (const Tactic* t : under) {
            row_for(t).techniques.push_back(ref);
            used.push_back(t);
        }
    }
    for (const Tactic* t : tactics)
        if (std::find(used.begin(), used.end(), t) == used.end()) row_for(t);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const TacticRow& x, const TacticRow& y) { return x.order < y.order; });
    a.tactics = std::move(rows);
}

/* Event coverage.
 *  1. EventID predicates (any spelling the field table maps to EventID: EventCode, ...)
 *     that are not negated give the event ids; Provider_Name / Channel predicates and the
 *     log source's mapping give where to look the titles up, in that order.
 *  2. Without EventID predicates, the log source mapping's event ids (process_creation:
 *     Sysmon 1 and Security 4688), or the whole channel when the mapping lists none.
 *  3. Splunk security_content data sources (custom key data_source) add their events.
 * An id with no provider or channel to go by is looked up among the curated titles of the
 * common channels (Security, System, Sysmon, PowerShell...). */
const WindowsEvent* event_by_id(uint32_t id) {
    const Knowledge& k = knowledge();
    static const char* channels[] = {"Security",
                                     "System",
                                     "Microsoft-Windows-Sysmon/Operational",
                                     "Microsoft-Windows-PowerShell/Operational",
                                     "Windows PowerShell",
                                     "Microsoft-Windows-TaskScheduler/Operational",
                                     "Microsoft-Windows-Windows Defender/Operational",
                                     "Application"};
    for (const char* ch : channels)
        if (const WindowsEvent* e = k.windows_event(ch, id); e && e->source != 't') return e;
    return nullptr;
}

void event_rows(const Rule& r, RuleAnalysis& a) {
    const Knowledge& k = knowledge();
    std::vector<uint32_t> ids;
    std::vector<std::string> names;  // providers / channels, most specific first
    if (a.logic) {
        std::vector<const Pred*> ps;
        // positive predicates only: walk with polarity
        std::function<void(const ExprPtr&, bool)> walk = [&](const ExprPtr& e, bool neg) {
            if (e->kind == ExprKind::Pred) {
                if (neg || e->pred->is_keyword()) return;
                CanonicalPred c = canonical_pred(*e->pred);
                if (c.op != Op::Eq) return;
                if (c.field == "eventid") {
                    const Value& v = e->pred->value;
                    int64_t id = -1;
                    if (v.kind == ValueKind::Int)
                        id = v.i;
                    else if (v.kind == ValueKind::String && !v.s.empty() &&
                             v.s.find_first_not_of("0123456789") == std::string::npos &&
                             v.s.size() < 9)
                        id = std::stoll(v.s);
                    if (id >= 0 && std::find(ids.begin(), ids.end(), uint32_t(id)) == ids.end())
                        ids.push_back(uint32_t(id));
                } else if (c.field == "provider_name" || c.field == "channel") {
                    std::string v = e->pred->value.text();
                    if (std::find(names.begin(), names.end(), v) == names.end()) names.push_back(v);
                }
                return;
            }
            bool n = e->kind == ExprKind::Not ? !neg : neg;
            for (auto& kid : e->kids) walk(kid, n);
        };
        walk(a.logic, false);
    }
    std::vector<const LogsourceMapping*> maps;
    if (!r.logsource.empty())
        maps = k.logsource(r.logsource.product, r.logsource.category, r.logsource.service);
    for (auto* m : maps)
        if (!m->provider.empty() &&
            std::find(names.begin(), names.end(), m->provider) == names.end())
            names.push_back(std::string(m->provider));
    for (auto* m : maps)
        if (!m->channel.empty() && std::find(names.begin(), names.end(), m->channel) == names.end())
            names.push_back(std::string(m->channel));

    auto add = [&](const WindowsEvent* e, uint32_t id, const std::string& where,
                   const char* origin) {
        EventRow row;
        row.event_id = id;
        row.origin = origin;
        if (e) {
            row.provider = std::string(e->provider);
            row.provider_short = std::string(e->provider_short);
            row.channel = std::string(e->channel);
            row.title = std::string(e->title);
        } else {
            row.channel = where;
            row.provider_short = provider_short_name(where);
        }
        for (auto& x : a.events)
            if (x.event_id == row.event_id && x.provider_short == row.provider_short) return;
        a.events.push_back(std::move(row));
    };
    if (!ids.empty()) {
        for (uint32_t id : ids) {
            const WindowsEvent* hit = nullptr;
            for (auto& n : names)
                if ((hit = k.windows_event(n, id))) break;
            if (!hit && names.empty()) hit = event_by_id(id);
            add(hit, id, names.empty() ? std::string() : names.front(), "predicate");
        }
    } else {
        for (auto* m : maps) {
            std::string where(m->provider.empty() ? m->channel : m->provider);
            if (m->event_ids.empty()) {
                add(nullptr, 0, where, "logsource");
                if (!a.events.empty() && a.events.back().origin == "logsource" &&
                    a.events.back().event_id == 0)
                    a.events.back().channel = std::string(m->channel);
                continue;
            }
            for (uint32_t id : m->event_ids)
                add(k.windows_event(where, id), id, where, "logsource");
        }
    }
    // Splunk data sources: the SPL front-end puts them in the log source's custom
    // attributes, one per entry; a flow list under custom keys is read too.
    std::vector<std::pair<std::string, std::string>> ds_entries = r.logsource.custom;
    ds_entries.insert(ds_entries.end(), r.custom.begin(), r.custom.end());
    for (auto& [key, val] : ds_entries) {
        if (key != "data_source" && key != "data_sources") continue;
        std::string v = val;
        if (!v.empty() && v.front() == '[') v = v.substr(1, v.size() - 2);
        for (auto& name : split_list(v, ',')) {
            const SplunkDataSource* ds = k.splunk_data_source(name);
            if (!ds || !ds->event_id) continue;
            std::string where(!ds->provider.empty() ? ds->provider : ds->channel);
            const WindowsEvent* e =
                where.empty() ? event_by_id(*ds->event_id) : k.windows_event(where, *ds->event_id);
            add(e, *ds->event_id, where, "data_source");
        }
    }
}

void data_needed_rows(const Rule& r, RuleAnalysis& a) {
    const Knowledge& k = knowledge();
    for (auto& e : a.events) {
        if (!e.event_id) continue;
        const DataNeeded* d = nullptr;
        if (!e.channel.empty()) d = k.data_needed(e.channel, e.event_id);
        if (!d && !e.provider.empty()) d = k.data_needed(e.provider, e.event_id);
        if (!d) continue;
        bool dup = false;
        for (auto& x : a.data_needed)
            if (x.event_id == d->event_id && x.channel == d->channel) dup = true;
        if (dup) continue;
        a.data_needed.push_back({std::string(d->channel), std::string(d->provider), d->event_id,
                                 std::string(d->atc_id), std::string(d->audit)});
    }
}

void trigger_rows(RuleAnalysis& a) {
    const Knowledge& k = knowledge();
    for (auto& t : a.techniques) {
        AtomicLookup l = k.atomic_tests(t.id);
        const char* match = l.match == AtomicMatch::Exact        ? "exact"
                            : l.match == AtomicMatch::Redirected ? "redirected"
                                                                 : "parent";
        for (const AtomicTest& x : l.tests)
            a.triggers.push_back({std::string(x.technique), x.number, std::string(x.name),
                                  std::string(x.guid), std::string(x.executor), match});
    }
}

}  // namespace

void attach_knowledge(const Rule& r, RuleAnalysis& a) {
    a.tactics.clear();
    a.techniques.clear();
    a.software.clear();
    a.groups.clear();
    a.other_tags.clear();
    a.events.clear();
    a.data_needed.clear();
    a.triggers.clear();
    attack_rows(r, a);
    associations(r, a);
    event_rows(r, a);
    data_needed_rows(r, a);
    trigger_rows(a);
}

void analyze_rule(const Rule& rule, std::string_view file_text, RuleAnalysis& out) {
    analyze_structure(rule, file_text, out);
    attach_knowledge(rule, out);
}

CorpusInputs corpus_inputs(const Rule& r, const RuleAnalysis& a, CanonicalHashes& hashes) {
    CorpusInputs in;
    indicator_hashes(a, hashes, in);
    in.shape = rule_shape(r, a.logic, hashes);
    in.logic_hash = a.logic ? a.logic->hash : 0;
    return in;
}

void analyze_corpus_inputs(Catalog& c, const AnalysisOptions& o,
                           const std::vector<CorpusInputs>& in) {
    // Unique slugs: a second rule with the same slug gets "-2", and so on.
    std::unordered_map<std::string, int> used;
    for (auto& a : c.analyses) {
        int& n = used[a.slug];
        if (n++) a.slug += "-" + std::to_string(n);
    }
    count_indicators(c, in);
    if (o.neighbors) find_neighbors(c, o, in);
}

void analyze_corpus(Catalog& c, const AnalysisOptions& o) {
    CanonicalHashes hashes;
    std::vector<CorpusInputs> in;
    in.reserve(c.rules.size());
    for (size_t i = 0; i < c.rules.size(); ++i)
        in.push_back(corpus_inputs(c.rules[i], c.analyses[i], hashes));
    analyze_corpus_inputs(c, o, in);
}

void analyze_catalog(Catalog& c, const AnalysisOptions& o) {
    c.analyses.assign(c.rules.size(), RuleAnalysis{});
    for (size_t i = 0; i < c.rules.size(); ++i)
        analyze_rule(c.rules[i], i < c.texts.size() ? c.texts[i] : std::string_view(),
                     c.analyses[i]);
    if (o.translate)
        for (size_t i = 0; i < c.rules.size(); ++i) {
            c.analyses[i].translations = o.translate(c.rules[i]);
            c.analyses[i].translations_available = true;
        }
    analyze_corpus(c, o);
}

}  // namespace sigil
