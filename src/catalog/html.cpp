// catalog/html.cpp — the HTML pages of the catalog site, rendered from the mustache templates
// embedded from src/catalog/assets: rule pages, the searchable index, technique pages, the
// ATT&CK coverage matrix, event pages and log source statistics.
#include <algorithm>
#include <kainjow/mustache.hpp>
#include <set>
#include <unordered_map>

#include "catalog/catalog_internal.h"
#include "catalog/site_internal.h"
#include "sigil/knowledge.h"

namespace sigil {

using nlohmann::json;
namespace mst = kainjow::mustache;

namespace {

/* JSON → mustache data. Strings, numbers and booleans become mustache strings/booleans with
 * two conventions the templates rely on: an empty string is false (so `{{#x}}` tests
 * presence), and a number under a key ending in "_more" is false when 0 (so "and N more"
 * lines vanish). Every array key `k` of an object also gets `has_k` = non-empty. */
mst::data to_data(const json& j, std::string_view key = {}, bool rule_page = false) {
    // Model members the rule page template does not use are not converted.
    static const std::set<std::string, std::less<>> unused = {
        "by_source", "similarity", "origin", "logic", "tags", "filters", "corpus", "match"};
    switch (j.type()) {
        case json::value_t::object: {
            mst::data d{mst::data::type::object};
            for (auto it = j.begin(); it != j.end(); ++it) {
                if (rule_page && unused.count(it.key())) continue;
                // operator[] + move assignment: set() and push_back() would deep-copy the
                // finished subtree at every level.
                d[it.key()] = to_data(it.value(), it.key(), rule_page);
                if (it.value().is_array()) d["has_" + it.key()] = mst::data(!it.value().empty());
            }
            return d;
        }
        case json::value_t::array: {
            mst::data d{mst::data::type::list};
            // The list's vector copies its elements when it grows (basic_data's move is not
            // noexcept), so it is grown with cheap placeholders first, then filled in place.
            for (size_t k = 0; k < j.size(); ++k) d.push_back(mst::data(false));
            for (size_t k = 0; k < j.size(); ++k)
                const_cast<mst::data&>(d.list_value()[k]) = to_data(j[k], {}, rule_page);
            return d;
        }
        case json::value_t::string: {
            const std::string& s = j.get_ref<const std::string&>();
            if (s.empty()) return mst::data(false);
            return mst::data(s);
        }
        case json::value_t::boolean:
            return mst::data(j.get<bool>());
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            if (key.size() > 5 && key.substr(key.size() - 5) == "_more" && j.get<int64_t>() == 0)
                return mst::data(false);
            return mst::data(std::to_string(j.get<int64_t>()));
        case json::value_t::number_float: {
            char b[32];
            std::snprintf(b, sizeof b, "%.3g", j.get<double>());
            return mst::data(std::string(b));
        }
        default:
            return mst::data(false);
    }
}

std::string level_rank_key(const std::string& l) {
    static const char* order[] = {"critical", "high", "medium", "low", "informational"};
    for (int i = 0; i < 5; ++i)
        if (l == order[i]) return std::to_string(i);
    return "9" + l;
}

json rule_row(const Catalog& c, uint32_t i) {
    const Rule& r = c.rules[i];
    return {{"slug", c.analyses[i].slug},
            {"title", r.title},
            {"source", rule_source_name(r.source)},
            {"level", r.level}};
}

json rule_rows(const Catalog& c, std::vector<uint32_t> ids) {
    std::sort(ids.begin(), ids.end(),
              [&](uint32_t a, uint32_t b) { return c.rules[a].title < c.rules[b].title; });
    json out = json::array();
    for (uint32_t i : ids) out.push_back(rule_row(c, i));
    return out;
}

int heat_bucket(size_t n) {
    if (n == 0) return 0;
    if (n <= 2) return 1;
    if (n <= 5) return 2;
    if (n <= 15) return 3;
    if (n <= 40) return 4;
    return 5;
}

}  // namespace

struct HtmlRenderer::Templates {
    std::unordered_map<std::string, std::unique_ptr<mst::mustache>> t;
    mst::mustache& get(const std::string& name) {
        auto it = t.find(name);
        if (it != t.end()) return *it->second;
        auto m = std::make_unique<mst::mustache>(
            std::string(detail::embedded_catalog_asset(name + ".mustache")));
        return *(t[name] = std::move(m));
    }
};

HtmlRenderer::HtmlRenderer() : t_(std::make_unique<Templates>()) {
    for (const char* n : {"layout", "rule", "index", "technique", "matrix", "event", "events",
                          "logsources", "downloads"})
        t_->get(n);
}
HtmlRenderer::~HtmlRenderer() = default;

std::string HtmlRenderer::wrap(const std::string& body, const std::string& title,
                               const std::string& root, bool search_scripts) const {
    return page_layout(body, title, root, search_scripts);
}

std::string HtmlRenderer::layout_template(const std::string& body, const std::string& title,
                                          const std::string& root, bool search_scripts) const {
    mst::data d{mst::data::type::object};
    d.set("body", body);
    d.set("page_title", title);
    d.set("root", root);
    d.set("version", std::string(SIGIL_VERSION));
    d.set("rule_count", std::to_string(rule_count));
    mst::data scripts{mst::data::type::list};
    if (search_scripts) {
        scripts.push_back(mst::data(std::string("search-index.js")));
        scripts.push_back(mst::data(std::string("assets/app.js")));
    }
    d.set("scripts", scripts);
    return t_->get("layout").render(d);
}

// The reference rendering of a rule page through rule.mustache (see rule_html.cpp).
std::string HtmlRenderer::rule_page_template(const json& model) const {
    mst::data d = to_data(model, {}, true);
    std::string body = t_->get("rule").render(d);
    return layout_template(body, model["title"].get<std::string>(), "../", false);
}

SiteIndex index_site(const Catalog& c) {
    SiteIndex s;
    std::set<std::string> tactics, levels, logsources;
    for (uint32_t i = 0; i < c.rules.size(); ++i) {
        const RuleAnalysis& a = c.analyses[i];
        for (auto& t : a.techniques)
            if (t.fate != "unknown") s.by_technique[t.id].push_back(i);
        for (auto& e : a.events) {
            if (!e.event_id) continue;
            std::string k = event_key(e.provider_short, e.channel, e.event_id);
            auto& v = s.by_event[k];
            if (v.empty() || v.back() != i) v.push_back(i);
            s.events.emplace(k, e);
        }
        for (auto& t : a.tactics) tactics.insert(t.tactic);
        if (!c.rules[i].level.empty()) levels.insert(c.rules[i].level);
        std::string ls = logsource_text(c.rules[i]);
        if (!ls.empty()) logsources.insert(ls);
    }
    s.tactics.assign(tactics.begin(), tactics.end());
    s.levels.assign(levels.begin(), levels.end());
    std::sort(s.levels.begin(), s.levels.end(), [](const std::string& a, const std::string& b) {
        return level_rank_key(a) < level_rank_key(b);
    });
    s.logsources.assign(logsources.begin(), logsources.end());
    return s;
}

std::string HtmlRenderer::index_page(const Catalog& c, const SiteIndex& s) const {
    json j;
    size_t counts[kRuleSources] = {};
    for (auto& r : c.rules) ++counts[size_t(r.source)];
    json sources = json::array();
    for (size_t k = 0; k < kRuleSources; ++k)
        if (counts[k])
            sources.push_back({{"name", rule_source_name(RuleSource(k))},
                               {"label", source_label(RuleSource(k))},
                               {"count", counts[k]},
                               {"last", false}});
    if (!sources.empty()) sources.back()["last"] = true;
    j["sources"] = sources;
    j["rule_count"] = c.rules.size();
    j["levels"] = s.levels;
    j["tactics"] = s.tactics;
    j["logsources"] = s.logsources;
    return wrap(t_->get("index").render(to_data(j)), "Detection rules", "", true);
}

std::string HtmlRenderer::technique_page(const Catalog& c, const SiteIndex& s,
                                         std::string_view id) const {
    const Knowledge& k = knowledge();
    const Technique* t = k.technique(id);
    json j;
    std::string sid(id);
    j["id"] = sid;
    j["display"] = t ? t->display() : sid;
    std::string url = sid;
    std::replace(url.begin(), url.end(), '.', '/');
    j["url_id"] = url;
    j["status"] = t ? attack_status_name(t->status) : "unknown";
    json tactics = json::array();
    if (t)
        for (const Tactic* x : t->current_tactics()) tactics.push_back({{"name", x->name}});
    j["tactics"] = tactics;
    if (t && t->is_subtechnique()) {
        j["parent_id"] = t->parent_id;
        const Technique* p = k.technique(t->parent_id);
        j["parent_display"] = p ? p->display() : std::string(t->parent_id);
    }
    json subs = json::array();
    for (const Technique& x : k.all_techniques())
        if (x.parent_id == sid && x.status == AttackStatus::Active) {
            auto it = s.by_technique.find(std::string(x.id));
            subs.push_back({{"id", x.id},
                            {"display", x.display()},
                            {"count", it == s.by_technique.end() ? 0 : it->second.size()}});
        }
    j["subs"] = subs;
    auto it = s.by_technique.find(sid);
    std::vector<uint32_t> ids = it == s.by_technique.end() ? std::vector<uint32_t>{} : it->second;
    j["rule_count"] = ids.size();
    j["rules"] = rule_rows(c, ids);
    json tests = json::array();
    for (const AtomicTest& x : k.atomic_tests(sid).tests)
        tests.push_back(
            {{"number", x.number}, {"name", x.name}, {"executor", x.executor}, {"guid", x.guid}});
    j["tests"] = tests;
    return wrap(t_->get("technique").render(to_data(j)), j["display"].get<std::string>(), "../",
                false);
}

/* The coverage matrix: one column per current tactic in matrix order, one cell per active
 * parent technique of that tactic; a cell counts the distinct rules tagged with the
 * technique or any of its sub-techniques, and its colour bucket grows with the count. */
std::string HtmlRenderer::matrix_page(const Catalog& c, const SiteIndex& s) const {
    const Knowledge& k = knowledge();
    std::unordered_map<std::string, std::set<uint32_t>> under;  // parent id → rules
    for (auto& [id, rules] : s.by_technique) {
        std::string parent = id.substr(0, id.find('.'));
        under[parent].insert(rules.begin(), rules.end());
    }
    json cols = json::array();
    size_t covered = 0, total = 0;
    for (const Tactic& t : k.all_tactics()) {
        if (!t.current()) continue;
        json cells = json::array();
        std::set<uint32_t> col_rules;
        for (const Technique& x : k.all_techniques()) {
            if (x.is_subtechnique() || x.status != AttackStatus::Active) continue;
            bool in = false;
            for (const Tactic* y : x.current_tactics())
                if (y == &t) in = true;
            if (!in) continue;
            auto it = under.find(std::string(x.id));
            size_t n = it == under.end() ? 0 : it->second.size();
            if (it != under.end()) col_rules.insert(it->second.begin(), it->second.end());
            cells.push_back({{"id", x.id},
                             {"name", x.name},
                             {"display", x.display()},
                             {"count", n},
                             {"bucket", heat_bucket(n)}});
        }
        if (cells.empty()) continue;
        std::sort(cells.begin(), cells.end(), [](const json& a, const json& b) {
            return a["name"].get<std::string>() < b["name"].get<std::string>();
        });
        cols.push_back({{"name", t.name}, {"count", col_rules.size()}, {"cells", cells}});
    }
    for (const Technique& x : k.all_techniques()) {
        if (x.is_subtechnique() || x.status != AttackStatus::Active) continue;
        ++total;
        if (under.count(std::string(x.id))) ++covered;
    }
    json legend = json::array();
    const char* labels[] = {"0", "1–2", "3–5", "6–15", "16–40", "41+"};
    for (int b = 0; b < 6; ++b) legend.push_back({{"bucket", b}, {"label", labels[b]}});
    json j = {{"columns", cols}, {"covered", covered}, {"total", total}, {"legend", legend}};
    return wrap(t_->get("matrix").render(to_data(j)), "ATT&CK coverage", "", false);
}

std::string HtmlRenderer::event_page(const Catalog& c, const SiteIndex& s,
                                     const std::string& key) const {
    const EventRow& e = s.events.at(key);
    json j = {{"provider", e.provider},
              {"provider_short", e.provider_short.empty() ? e.channel : e.provider_short},
              {"channel", e.channel},
              {"event_id", e.event_id},
              {"title", e.title}};
    const DataNeeded* dn = nullptr;
    if (!e.channel.empty()) dn = knowledge().data_needed(e.channel, e.event_id);
    if (!dn && !e.provider.empty()) dn = knowledge().data_needed(e.provider, e.event_id);
    if (dn) j["data_needed"] = {{"audit", dn->audit}, {"atc_id", dn->atc_id}};
    auto& ids = s.by_event.at(key);
    j["rule_count"] = ids.size();
    j["rules"] = rule_rows(c, ids);
    return wrap(t_->get("event").render(to_data(j)),
                j["provider_short"].get<std::string>() + " " + std::to_string(e.event_id), "../",
                false);
}

std::string HtmlRenderer::events_page(const Catalog& c, const SiteIndex& s) const {
    json rows = json::array();
    for (auto& [key, e] : s.events)
        rows.push_back({{"page", key},
                        {"provider_short", e.provider_short.empty() ? e.channel : e.provider_short},
                        {"event_id", e.event_id},
                        {"title", e.title},
                        {"rule_count", s.by_event.at(key).size()}});
    std::stable_sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
        return a["rule_count"].get<size_t>() > b["rule_count"].get<size_t>();
    });
    return wrap(t_->get("events").render(to_data(json{{"events", rows}})), "Events", "../", false);
}

