// catalog/exports.cpp — whole-catalog exports: the index page's search data
// (search-index.js), the CSV of every rule, and the ATT&CK Navigator layer.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "catalog/site_internal.h"
#include "sigil/knowledge.h"

namespace sigil {

using nlohmann::json;

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    return s;
}

// RFC 4180: quote every field, double the quotes inside.
std::string csv_field(const std::string& s) {
    std::string r = "\"";
    for (char c : s) {
        if (c == '"') r += '"';
        r += c;
    }
    return r + '"';
}

}  // namespace

/* The index page's data: one compact record per rule, assigned to window.SIGIL_RULES in a
 * script file (a file:// page may not fetch JSON, but it may load a script). `k` is the
 * lower-cased text the search matches: title, id, description, author, tags, technique
 * names, software, groups, log source, event ids and indicator values. */
std::string search_index_js(const Catalog& c) {
    // Written by hand rather than through a JSON DOM: it is rebuilt on every build.
    std::string o = "window.SIGIL_RULES = [";
    o.reserve(c.rules.size() * 1536);
    // A JSON string: runs of characters that need no escape are appended whole (lower-cased
    // with `fold`, which never turns a character into one that needs an escape).
    auto str = [&o](std::string_view s, bool fold) {
        o += '"';
        size_t run = 0;
        auto flush = [&](size_t end) {
            size_t at = o.size();
            o.append(s.data() + run, end - run);
            if (fold)
                for (size_t k = at; k < o.size(); ++k)
                    if (o[k] >= 'A' && o[k] <= 'Z') o[k] = char(o[k] + 32);
        };
        for (size_t p = 0; p < s.size(); ++p) {
            unsigned char u = (unsigned char)s[p];
            if (u >= 0x20 && u != '"' && u != '\\' && u != '<') continue;
            flush(p);
            run = p + 1;
            switch (u) {
                case '"':
                    o += "\\\"";
                    break;
                case '\\':
                    o += "\\\\";
                    break;
                case '\n':
                    o += "\\n";
                    break;
                case '<':
                    o += "\\u003c";
                    break;
                default:
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", u);
                    o += b;
            }
        }
        flush(s.size());
        o += '"';
    };
    for (size_t i = 0; i < c.rules.size(); ++i) {
        const Rule& r = c.rules[i];
        const RuleAnalysis& a = c.analyses[i];
        std::string ls = logsource_text(r);
        std::string k = r.title + ' ' + r.id + ' ' + r.description + ' ' + r.author + ' ' + ls +
                        ' ' + rule_source_name(r.source);
        for (auto& t : r.tags) k += ' ' + t;
        for (auto& t : a.techniques) k += ' ' + t.display;
        for (auto& x : a.software) k += ' ' + x.display;
        for (auto& x : a.groups) k += ' ' + x.display;
        for (auto& e : a.events)
            if (e.event_id) k += ' ' + std::to_string(e.event_id);
        for (auto& ind : a.indicators)
            for (auto& v : ind.values) k += ' ' + v.value;
        if (k.size() > 4000) k.resize(4000);
        o += i ? ",\n{\"s\":" : "\n{\"s\":";
        str(a.slug, false);
        o += ",\"t\":";
        str(r.title, false);
        o += ",\"tl\":";
        str(r.title, true);
        o += ",\"src\":";
        str(rule_source_name(r.source), false);
        o += ",\"l\":";
        str(r.level, false);
        o += ",\"ls\":";
        str(ls, false);
        o += ",\"ta\":[";
        std::set<std::string> tacs;
        for (auto& t : a.tactics) tacs.insert(t.tactic);
        bool first = true;
        for (auto& t : tacs) {
            if (!first) o += ',';
            first = false;
            str(t, false);
        }
        o += "],\"te\":[";
        for (size_t j = 0; j < a.techniques.size(); ++j) {
            if (j) o += ',';
            str(a.techniques[j].id, false);
        }
        o += "],\"k\":";
        str(k, true);
        o += '}';
    }
    return o + "];\n";
}

std::string rules_csv(const Catalog& c) {
    std::string o = "title,description,event_ids,techniques,level,id,source,path\n";
    for (size_t i = 0; i < c.rules.size(); ++i) {
        const Rule& r = c.rules[i];
        const RuleAnalysis& a = c.analyses[i];
        std::string ids, techs;
        for (auto& e : a.events)
            if (e.event_id) {
                std::string s = std::to_string(e.event_id);
                if ((";" + ids + ";").find(";" + s + ";") != std::string::npos) continue;
                ids += (ids.empty() ? "" : ";") + s;
            }
        for (auto& t : a.techniques) techs += (techs.empty() ? "" : ";") + t.id;
        o += csv_field(r.title) + ',' + csv_field(r.description) + ',' + csv_field(ids) + ',' +
             csv_field(techs) + ',' + csv_field(r.level) + ',' + csv_field(r.id) + ',' +
             csv_field(rule_source_name(r.source)) + ',' +
             csv_field(i < c.files.size() ? c.files[i] : "") + "\r\n";
    }
    return o;
}

/* ATT&CK Navigator layer (format 4.5): one entry per technique with rules, score = number
 * of rules, the comment lists up to ten rule titles; the gradient runs from white at 0 to
 * dark blue at the highest score. */
std::string navigator_layer(const Catalog& c, const SiteIndex& s) {
    json techs = json::array();
    size_t max_score = 1;
    for (auto& [id, rules] : s.by_technique) {
        max_score = std::max(max_score, rules.size());
        std::string comment;
        for (size_t k = 0; k < rules.size() && k < 10; ++k)
            comment += (k ? "; " : "") + c.rules[rules[k]].title;
        if (rules.size() > 10) comment += "; and " + std::to_string(rules.size() - 10) + " more";
        techs.push_back({{"techniqueID", id},
                         {"score", rules.size()},
                         {"comment", comment},
                         {"enabled", true}});
    }
    json layer = {
        {"name", "sigil catalog"},
        {"versions", {{"attack", "18"}, {"navigator", "5.1.0"}, {"layer", "4.5"}}},
        {"domain", "enterprise-attack"},
        {"description", "Rules per technique, " + std::to_string(c.rules.size()) + " rules"},
        {"sorting", 3},
        {"hideDisabled", false},
        {"techniques", techs},
        {"gradient",
         {{"colors", {"#ffffff", "#1c4f99"}}, {"minValue", 0}, {"maxValue", max_score}}},
        {"legendItems", json::array()},
        {"showTacticRowBackground", false},
        {"selectTechniquesAcrossTactics", true},
    };
    return layer.dump(1);
}

}  // namespace sigil
