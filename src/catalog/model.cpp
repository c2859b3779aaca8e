// catalog/model.cpp — the JSON model of one rule's page: every section of a catalog page as
// plain data. The HTML and Markdown renderers, the JSON export and the SQLite database all
// read this one model, so the outputs cannot disagree.
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

json rule_model(const Catalog& c, size_t i) {
    const Rule& r = c.rules[i];
    const RuleAnalysis& a = c.analyses[i];
    json m;
    m["slug"] = a.slug;
    m["id"] = r.id;
    m["title"] = r.title.empty() ? r.name : r.title;
    m["description"] = r.description;
    m["source"] = rule_source_name(r.source);
    m["source_label"] = source_label(r.source);
    m["kind"] = r.kind == RuleKind::Correlation ? "correlation" : "detection";
    m["status"] = r.status;
    m["level"] = r.level;
    m["author"] = r.author;
    m["date"] = r.date;
    m["modified"] = r.modified;
    m["license"] = r.license;
    m["path"] = i < c.files.size() ? c.files[i] : std::string();
    m["logsource"] = {{"product", r.logsource.product},
                      {"category", r.logsource.category},
                      {"service", r.logsource.service},
                      {"definition", r.logsource.definition},
                      {"text", logsource_text(r)}};
    m["tags"] = r.tags;
    json refs = json::array();
    for (auto& u : r.references) refs.push_back({{"url", u}, {"link", is_web_url(u)}});
    m["references"] = refs;
    m["falsepositives"] = r.falsepositives;

    // ATT&CK
    json tactics = json::array();
    for (auto& t : a.tactics) {
        json techs = json::array();
        for (auto& x : t.techniques)
            techs.push_back(
                {{"id", x.id}, {"display", x.display}, {"tagged", x.tagged}, {"fate", x.fate}});
        tactics.push_back({{"tactic_id", t.tactic_id},
                           {"tactic", t.tactic},
                           {"techniques", techs},
                           {"none", t.techniques.empty()}});
    }
    m["tactics"] = tactics;
    json techs = json::array();
    for (auto& x : a.techniques)
        techs.push_back({{"id", x.id},
                         {"display", x.display},
                         {"tagged", x.tagged},
                         {"fate", x.fate},
                         {"known", x.fate != "unknown"}});
    m["techniques"] = techs;
    auto refs_json = [](const std::vector<AttackRef>& v) {
        json out = json::array();
        for (auto& x : v) out.push_back({{"id", x.id}, {"name", x.name}, {"display", x.display}});
        return out;
    };
    m["software"] = refs_json(a.software);
    m["groups"] = refs_json(a.groups);
    m["other_tags"] = a.other_tags;

    // Events, data needed, triggers
    json events = json::array();
    for (auto& e : a.events)
        events.push_back({{"provider", e.provider},
                          {"provider_short", e.provider_short},
                          {"channel", e.channel},
                          {"event_id", e.event_id},
                          {"any", e.event_id == 0},
                          {"title", e.title},
                          {"origin", e.origin},
                          {"page", e.event_id ? event_key(e.provider_short, e.channel, e.event_id)
                                              : std::string()}});
    m["events"] = events;
    json dn = json::array();
    for (auto& d : a.data_needed)
        dn.push_back({{"channel", d.channel},
                      {"provider", d.provider},
                      {"event_id", d.event_id},
                      {"atc_id", d.atc_id},
                      {"audit", d.audit}});
    m["data_needed"] = dn;
    // The first kTriggersShown tests; the technique pages list them all.
    constexpr size_t kTriggersShown = 25;
    json trig = json::array();
    for (size_t k = 0; k < a.triggers.size() && k < kTriggersShown; ++k) {
        const TriggerRow& t = a.triggers[k];
        trig.push_back({{"technique", t.technique},
                        {"number", t.number},
                        {"name", t.name},
                        {"guid", t.guid},
                        {"executor", t.executor},
                        {"match", t.match}});
    }
    m["triggers"] = trig;
    m["triggers_more"] =
        a.triggers.size() > kTriggersShown ? a.triggers.size() - kTriggersShown : 0;

    // Body and structure
    m["body"] = i < c.texts.size() ? c.texts[i] : std::string();
    m["logic"] = a.logic ? to_string(a.logic) : std::string();
    json stages = json::array();
    for (auto& s : a.stages)
        stages.push_back({{"number", s.number},
                          {"label", s.label},
                          {"text", s.text},
                          {"predicates", s.predicates}});
    m["stages"] = stages;
    json ex = json::array();
    for (auto& x : a.exclusions) {
        std::string joined;
        for (size_t k = 0; k < x.values.size(); ++k) joined += (k ? ", " : "") + x.values[k];
        ex.push_back(
            {{"field", x.field}, {"kind", x.kind}, {"values", x.values}, {"joined", joined}});
    }
    m["exclusions"] = ex;
    json ind = json::array();
    for (auto& x : a.indicators) {
        json vals = json::array();
        for (auto& v : x.values) {
            json bs = json::object();
            for (size_t s = 0; s < kRuleSources; ++s)
                bs[rule_source_name(RuleSource(s))] = v.by_source[s];
            vals.push_back({{"value", v.value},
                            {"corpus", v.corpus},
                            {"corpus_text", v.corpus_text()},
                            {"by_source", bs}});
        }
        ind.push_back({{"field", x.field}, {"kind", x.kind}, {"values", vals}});
    }
    m["indicators"] = ind;
    json terms = json::array();
    for (auto& t : a.search_terms) terms.push_back({{"stage", t.stage}, {"term", t.term}});
    m["search_terms"] = terms;

    // Neighbors
    json nb = {{"stricter", json::array()},
               {"broader", json::array()},
               {"duplicate", json::array()},
               {"near_duplicate", json::array()}};
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
        nb[neighbor_kind_name(n.kind)].push_back({{"slug", c.analyses[n.rule].slug},
                                                  {"title", o.title},
                                                  {"source", rule_source_name(o.source)},
                                                  {"filters", n.filters},
                                                  {"similarity", n.similarity},
                                                  {"note", note}});
    }
    json totals = json::object();
    for (size_t k = 0; k < 4; ++k) {
        const char* name = neighbor_kind_name(NeighborKind(k));
        totals[name] = a.neighbor_totals[k];
        size_t listed = nb[name].size();
        totals[std::string(name) + "_more"] =
            a.neighbor_totals[k] > listed ? a.neighbor_totals[k] - listed : 0;
    }
    nb["totals"] = totals;
    m["neighbors"] = nb;

    // Translations
    json tr = json::array();
    for (auto& t : a.translations)
        tr.push_back({{"target", t.target}, {"query", t.query}, {"error", t.error}});
    m["translations"] = tr;
    m["translations_available"] = a.translations_available;

    // Correlation
    if (r.correlation) {
        const Correlation& k = *r.correlation;
        m["correlation"] = {{"type", Correlation::type_name(k.type)},
                            {"rules", k.rules},
                            {"group_by", k.group_by},
                            {"timespan", k.timespan_text}};
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
