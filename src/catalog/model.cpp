// catalog/model.cpp — the JSON model of one rule's page: every section of a catalog page as
// plain data. The HTML and Markdown renderers, the JSON export and the SQLite database all
// read this one model, so the outputs cannot disagree.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "catalog/catalog_internal.h"
#include "catalog/site_internal.h"
#include "sigil/catalog.h"

namespace sigil {

using nlohmann::json;

const char* source_label(RuleSource s) {
    switch (s) {
        case RuleSource::Sigma:
            return "Sigma";
        case RuleSource::SplunkSecurityContent:
            return "Splunk";
        case RuleSource::Armory:
            return "Armory";
    }
    return "?";
}

std::string event_key(const std::string& provider_short, const std::string& channel, uint32_t id) {
    std::string base = provider_short.empty() ? channel : provider_short;
    std::string r;
    for (char c : base) {
        unsigned char u = (unsigned char)c;
        r += std::isalnum(u) ? char(std::tolower(u)) : '_';
    }
    if (r.empty()) r = "any";
    return r + "-" + std::to_string(id);
}

static bool is_web_url(const std::string& s) {
    return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

namespace {

/* The model is built member by member with each value constructed in its map node: the
 * braced form {{"k", v}, ...} builds a two-element array per member and a copy of each
 * value before the object, which made the 7,389 models cost ~1.4 s of a full build. */
void put(json::object_t&) {}
template <class V, class... Rest>
void put(json::object_t& o, const char* key, V&& value, Rest&&... rest) {
    o.emplace(key, json(std::forward<V>(value)));
    put(o, std::forward<Rest>(rest)...);
}
template <class... Kv>
json object_of(Kv&&... kv) {
    json j(json::value_t::object);
    put(j.get_ref<json::object_t&>(), std::forward<Kv>(kv)...);
    return j;
}
json array_of_capacity(size_t n) {
    json j(json::value_t::array);
    j.get_ref<json::array_t&>().reserve(n);
    return j;
}

}  // namespace

json rule_model(const Catalog& c, size_t i) {
    const Rule& r = c.rules[i];
    const RuleAnalysis& a = c.analyses[i];
    json m(json::value_t::object);
    json::object_t& mo = m.get_ref<json::object_t&>();
    put(mo, "slug", a.slug, "id", r.id, "title", r.title.empty() ? r.name : r.title, "description",
        r.description, "source", rule_source_name(r.source), "source_label", source_label(r.source),
        "kind", r.kind == RuleKind::Correlation ? "correlation" : "detection", "status", r.status,
        "level", r.level, "author", r.author, "date", r.date, "modified", r.modified, "license",
        r.license, "path", i < c.files.size() ? c.files[i] : std::string());
    put(mo, "logsource",
        object_of("product", r.logsource.product, "category", r.logsource.category, "service",
                  r.logsource.service, "definition", r.logsource.definition, "text",
                  logsource_text(r)));
    put(mo, "tags", r.tags);
    json refs = array_of_capacity(r.references.size());
    for (auto& u : r.references) refs.push_back(object_of("url", u, "link", is_web_url(u)));
    put(mo, "references", std::move(refs), "falsepositives", r.falsepositives);

    // ATT&CK
    json tactics = array_of_capacity(a.tactics.size());
    for (auto& t : a.tactics) {
        json techs = array_of_capacity(t.techniques.size());
        for (auto& x : t.techniques)
            techs.push_back(
                object_of("id", x.id, "display", x.display, "tagged", x.tagged, "fate", x.fate));
        tactics.push_back(object_of("tactic_id", t.tactic_id, "tactic", t.tactic, "techniques",
                                    std::move(techs), "none", t.techniques.empty()));
    }
    put(mo, "tactics", std::move(tactics));
    json techs = array_of_capacity(a.techniques.size());
    for (auto& x : a.techniques)
        techs.push_back(object_of("id", x.id, "display", x.display, "tagged", x.tagged, "fate",
                                  x.fate, "known", x.fate != "unknown"));
    put(mo, "techniques", std::move(techs));
    auto refs_json = [](const std::vector<AttackRef>& v) {
        json out = array_of_capacity(v.size());
        for (auto& x : v)
            out.push_back(object_of("id", x.id, "name", x.name, "display", x.display));
        return out;
    };
    put(mo, "software", refs_json(a.software), "groups", refs_json(a.groups), "other_tags",
        a.other_tags);

    // Events, data needed, triggers
    json events = array_of_capacity(a.events.size());
    for (auto& e : a.events)
        events.push_back(object_of(
            "provider", e.provider, "provider_short", e.provider_short, "channel", e.channel,
            "event_id", e.event_id, "any", e.event_id == 0, "title", e.title, "origin", e.origin,
            "page",
            e.event_id ? event_key(e.provider_short, e.channel, e.event_id) : std::string()));
    put(mo, "events", std::move(events));
    json dn = array_of_capacity(a.data_needed.size());
    for (auto& d : a.data_needed)
        dn.push_back(object_of("channel", d.channel, "provider", d.provider, "event_id", d.event_id,
                               "atc_id", d.atc_id, "audit", d.audit));
    put(mo, "data_needed", std::move(dn));
    // The first kTriggersShown tests; the technique pages list them all.
    constexpr size_t kTriggersShown = 25;
    json trig = array_of_capacity(std::min(a.triggers.size(), kTriggersShown));
    for (size_t k = 0; k < a.triggers.size() && k < kTriggersShown; ++k) {
        const TriggerRow& t = a.triggers[k];
        trig.push_back(object_of("technique", t.technique, "number", t.number, "name", t.name,
                                 "guid", t.guid, "executor", t.executor, "match", t.match));
    }
    put(mo, "triggers", std::move(trig), "triggers_more",
        a.triggers.size() > kTriggersShown ? a.triggers.size() - kTriggersShown : 0);

    // Body and structure
    put(mo, "body", i < c.texts.size() ? c.texts[i] : std::string(), "logic",
        a.logic ? to_string(a.logic) : std::string());
    json stages = array_of_capacity(a.stages.size());
    for (auto& s : a.stages)
        stages.push_back(object_of("number", s.number, "label", s.label, "text", s.text,
                                   "predicates", s.predicates));
    put(mo, "stages", std::move(stages));
    json ex = array_of_capacity(a.exclusions.size());
    for (auto& x : a.exclusions) {
        std::string joined;
        for (size_t k = 0; k < x.values.size(); ++k) {
            if (k) joined += ", ";
            joined += x.values[k];
        }
        ex.push_back(object_of("field", x.field, "kind", x.kind, "values", x.values, "joined",
                               std::move(joined)));
    }
    put(mo, "exclusions", std::move(ex));
    json ind = array_of_capacity(a.indicators.size());
    for (auto& x : a.indicators) {
        json vals = array_of_capacity(x.values.size());
        for (auto& v : x.values) {
            json bs(json::value_t::object);
            for (size_t s = 0; s < kRuleSources; ++s)
                put(bs.get_ref<json::object_t&>(), rule_source_name(RuleSource(s)), v.by_source[s]);
            vals.push_back(object_of("value", v.value, "corpus", v.corpus, "corpus_text",
                                     v.corpus_text(), "by_source", std::move(bs)));
        }
        ind.push_back(object_of("field", x.field, "kind", x.kind, "values", std::move(vals)));
    }
    put(mo, "indicators", std::move(ind));
    json terms = array_of_capacity(a.search_terms.size());
    for (auto& t : a.search_terms) terms.push_back(object_of("stage", t.stage, "term", t.term));
    put(mo, "search_terms", std::move(terms));

    // Neighbors
    json lists[4];
    for (auto& l : lists) l = json(json::value_t::array);
    for (auto& n : a.neighbors) {
        const Rule& o = c.rules[n.rule];
        std::string note;
        switch (n.kind) {
            case NeighborKind::Stricter:
                note =
                    "adds " + std::to_string(n.filters) + (n.filters == 1 ? " filter" : " filters");
                break;
            case NeighborKind::Broader:
                note = "drops " + std::to_string(n.filters) +
                       (n.filters == 1 ? " filter" : " filters") + " this rule applies";
                break;
            case NeighborKind::Duplicate:
                note = "same logic";
                break;
            case NeighborKind::NearDuplicate:
                note = std::to_string(int(n.similarity * 100 + 0.5)) + "% of predicates shared";
                break;
        }
        lists[size_t(n.kind)].push_back(object_of(
            "slug", c.analyses[n.rule].slug, "title", o.title, "source", rule_source_name(o.source),
            "filters", n.filters, "similarity", n.similarity, "note", std::move(note)));
    }
    json nb(json::value_t::object);
    json totals(json::value_t::object);
    for (size_t k = 0; k < 4; ++k) {
        const char* name = neighbor_kind_name(NeighborKind(k));
        size_t listed = lists[k].size();
        put(totals.get_ref<json::object_t&>(), name, a.neighbor_totals[k],
            (std::string(name) + "_more").c_str(),
            a.neighbor_totals[k] > listed ? a.neighbor_totals[k] - listed : 0);
        put(nb.get_ref<json::object_t&>(), name, std::move(lists[k]));
    }
    put(nb.get_ref<json::object_t&>(), "totals", std::move(totals));
    put(mo, "neighbors", std::move(nb));

    // Translations
    json tr = array_of_capacity(a.translations.size());
    for (auto& t : a.translations)
        tr.push_back(object_of("target", t.target, "query", t.query, "error", t.error));
    put(mo, "translations", std::move(tr), "translations_available", a.translations_available);

    // Correlation
    if (r.correlation) {
        const Correlation& k = *r.correlation;
        put(mo, "correlation",
            object_of("type", Correlation::type_name(k.type), "rules", k.rules, "group_by",
                      k.group_by, "timespan", k.timespan_text));
    }
    return m;
}

std::string logsource_text(const Rule& r) {
    std::string s;
    auto add = [&](const std::string& v) {
        if (v.empty()) return;
        if (!s.empty()) s += '/';
        s += v;
    };
    add(r.logsource.product);
    add(r.logsource.category);
    add(r.logsource.service);
    return s;
}

}  // namespace sigil

namespace sigil {

namespace {

/* Whether s[k..] starts with a well-formed UTF-8 sequence of a code point above U+007F
 * (Unicode's table of well-formed byte sequences: no overlong forms, no surrogates, nothing
 * past U+10FFFF); its length, or 0. */
size_t utf8_sequence(std::string_view s, size_t k) {
    auto b = [&](size_t i) { return k + i < s.size() ? (unsigned char)s[k + i] : 0u; };
    auto cont = [](unsigned c, unsigned lo = 0x80, unsigned hi = 0xBF) {
        return c >= lo && c <= hi;
    };
    unsigned c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(b(1)) ? 2 : 0;
    if (c == 0xE0) return cont(b(1), 0xA0) && cont(b(2)) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(b(1)) && cont(b(2)) ? 3 : 0;
    if (c == 0xED) return cont(b(1), 0x80, 0x9F) && cont(b(2)) ? 3 : 0;
    if (c == 0xF0) return cont(b(1), 0x90) && cont(b(2)) && cont(b(3)) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(b(1)) && cont(b(2)) && cont(b(3)) ? 4 : 0;
    if (c == 0xF4) return cont(b(1), 0x80, 0x8F) && cont(b(2)) && cont(b(3)) ? 4 : 0;
    return 0;
}

/* A JSON string as nlohmann's dump(-1, ' ', false, replace) writes it: `"` and `\` escaped,
 * \b \t \n \f \r by name, other control characters as \u00xx, everything else (UTF-8
 * included) as is. A string that is not valid UTF-8 is rare in a corpus and is left to
 * nlohmann itself, whose replacement of bad bytes is the reference. */
void put_json_string(std::string& o, const std::string& s) {
    size_t start = o.size();
    o += '"';
    size_t run = 0;
    auto flush = [&](size_t k) { o.append(s.data() + run, k - run); };
    for (size_t k = 0; k < s.size();) {
        unsigned char c = (unsigned char)s[k];
        if (c >= 0x80) {
            size_t n = utf8_sequence(s, k);
            if (n == 0) {
                o.resize(start);
                o += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
                return;
            }
            k += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            ++k;
            continue;
        }
        flush(k);
        switch (c) {
            case '"':
                o += "\\\"";
                break;
            case '\\':
                o += "\\\\";
                break;
            case '\b':
                o += "\\b";
                break;
            case '\t':
                o += "\\t";
                break;
            case '\n':
                o += "\\n";
                break;
            case '\f':
                o += "\\f";
                break;
            case '\r':
                o += "\\r";
                break;
            default: {
                char b[8];
                std::snprintf(b, sizeof b, "\\u%04x", unsigned(c));
                o += b;
            }
        }
        run = ++k;
    }
    flush(s.size());
    o += '"';
}

void put_json(std::string& o, const json& j) {
    switch (j.type()) {
        case json::value_t::object: {
            o += '{';
            bool first = true;
            for (auto& [k, v] : j.get_ref<const json::object_t&>()) {
                if (!first) o += ',';
                first = false;
                put_json_string(o, k);
                o += ':';
                put_json(o, v);
            }
            o += '}';
            return;
        }
        case json::value_t::array: {
            o += '[';
            bool first = true;
            for (const json& v : j.get_ref<const json::array_t&>()) {
                if (!first) o += ',';
                first = false;
                put_json(o, v);
            }
            o += ']';
            return;
        }
        case json::value_t::string:
            put_json_string(o, j.get_ref<const std::string&>());
            return;
        case json::value_t::boolean:
            o += j.get<bool>() ? "true" : "false";
            return;
        case json::value_t::number_integer:
            o += std::to_string(j.get<int64_t>());
            return;
        case json::value_t::number_unsigned:
            o += std::to_string(j.get<uint64_t>());
            return;
        case json::value_t::null:
            o += "null";
            return;
        default:  // floats (shortest round-trip form) and binary: nlohmann's own text
            o += j.dump(-1, ' ', false, json::error_handler_t::replace);
            return;
    }
}

}  // namespace

/* The rule model as JSON text, the same bytes as nlohmann's compact dump with invalid UTF-8
 * replaced: its serializer decodes every byte through a UTF-8 state machine, which made
 * writing the 7,389 models ~0.7 s of a full build; this one copies runs of plain bytes and
 * only checks multi-byte sequences. Keys come out sorted, as the model's maps hold them. */
std::string rule_json_text(const json& model) {
    std::string o;
    o.reserve(16384);
    put_json(o, model);
    return o;
}

}  // namespace sigil
