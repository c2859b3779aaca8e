// sigma/validate.cpp — validators equivalent to pySigma's core set (VALID-*):
// per-document checks on the raw YAML, and collection-wide checks (unique ids,
// titles and file names; ATT&CK tags against the knowledge tables).
#include "sigil/validate.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>

#include "sigma/sigma_internal.h"

namespace sigil {

namespace sigma {

namespace {

// Character-class checks for tag shapes (no std::regex on the load path).
bool all_of(const std::string& s, const char* set) {
    return !s.empty() && s.find_first_not_of(set) == std::string::npos;
}
bool digits(const std::string& s, size_t b, size_t n) {
    if (b + n > s.size()) return false;
    for (size_t k = b; k < b + n; ++k)
        if (!std::isdigit((unsigned char)s[k])) return false;
    return true;
}
// A whole word `w` occurs in `s` (bounded by non-word characters).
bool has_word(const std::string& s, const std::string& w) {
    for (size_t p = s.find(w); p != std::string::npos; p = s.find(w, p + 1)) {
        auto wc = [](char c) { return std::isalnum((unsigned char)c) || c == '_'; };
        bool left = p == 0 || !wc(s[p - 1]);
        bool right = p + w.size() == s.size() || !wc(s[p + w.size()]);
        if (left && right) return true;
    }
    return false;
}

void tag_checks(const YamlNode& tags, DocContext& ctx) {
    std::set<std::string> seen;
    for (auto& t : tags.items) {
        const std::string& s = t.text;
        if (!seen.insert(s).second)
            ctx.warn("sigma.validator.duplicate_tag", "tag '" + s + "' appears twice", t);
        size_t dot0 = s.find('.');
        if (dot0 == std::string::npos ||
            !all_of(s.substr(0, dot0), "abcdefghijklmnopqrstuvwxyz0123456789_-") ||
            !all_of(s.substr(dot0 + 1), "abcdefghijklmnopqrstuvwxyz0123456789._-"))
            ctx.warn("sigma.validator.tag_format",
                     "tag '" + s + "' is not lowercase namespace.name ([a-z0-9_-])", t);
        size_t dot = s.find('.');
        if (dot == std::string::npos) continue;
        std::string ns = s.substr(0, dot), name = s.substr(dot + 1);
        static const char* known[] = {"attack", "car", "cve", "d3fend", "detection", "stp", "tlp"};
        if (std::none_of(std::begin(known), std::end(known), [&](auto* k) { return ns == k; })) {
            ctx.warn("sigma.validator.namespace_tag",
                     "tag namespace '" + ns +
                         "' is not one of attack, car, cve, d3fend, "
                         "detection, stp, tlp",
                     t);
            continue;
        }
        if (ns == "car" && !(name.size() == 11 && digits(name, 0, 4) && name[4] == '-' &&
                             digits(name, 5, 2) && name[7] == '-' && digits(name, 8, 3)))
            ctx.warn("sigma.validator.cartag", "CAR tag '" + s + "' is not car.YYYY-MM-NNN", t);
        size_t dash = name.find('-');
        if (ns == "cve" && !(dash != std::string::npos && dash > 0 && dash + 1 < name.size() &&
                             all_of(name.substr(0, dash), "0123456789") &&
                             all_of(name.substr(dash + 1), "0123456789")))
            ctx.warn("sigma.validator.cvetag", "CVE tag '" + s + "' is not cve.YYYY-NNNN", t);
        if (ns == "detection" && name != "dfir" && name != "emerging-threats" &&
            name != "threat-hunting")
            ctx.warn("sigma.validator.detection_tag",
                     "detection tag '" + s + "' is not dfir, emerging-threats or threat-hunting",
                     t);
        if (ns == "stp" &&
            !((name.size() == 1 || (name.size() == 2 && std::strchr("auk", name[1]))) &&
              name[0] >= '1' && name[0] <= '5'))
            ctx.warn("sigma.validator.stptag", "STP tag '" + s + "' is not stp.<1-5>[a|u|k]", t);
        if (ns == "tlp" && name != "red" && name != "amber" && name != "amber-strict" &&
            name != "green" && name != "clear" && name != "white")
            ctx.warn("sigma.validator.tlptag", "TLP tag '" + s + "' is not a TLP level", t);
        // VALID-TAG-D3FEND: d3fend.d3-<Abbr> technique, d3fend.d3f-<Artifact>
        // artifact, or one of the D3FEND tactics.
        if (ns == "d3fend") {
            static const char* tactics[] = {"model",   "harden", "detect", "isolate",
                                            "deceive", "evict",  "restore"};
            bool tactic = std::any_of(std::begin(tactics), std::end(tactics),
                                      [&](const char* x) { return name == x; });
            auto alnum = [](const std::string& x) {
                return !x.empty() && std::all_of(x.begin(), x.end(), [](char c) {
                    return std::isalnum((unsigned char)c);
                });
            };
            bool technique = name.rfind("d3-", 0) == 0 && alnum(name.substr(3));
            bool artifact = name.rfind("d3f-", 0) == 0 && alnum(name.substr(4));
            if (!tactic && !technique && !artifact)
                ctx.warn("sigma.validator.d3fendtag",
                         "D3FEND tag '" + s +
                             "' is not a tactic, d3fend.d3-<technique> or d3fend.d3f-<artifact>",
                         t);
        }
    }
}

/* Value-level validators walk the raw detection YAML, since they judge how a
 * value was written (quotes, escapes, wildcards), which the IR no longer shows.
 */
void value_checks(const YamlNode& key, const YamlNode& v, DocContext& ctx) {
    std::string spec = key.text;
    std::vector<std::string> mods;
    for (size_t p = spec.find('|'); p != std::string::npos;) {
        size_t e = spec.find('|', p + 1);
        mods.push_back(spec.substr(p + 1, e == std::string::npos ? e : e - p - 1));
        p = e;
    }
    bool has = [&] { return false; }();
    auto hasmod = [&](const char* m) {
        return std::find(mods.begin(), mods.end(), m) != mods.end();
    };
    (void)has;
    // A modifier's second occurrence is reported (at most once per name).
    for (size_t i = 0; i < mods.size(); ++i) {
        const std::string& m = mods[i];
        size_t before = size_t(std::count(mods.begin(), mods.begin() + long(i), m));
        if (before == 1 && m != "base64")
            ctx.warn("sigma.validator.invalid_modifier_combinations",
                     "modifier '" + m + "' is applied twice in '" + spec + "'", key);
    }
    bool field_bound = !spec.empty() && spec[0] != '|';
    size_t nvals = v.is_seq() ? v.items.size() : 1;
    if (field_bound && hasmod("all") && !hasmod("contains") && !hasmod("startswith") &&
        !hasmod("endswith") && nvals > 1 && !hasmod("windash"))
        ctx.warn("sigma.validator.invalid_modifier_combinations",
                 "'all' without 'contains' on field '" + spec +
                     "' requires one value to equal several different values at once",
                 key);
    if (hasmod("base64offset") && !hasmod("contains"))
        ctx.warn("sigma.validator.invalid_modifier_combinations",
                 "'base64offset' without 'contains' in '" + spec +
                     "' matches only whole values, which base64 fragments never are",
                 key);
    bool is_re = hasmod("re");
    std::vector<const YamlNode*> vals;
    if (v.is_seq())
        for (auto& i : v.items) vals.push_back(&i);
    else
        vals.push_back(&v);
    for (const YamlNode* n : vals) {
        if (!n->is_scalar() || n->type != YamlNode::Type::Str) continue;
        const std::string& s = n->text;
        for (unsigned char c : s)
            if (c < 0x20) {
                ctx.warn("sigma.validator.control_character",
                         "value of '" + spec + "' holds a control character (0x" +
                             "0123456789abcdef"[c >> 4] + "0123456789abcdef"[c & 15] +
                             "), often a \\t from double-quoted YAML",
                         *n);
                break;
            }
        if (is_re) continue;
        if (s.find("**") != std::string::npos)
            ctx.warn("sigma.validator.double_wildcard",
                     "value '" + excerpt(s) + "' has a double wildcard", *n);
        if (!s.empty() && n->quoted && s.find_first_not_of("0123456789") == std::string::npos &&
            mods.empty())
            ctx.warn("sigma.validator.number_as_string",
                     "value '" + excerpt(s) + "' is a number written as a string", *n);
        // escaped wildcard: backslash before * or ?, not itself escaped
        for (size_t i = 0; i + 1 < s.size(); ++i) {
            if (s[i] == '\\' && (s[i + 1] == '*' || s[i + 1] == '?')) {
                size_t b = i;
                while (b > 0 && s[b - 1] == '\\') --b;
                if ((i - b) % 2 == 0) {
                    ctx.warn("sigma.validator.escaped_wildcard",
                             "value '" + excerpt(s) +
                                 "' holds an escaped (literal) wildcard; write '\\\\" + s[i + 1] +
                                 "' for a backslash followed by a wildcard",
                             *n);
                    break;
                }
            }
        }
        if (s.size() > 1 && mods.empty() && field_bound) {
            bool lead = s.front() == '*', trail = s.back() == '*' && s[s.size() - 2] != '\\';
            std::string mid = s.substr(lead ? 1 : 0);
            if (trail) mid.pop_back();
            if ((lead || trail) && mid.find_first_of("*?") == std::string::npos && !mid.empty())
                ctx.warn("sigma.validator.wildcards_instead_of_modifiers",
                         "value '" + excerpt(s) + "' uses wildcards where '" +
                             (lead && trail ? "contains"
                              : lead        ? "endswith"
                                            : "startswith") +
                             "' would say it",
                         *n);
        }
    }
}

void detection_values(const YamlNode& ident, DocContext& ctx) {
    auto map_checks = [&](const YamlNode& m) {
        for (auto& [k, v] : m.entries) value_checks(k, v, ctx);
    };
    if (ident.is_map()) map_checks(ident);
    if (ident.is_seq())
        for (auto& it : ident.items) {
            if (it.is_map()) map_checks(it);
        }
}

}  // namespace

void validate_document(const YamlNode& doc, DocContext& ctx) {
    const YamlNode* det = doc.get("detection");
    if (!doc.get("id") && !doc.get("filter"))
        ctx.warn("sigma.validator.identifier_existence", "the rule has no 'id'", doc);
    if (const YamlNode* tags = doc.get("tags"); tags && tags->is_seq()) tag_checks(*tags, ctx);
    if (const YamlNode* refs = doc.get("references"); refs && refs->is_seq()) {
        std::set<std::string> seen;
        for (auto& r : refs->items)
            if (!seen.insert(r.text).second)
                ctx.warn("sigma.validator.duplicate_references",
                         "reference '" + r.text + "' appears twice", r);
    }
    for (auto& [k, v] : doc.entries) {
        static const char* typos[] = {"realted", "relatde", "relted", "rlated", "reference"};
        for (auto* t : typos)
            if (k.text == t)
                ctx.warn("sigma.validator.custom_attributes",
                         "key '" + k.text + "' looks like a misspelling of '" +
                             (k.text == "reference" ? "references" : "related") + "'",
                         k);
    }
    const YamlNode* ls = doc.get("logsource");
    if (ls && ls->is_map()) {
        for (auto& [k, v] : ls->entries)
            if (k.text != "category" && k.text != "product" && k.text != "service" &&
                k.text != "definition")
                ctx.warn("sigma.validator.fieldname_logsource",
                         "logsource key '" + k.text +
                             "' is not category, product, service or "
                             "definition",
                         k);
    }
    if (!det || !det->is_map()) return;
    size_t n_idents = 0;
    for (auto& [k, v] : det->entries) {
        if (k.text == "condition" || k.text == "timeframe") continue;
        ++n_idents;
        detection_values(v, ctx);
    }
    if (const YamlNode* c = det->get("condition")) {
        std::vector<const YamlNode*> cs;
        if (c->is_seq())
            for (auto& i : c->items) cs.push_back(&i);
        else
            cs.push_back(c);
        for (auto* cn : cs) {
            if (has_word(cn->text, "all of them"))
                ctx.warn("sigma.validator.all_of_them_condition",
                         "'all of them' is discouraged; name the identifiers", *cn);
            if (n_idents == 1 && has_word(cn->text, "them"))
                ctx.warn("sigma.validator.them_condition_with_single_detection",
                         "'them' with a single search identifier; name it", *cn);
        }
    }
    // specific_instead_of_generic_logsource
    if (ls && ls->is_map()) {
        const YamlNode* svc = ls->get("service");
        std::string service = svc ? svc->text : "";
        if (service == "sysmon" || service == "security") {
            for (auto& [k, v] : det->entries) {
                auto check = [&](const YamlNode& m) {
                    const YamlNode* eid = m.get("EventID");
                    if (!eid) return;
                    std::vector<const YamlNode*> ids;
                    if (eid->is_seq())
                        for (auto& i : eid->items) ids.push_back(&i);
                    else
                        ids.push_back(eid);
                    for (auto* i : ids) {
                        if (i->type != YamlNode::Type::Int) continue;
                        bool generic = service == "sysmon"
                                           ? ((i->i >= 1 && i->i <= 29) || i->i == 255)
                                           : i->i == 4688;
                        if (generic) {
                            ctx.warn("sigma.validator.specific_instead_of_generic_logsource",
                                     "EventID " + std::to_string(i->i) + " of " + service +
                                         " has a generic log source category; use it instead",
                                     *i);
                            return;
                        }
                    }
                };
                if (v.is_map()) check(v);
                if (v.is_seq())
                    for (auto& it : v.items)
                        if (it.is_map()) check(it);
            }
        }
    }
}

}  // namespace sigma

/* Collection-wide validators: ids, titles and file names must be unique
 * (VALID-ID-UNIQUE, VALID-TITLE-UNIQUE, VALID-FILENAME-UNIQUE), file names
 * 10–70 characters (VALID-FILENAME-LENGTH, META-FILENAME), and ATT&CK tags must name a known
 * tactic, technique, group, software, mitigation or data source (VALID-TAG-ATTACK).
 */
void validate_collection(const std::vector<Rule>& rules, Diagnostics& out,
                         const AttackTagCheck& attack) {
    auto warn = [&](const Rule& r, const std::string& code, const std::string& msg) {
        Diagnostic d;
        d.severity = Severity::Warning;
        d.code = code;
        d.message = msg;
        d.loc = r.loc;
        d.rule = r.title;
        out.push_back(std::move(d));
    };
    std::map<std::string, const Rule*> ids, titles;
    std::map<std::string, std::string> fnames;
    for (auto& r : rules) {
        if (r.source != RuleSource::Sigma) continue;
        if (!r.id.empty()) {
            auto [it, fresh] = ids.emplace(r.id, &r);
            if (!fresh)
                warn(r, "sigma.validator.identifier_uniqueness",
                     "id " + r.id + " is also used by " + it->second->loc.str());
        }
        if (!r.title.empty() && r.kind == RuleKind::Detection) {
            auto [it, fresh] = titles.emplace(r.title, &r);
            if (!fresh)
                warn(r, "sigma.validator.duplicate_title",
                     "title '" + r.title + "' is also used by " + it->second->loc.str());
        }
        if (r.loc.file) {
            std::filesystem::path p(*r.loc.file);
            std::string fn = p.filename().string();
            auto [it, fresh] = fnames.emplace(fn, *r.loc.file);
            if (!fresh && it->second != *r.loc.file)
                warn(r, "sigma.validator.duplicate_filename",
                     "file name '" + fn + "' is also used by " + it->second);
            std::string stem = p.stem().string();
            // META-FILENAME: the spec says 10 to 70 characters (pySigma's
            // filename_length defaults to 90; the spec wins, docs/sigma.md)
            if (fresh && (fn.size() < 10 || fn.size() > 70))
                warn(r, "sigma.validator.filename_length",
                     "file name '" + sigma::excerpt(fn) + "' is " + std::to_string(fn.size()) +
                         " characters long (the spec asks for 10 to 70)");
        }
        if (attack) {
            for (auto& t : r.tags) {
                if (t.rfind("attack.", 0) != 0) continue;
                std::string why = attack(t.substr(7));
                if (!why.empty()) warn(r, "sigma.validator.attacktag", why);
            }
        }
    }
}

}  // namespace sigil