/* Statistics per log source: the Sigma logsource (product/category/service), or for rules
 * without one their source; counts by rule source and level, distinct techniques, and the
 * five fields most tested by the rules' indicators. */
std::string HtmlRenderer::logsources_page(const Catalog& c) const {
    struct Row {
        size_t total = 0, by_source[kRuleSources] = {};
        std::map<std::string, size_t> levels, fields;
        std::set<std::string> techniques;
    };
    std::map<std::string, Row> rows;
    for (size_t i = 0; i < c.rules.size(); ++i) {
        const Rule& r = c.rules[i];
        std::string key = logsource_text(r);
        if (key.empty()) key = std::string("(") + rule_source_name(r.source) + ")";
        Row& row = rows[key];
        ++row.total;
        ++row.by_source[size_t(r.source)];
        ++row.levels[r.level];
        for (auto& t : c.analyses[i].techniques) row.techniques.insert(t.id);
        for (auto& ind : c.analyses[i].indicators) ++row.fields[ind.field];
    }
    json out = json::array();
    for (auto& [key, row] : rows) {
        std::vector<std::pair<size_t, std::string>> f;
        for (auto& [name, n] : row.fields) f.push_back({n, name});
        std::sort(f.begin(), f.end(), [](auto& a, auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        std::string fields;
        for (size_t k = 0; k < f.size() && k < 5; ++k)
            fields += (k ? ", " : "") + f[k].second + " (" + std::to_string(f[k].first) + ")";
        json j = {{"key", key},
                  {"name", key},
                  {"total", row.total},
                  {"techniques", row.techniques.size()},
                  {"fields", fields}};
        for (size_t s = 0; s < kRuleSources; ++s)
            j[rule_source_name(RuleSource(s))] = row.by_source[s];
        for (const char* l : {"critical", "high", "medium", "low", "informational"})
            j[l] = row.levels.count(l) ? row.levels[l] : 0;
        out.push_back(j);
    }
    std::stable_sort(out.begin(), out.end(), [](const json& a, const json& b) {
        return a["total"].get<size_t>() > b["total"].get<size_t>();
    });
    return wrap(t_->get("logsources").render(to_data(json{{"rows", out}})), "Log sources", "",
                false);
}

std::string HtmlRenderer::downloads_page(const Catalog& c) const {
    return wrap(t_->get("downloads").render(to_data(json::object())), "Downloads", "", false);
}

std::string escape_html(std::string_view s) {
    return mst::html_escape<std::string>(std::string(s));
}

}  // namespace sigil
