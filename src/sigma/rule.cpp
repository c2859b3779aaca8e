// sigma/rule.cpp — one YAML document to an IR Rule: metadata validation
// (META-*), log source (LOG-*), the detection block, filters (FILT-DOC) and
// correlations (CORR-*).
#include <algorithm>
#include <cstring>
#include <functional>
#include <iterator>
#include <string_view>

#include "sigma/sigma_internal.h"

namespace sigil::sigma {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower((unsigned char)c));
    return s;
}

// Accepts the forms Python's UUID() accepts: 32 hex digits with optional
// dashes in the usual places, optional braces or urn:uuid: prefix.
bool is_uuid(std::string s) {
    if (s.rfind("urn:uuid:", 0) == 0) s = s.substr(9);
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
    std::string hex;
    for (char c : s) {
        if (c == '-') continue;
        if (!std::isxdigit((unsigned char)c)) return false;
        hex += c;
    }
    if (hex.size() != 32) return false;
    if (s.find('-') != std::string::npos) {
        static const int dash_at[] = {8, 13, 18, 23};
        if (s.size() != 36) return false;
        for (int d : dash_at)
            if (s[d] != '-') return false;
    }
    return true;
}

// META-DATE-*: YYYY-MM-DD with a calendar check; the v1 slash form is
// accepted with a warning (pySigma still accepts it, the v2 spec dropped it).
bool check_date(const YamlNode& n, const char* key, DocContext& ctx, std::string& out) {
    if (!n.is_scalar() || n.is_null()) {
        ctx.error("sigma.meta.type", std::string("'") + key + "' must be a date string", n);
        return false;
    }
    std::string s = n.text;
    out = s;
    int y = 0, m = 0, d = 0;
    bool slash = false;
    char sep = 0;
    size_t p = 0;
    auto num = [&](int maxd, int& v) {
        size_t b = p;
        while (p < s.size() && std::isdigit((unsigned char)s[p]) && p - b < size_t(maxd))
            v = v * 10 + (s[p++] - '0');
        return p - b;
    };
    size_t ny = num(4, y);
    if (p < s.size()) sep = s[p++];
    size_t nm = num(2, m);
    if (p < s.size() && s[p] == sep)
        ++p;
    else
        sep = 0;
    size_t nd = num(2, d);
    slash = sep == '/';
    bool shape = ny == 4 && p == s.size() && (sep == '-' || sep == '/') &&
                 (slash ? (nm >= 1 && nd >= 1) : (nm == 2 && nd == 2));
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool cal = m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] &&
               !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (!shape || !cal) {
        // unquoted YAML datetime "2024-01-05 10:00:00" is accepted as-is
        if (!n.quoted && s.size() > 10 && s[4] == '-' && s[7] == '-' &&
            (s[10] == ' ' || s[10] == 'T'))
            return true;
        ctx.error("sigma.meta.date",
                  std::string("'") + key + "' must be a valid date YYYY-MM-DD, not '" + s + "'", n);
        return false;
    }
    if (slash) {
        ctx.warn(
            "sigma.meta.date_legacy",
            std::string("'") + key + "' uses the Sigma v1 form '" + s + "'; v2 requires YYYY-MM-DD",
            n);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        out = buf;
    }
    return true;
}

bool get_string(const YamlNode& n, const char* key, DocContext& ctx, std::string& out) {
    if (!n.is_scalar() || n.type != YamlNode::Type::Str) {
        // numbers are accepted where a string is expected only if quoted-less text is fine
        if (n.is_scalar() && !n.is_null() && n.type != YamlNode::Type::Bool) {
            ctx.error("sigma.meta.type", std::string("'") + key + "' must be a string", n);
            return false;
        }
        ctx.error("sigma.meta.type", std::string("'") + key + "' must be a string", n);
        return false;
    }
    out = n.text;
    return true;
}

bool get_string_list(const YamlNode& n, const char* key, DocContext& ctx,
                     std::vector<std::string>& out) {
    if (!n.is_seq()) {
        ctx.error("sigma.meta.type", std::string("'") + key + "' must be a list of strings", n);
        return false;
    }
    for (auto& it : n.items) {
        if (!it.is_scalar() || it.is_null()) {
            ctx.error("sigma.meta.type",
                      std::string("every item of '") + key + "' must be a string", it);
            return false;
        }
        out.push_back(it.text);
    }
    return true;
}

bool parse_logsource(const YamlNode* ls, DocContext& ctx, const YamlNode& doc, LogSource& out) {
    if (!ls) {
        ctx.error("sigma.logsource.missing", "the rule has no 'logsource'", doc);
        return false;
    }
    if (!ls->is_map()) {
        ctx.error("sigma.logsource.type", "'logsource' must be a map", *ls);
        return false;
    }
    bool ok = true;
    for (auto& [k, v] : ls->entries) {
        std::string* dst = k.text == "category"     ? &out.category
                           : k.text == "product"    ? &out.product
                           : k.text == "service"    ? &out.service
                           : k.text == "definition" ? &out.definition
                                                    : nullptr;
        if (!v.is_scalar() || v.is_null() || v.type == YamlNode::Type::Bool) {
            ctx.error("sigma.logsource.type", "logsource '" + k.text + "' must be a string", v);
            ok = false;
            continue;
        }
        if (dst)
            *dst = v.text;
        else
            out.custom.emplace_back(k.text, v.text);
    }
    if (ok && out.empty()) {
        ctx.error("sigma.logsource.empty",
                  "'logsource' needs at least one of category, product or service", *ls);
        return false;
    }
    return ok;
}

/* Enumerations (status, level, related type, correlation type) are lower case
 * in the schema; pySigma reads them case-insensitively. Other spellings load,
 * lowercased, with a warning (META-STATUS-CASE, CASE-ENUM-METADATA).
 */
std::string enum_value(const YamlNode& v, const char* key, DocContext& ctx) {
    std::string low = lower(v.text);
    if (low != v.text)
        ctx.warn("sigma.meta.enum_case",
                 std::string("'") + key + "' value '" + v.text + "' should be lower case ('" + low +
                     "')",
                 v);
    return low;
}

// The top-level keys a rule may have; any other is a custom attribute.
// meta_key() gives a key's index (-1: custom), so parse_metadata() looks
// each key up once instead of comparing it with every name in turn.
constexpr std::string_view kMetaKeys[] = {
    "title",    "id",     "name",       "related",   "taxonomy",  "status",      "description",
    "license",  "author", "references", "date",      "modified",  "fields",      "falsepositives",
    "level",    "scope",  "tags",       "logsource", "detection", "correlation", "filter",
    "generate", "action"};
constexpr int meta_key(std::string_view k) {
    for (size_t i = 0; i < std::size(kMetaKeys); ++i)
        if (kMetaKeys[i] == k) return int(i);
    return -1;
}
consteval int mk(std::string_view k) {
    return meta_key(k);
}

void parse_metadata(const YamlNode& doc, DocContext& ctx, Rule& r, bool correlation) {
    const YamlNode* t = doc.get("title");
    if (!t) {
        ctx.error("sigma.meta.title_missing", "the rule has no 'title'", doc);
    } else if (get_string(*t, "title", ctx, r.title)) {
        ctx.rule = r.title;
        if (r.title.size() > 256)
            ctx.error("sigma.meta.title_length",
                      "the title is " + std::to_string(r.title.size()) +
                          " characters long; the limit is 256",
                      *t);
    }
    for (auto& [k, v] : doc.entries) {
        const std::string& key = k.text;
        const int kid = meta_key(key);
        if (kid == mk("id")) {
            if (!v.is_scalar() || v.type != YamlNode::Type::Str)
                ctx.error("sigma.meta.id", "'id' must be a UUID string", v);
            else if (!is_uuid(v.text))
                ctx.error("sigma.meta.id", "'id' is not a UUID: '" + v.text + "'", v);
            else
                r.id = lower(v.text);
        } else if (kid == mk("name")) {
            if (get_string(v, "name", ctx, r.name) && r.name.empty())
                ctx.error("sigma.meta.name", "'name' must not be empty", v);
        } else if (kid == mk("taxonomy")) {
            if (get_string(v, "taxonomy", ctx, r.taxonomy) && r.taxonomy.empty())
                ctx.error("sigma.meta.taxonomy", "'taxonomy' must not be empty (default: sigma)",
                          v);
        } else if (kid == mk("status")) {
            std::string s;
            if (get_string(v, "status", ctx, s)) {
                s = enum_value(v, "status", ctx);
                static const char* ok[] = {"stable", "test", "experimental", "deprecated",
                                           "unsupported"};
                if (std::none_of(std::begin(ok), std::end(ok), [&](auto* x) { return s == x; }))
                    ctx.error("sigma.meta.status",
                              "status '" + v.text +
                                  "' is not one of stable, test, experimental, deprecated, "
                                  "unsupported",
                              v);
                r.status = s;
            }
        } else if (kid == mk("level")) {
            std::string s;
            if (get_string(v, "level", ctx, s)) {
                s = enum_value(v, "level", ctx);
                static const char* ok[] = {"informational", "low", "medium", "high", "critical"};
                if (std::none_of(std::begin(ok), std::end(ok), [&](auto* x) { return s == x; }))
                    ctx.error("sigma.meta.level",
                              "level '" + v.text +
                                  "' is not one of informational, low, medium, high, critical",
                              v);
                r.level = s;
            }
        } else if (kid == mk("description")) {
            get_string(v, "description", ctx, r.description);
        } else if (kid == mk("license")) {
            get_string(v, "license", ctx, r.license);
        } else if (kid == mk("author")) {
            get_string(v, "author", ctx, r.author);
        } else if (kid == mk("references")) {
            get_string_list(v, "references", ctx, r.references);
        } else if (kid == mk("fields")) {
            get_string_list(v, "fields", ctx, r.fields);
        } else if (kid == mk("falsepositives")) {
            if (correlation && v.is_scalar() && v.is_str())
                r.falsepositives.push_back(v.text);
            else
                get_string_list(v, "falsepositives", ctx, r.falsepositives);
        } else if (kid == mk("scope")) {
            get_string_list(v, "scope", ctx, r.scope);
        } else if (kid == mk("date")) {
            check_date(v, "date", ctx, r.date);
        } else if (kid == mk("modified")) {
            check_date(v, "modified", ctx, r.modified);
        } else if (kid == mk("tags")) {
            if (get_string_list(v, "tags", ctx, r.tags)) {
                for (size_t i = 0; i < r.tags.size(); ++i)
                    if (r.tags[i].find('.') == std::string::npos || r.tags[i].front() == '.')
                        ctx.error("sigma.meta.tag",
                                  "tag '" + r.tags[i] + "' has no namespace (namespace.name)",
                                  v.items[i]);
            }
        } else if (kid == mk("related")) {
            if (!v.is_seq()) {
                ctx.error("sigma.meta.related", "'related' must be a list of {id, type} maps", v);
                continue;
            }
            for (auto& it : v.items) {
                const YamlNode* id = it.get("id");
                const YamlNode* ty = it.get("type");
                if (!it.is_map() || !id || !ty || !id->is_str() || !ty->is_str()) {
                    ctx.error("sigma.meta.related", "a 'related' entry needs 'id' and 'type'", it);
                    continue;
                }
                if (!is_uuid(id->text))
                    ctx.error("sigma.meta.related", "related id is not a UUID: '" + id->text + "'",
                              *id);
                std::string ty_l = enum_value(*ty, "related type", ctx);
                static const char* ok[] = {"derived", "obsolete", "merged",
                                           "renamed", "similar",  "correlation"};
                if (std::none_of(std::begin(ok), std::end(ok), [&](auto* x) { return ty_l == x; }))
                    ctx.error("sigma.meta.related",
                              "related type '" + ty->text +
                                  "' is not one of derived, obsolete, merged, renamed, similar",
                              *ty);
                r.related.push_back({lower(id->text), ty_l});
            }
        } else if (kid < 0) {
            r.custom.emplace_back(key, v.flow());  // META-CUSTOM-ATTRS
        }
    }
}

/* Extended correlation conditions (CORR-EXTENDED-CONDITION): a boolean
 * expression over rule names with and/or/not and parentheses. It must parse,
 * and the names it uses must be exactly the referenced rules. The grammar is
 * the detection condition's without quantifiers; depth is bounded.
 * Returns an error message or "".
 */
std::string check_extended_condition(const std::string& text,
                                     const std::vector<std::string>& rules) {
    std::vector<std::string> toks;
    for (size_t i = 0; i < text.size();) {
        char ch = text[i];
        if (std::isspace((unsigned char)ch)) {
            ++i;
        } else if (ch == '(' || ch == ')') {
            toks.emplace_back(1, ch);
            ++i;
        } else {
            size_t b = i;
            while (i < text.size() && !std::isspace((unsigned char)text[i]) && text[i] != '(' &&
                   text[i] != ')')
                ++i;
            toks.push_back(text.substr(b, i - b));
        }
    }
    std::set<std::string> used;
    size_t i = 0;
    int depth = 0;
    std::string err;
    auto is_op = [](const std::string& w) { return w == "and" || w == "or" || w == "not"; };
    std::function<bool()> parse_or;
    auto fail = [&](std::string msg) {
        if (err.empty()) err = std::move(msg);
        return false;
    };
    // not_expr := "not" not_expr | "(" or_expr ")" | name
    std::function<bool()> parse_not = [&]() -> bool {
        if (depth >= 256) return fail("the condition nests too deeply");
        if (i >= toks.size()) return fail("the condition ends early");
        const std::string& t = toks[i];
        if (t == "not") {
            ++i;
            ++depth;
            bool ok = parse_not();
            --depth;
            return ok;
        }
        if (t == "(") {
            ++i;
            ++depth;
            bool ok = parse_or();
            --depth;
            if (!ok) return false;
            if (i >= toks.size() || toks[i] != ")") return fail("missing ')'");
            ++i;
            return true;
        }
        if (t == ")" || is_op(t)) return fail("unexpected '" + t + "'");
        used.insert(toks[i++]);
        return true;
    };
    parse_or = [&]() -> bool {
        for (;;) {
            if (!parse_not()) return false;
            if (i < toks.size() && (toks[i] == "and" || toks[i] == "or")) {
                ++i;
                continue;
            }
            return true;
        }
    };
    if (!parse_or()) return err;
    if (i < toks.size()) return "unexpected '" + toks[i] + "'";
    for (auto& u : used)
        if (std::find(rules.begin(), rules.end(), u) == rules.end())
            return "'" + excerpt(u) + "' is not one of the correlation's rules";
    for (auto& r : rules)
        if (!used.count(r))
            return "referenced rule '" + excerpt(r) + "' is not used by the condition";
    return "";
}

bool parse_timespan(const YamlNode& n, DocContext& ctx, Correlation& c) {
    std::string s = n.is_scalar() ? n.text : "";
    size_t k = 0;
    while (k < s.size() && std::isdigit((unsigned char)s[k])) ++k;
    if (k == 0 || k + 1 != s.size() || std::string("smhdwMy").find(s.back()) == std::string::npos) {
        ctx.error("sigma.correlation.timespan",
                  "timespan '" + s + "' must be a number and a unit s, m, h or d (e.g. 90m)", n);
        return false;
    }
    uint64_t v = std::stoull(s.substr(0, k));
    static const std::pair<char, uint64_t> units[] = {{'s', 1},       {'m', 60},     {'h', 3600},
                                                      {'d', 86400},   {'w', 604800}, {'M', 2629746},
                                                      {'y', 31556952}};
    for (auto& [u, mul] : units)
        if (s.back() == u) c.timespan_seconds = v * mul;
    if (std::string("wMy").find(s.back()) != std::string::npos)
        ctx.warn("sigma.correlation.timespan_unit",
                 "timespan unit '" + std::string(1, s.back()) +
                     "' is a pySigma extension; the spec allows s, m, h and d",
                 n);
    c.timespan_text = s;
    return true;
}

}  // namespace

/* The detection block (DET-*): every key except `condition` (and the legacy
 * `timeframe`, and a filter's `rules`) is a search identifier; the condition
 * is a string or a list of strings, each a separate query.
 */
bool build_detection_block(const YamlNode& det, DocContext& ctx, bool is_filter,
                           DetectionBlock& out) {
    const char* what = is_filter ? "filter" : "detection";
    if (!det.is_map()) {
        ctx.error("sigma.detection.type", std::string("'") + what + "' must be a map", det);
        return false;
    }
    const YamlNode* cond = nullptr;
    bool ok = true;
    for (auto& [k, v] : det.entries) {
        if (k.text == "condition") {
            cond = &v;
            continue;
        }
        if (is_filter && k.text == "rules") continue;
        if (!is_filter && k.text == "timeframe") {
            ctx.warn("sigma.detection.timeframe",
                     "'timeframe' belongs to Sigma v1 aggregations and is ignored; use a "
                     "correlation rule",
                     k);
            continue;
        }
        SearchIdentifier id;
        id.name = k.text;
        id.node = &k;
        size_t before = ctx.diags->size();
        bool failed_before = ctx.failed;
        ctx.failed = false;
        id.expr = build_search_identifier(v, ctx, id.keyword_list);
        if (ctx.failed) {
            ok = false;
            id.failed = true;
        }
        ctx.failed = ctx.failed || failed_before;
        (void)before;
        for (char c : id.name)
            if (!(std::isalnum((unsigned char)c) || c == '_' || c == '-')) {
                ctx.warn("sigma.detection.identifier_name",
                         "search identifier '" + id.name +
                             "' has characters outside [A-Za-z0-9_-] and cannot be used in a "
                             "condition",
                         k);
                break;
            }
        out.idents.push_back(std::move(id));
    }
    if (!cond || cond->is_null() || (cond->is_seq() && cond->items.empty())) {
        ctx.error("sigma.condition.missing", std::string("the ") + what + " has no 'condition'",
                  cond ? *cond : det);
        return false;
    }
    if (out.idents.empty()) {
        ctx.error("sigma.detection.none",
                  std::string("the ") + what + " defines no search identifier", det);
        return false;
    }
    std::vector<const YamlNode*> conds;
    if (cond->is_seq()) {
        if (is_filter) {
            ctx.error("sigma.filter.condition", "a filter's condition must be a single string",
                      *cond);
            return false;
        }
        for (auto& c : cond->items) conds.push_back(&c);
    } else {
        conds.push_back(cond);
    }
    std::set<std::string> used;
    for (const YamlNode* c : conds) {
        if (!c->is_scalar() || c->type != YamlNode::Type::Str) {
            ctx.error("sigma.condition.type", "a condition must be a string", *c);
            return false;
        }
        ExprPtr e = parse_condition(c->text, *c, out.idents, ctx, used);
        if (!e) ok = false;
        if (!ok) continue;  // keep checking the other conditions
        out.conditions.push_back(e);
        out.condition_text.push_back(c->text);
    }
    if (!ok) return false;
    for (auto& id : out.idents)
        if (!used.count(id.name))
            ctx.warn("sigma.validator.dangling_detection",
                     "search identifier '" + id.name + "' is not used by any condition", *id.node);
    return true;
}

// Builds a rule from one (already merged) document. Returns false on error.
bool build_rule(const YamlNode& doc, DocContext& ctx, Rule& r) {
    r.source = RuleSource::Sigma;
    const YamlNode* corr = doc.get("correlation");
    const YamlNode* filt = doc.get("filter");
    const YamlNode* det = doc.get("detection");
    if (corr) {
        r.kind = RuleKind::Correlation;
        parse_metadata(doc, ctx, r, true);
        if (!corr->is_map()) {
            ctx.error("sigma.correlation.type", "'correlation' must be a map", *corr);
            return false;
        }
        Correlation c;
        const YamlNode* ty = corr->get("type");
        if (!ty || !ty->is_str()) {
            ctx.error("sigma.correlation.type", "the correlation has no 'type'", *corr);
            return false;
        }
        std::string t = enum_value(*ty, "correlation type", ctx);
        static const std::pair<const char*, Correlation::Type> types[] = {
            {"event_count", Correlation::Type::EventCount},
            {"value_count", Correlation::Type::ValueCount},
            {"temporal", Correlation::Type::Temporal},
            {"temporal_ordered", Correlation::Type::TemporalOrdered},
            {"value_sum", Correlation::Type::ValueSum},
            {"value_avg", Correlation::Type::ValueAvg},
            {"value_percentile", Correlation::Type::ValuePercentile},
            {"value_median", Correlation::Type::ValueMedian}};
        bool found = false;
        for (auto& [n, v] : types)
            if (t == n) {
                c.type = v;
                found = true;
            }
        if (!found) {
            ctx.error("sigma.correlation.type", "unknown correlation type '" + ty->text + "'", *ty);
            return false;
        }
        const YamlNode* rules = corr->get("rules");
        if (!rules) {
            ctx.error("sigma.correlation.rules", "the correlation has no 'rules'", *corr);
            return false;
        }
        if (rules->is_str())
            c.rules.push_back(rules->text);
        else if (!get_string_list(*rules, "rules", ctx, c.rules))
            return false;
        if (c.rules.empty()) {
            ctx.error("sigma.correlation.rules", "'rules' is empty", *rules);
            return false;
        }
        if (const YamlNode* gb = corr->get("group-by")) {
            if (gb->is_str())
                c.group_by.push_back(gb->text);
            else if (!get_string_list(*gb, "group-by", ctx, c.group_by))
                return false;
        }
        const YamlNode* ts = corr->get("timespan");
        if (!ts) ts = corr->get("timeframe");
        if (!ts) {
            ctx.error("sigma.correlation.timespan", "the correlation has no 'timespan'", *corr);
            return false;
        }
        if (!parse_timespan(*ts, ctx, c)) return false;
        if (const YamlNode* g = corr->get("generate")) {
            if (g->kind != YamlNode::Kind::Scalar || g->type != YamlNode::Type::Bool) {
                ctx.error("sigma.correlation.generate", "'generate' must be true or false", *g);
                return false;
            }
            c.generate = g->b;
        }
        if (const YamlNode* g = doc.get("generate")) {
            if (g->type == YamlNode::Type::Bool) c.generate = g->b;
        }
        bool temporal =
            c.type == Correlation::Type::Temporal || c.type == Correlation::Type::TemporalOrdered;
        const YamlNode* cond = corr->get("condition");
        if (cond && cond->is_str()) {
            if (!temporal) {
                ctx.error("sigma.correlation.condition",
                          "a condition expression is only allowed for temporal correlations",
                          *cond);
                return false;
            }
            std::string why = check_extended_condition(cond->text, c.rules);
            if (!why.empty()) {
                ctx.error("sigma.correlation.condition",
                          "condition '" + excerpt(cond->text) + "': " + why, *cond);
                return false;
            }
            c.extended_condition = cond->text;
        } else if (cond) {
            if (!cond->is_map()) {
                ctx.error("sigma.correlation.condition", "'condition' must be a map", *cond);
                return false;
            }
            for (auto& [k, v] : cond->entries) {
                static const std::pair<const char*, CmpOp> ops[] = {
                    {"gt", CmpOp::Gt},   {"gte", CmpOp::Gte}, {"lt", CmpOp::Lt},
                    {"lte", CmpOp::Lte}, {"eq", CmpOp::Eq},   {"neq", CmpOp::Neq}};
                if (k.text == "field") {
                    if (v.is_str())
                        c.condition_fields.push_back(v.text);
                    else if (!get_string_list(v, "field", ctx, c.condition_fields))
                        return false;
                    continue;
                }
                if (k.text == "percentile") {
                    c.percentile = v.type == YamlNode::Type::Int     ? double(v.i)
                                   : v.type == YamlNode::Type::Float ? v.f
                                                                     : -1;
                    if (!(c.percentile >= 0 && c.percentile <= 100)) {
                        ctx.error("sigma.correlation.condition",
                                  "percentile needs a number from 0 to 100", v);
                        return false;
                    }
                    continue;
                }
                bool okop = false;
                for (auto& [n, op] : ops)
                    if (k.text == n) {
                        if (v.type != YamlNode::Type::Int && v.type != YamlNode::Type::Float) {
                            ctx.error("sigma.correlation.condition",
                                      "condition '" + k.text + "' needs a number", v);
                            return false;
                        }
                        c.condition.emplace_back(op,
                                                 v.type == YamlNode::Type::Int ? double(v.i) : v.f);
                        okop = true;
                    }
                if (!okop) {
                    ctx.error("sigma.correlation.condition",
                              "unknown condition operator '" + k.text + "'", k);
                    return false;
                }
            }
            if (c.condition.empty() || c.condition.size() > 2) {
                ctx.error("sigma.correlation.condition",
                          "the condition needs one comparison (or two for a range)", *cond);
                return false;
            }
        } else if (!temporal) {
            ctx.error("sigma.correlation.condition", "the correlation has no 'condition'", *corr);
            return false;
        }
        bool needs_field =
            c.type == Correlation::Type::ValueCount || c.type == Correlation::Type::ValueSum ||
            c.type == Correlation::Type::ValueAvg || c.type == Correlation::Type::ValuePercentile ||
            c.type == Correlation::Type::ValueMedian;
        if (needs_field && c.condition_fields.empty()) {
            ctx.error("sigma.correlation.field",
                      std::string(Correlation::type_name(c.type)) + " needs 'condition.field'",
                      cond ? *cond : *corr);
            return false;
        }
        if (const YamlNode* al = corr->get("aliases")) {
            if (!al->is_map()) {
                ctx.error("sigma.correlation.aliases", "'aliases' must be a map", *al);
                return false;
            }
            for (auto& [ak, av] : al->entries) {
                if (!av.is_map()) {
                    ctx.error("sigma.correlation.aliases",
                              "alias '" + ak.text + "' must map rule names to fields", av);
                    return false;
                }
                for (auto& [rk, rv] : av.entries) c.aliases[ak.text][rk.text] = rv.text;
            }
        }
        r.correlation = std::move(c);
        return !ctx.failed;
    }
    if (filt) {
        r.kind = RuleKind::Filter;
        parse_metadata(doc, ctx, r, false);
        parse_logsource(doc.get("logsource"), ctx, doc, r.logsource);
        if (!filt->is_map()) {
            ctx.error("sigma.filter.type", "'filter' must be a map", *filt);
            return false;
        }
        const YamlNode* rules = filt->get("rules");
        if (!rules) {
            ctx.error("sigma.filter.rules", "the filter has no 'rules'", *filt);
            return false;
        }
        if (rules->is_str()) {
            if (lower(rules->text) == "any")
                r.filter_any = true;
            else
                r.filter_rules.push_back(rules->text);
        } else if (rules->is_seq()) {
            if (!get_string_list(*rules, "rules", ctx, r.filter_rules)) return false;
            if (r.filter_rules.empty()) r.filter_any = true;
        } else {
            ctx.error("sigma.filter.rules", "'rules' must be a list of rule ids or names", *rules);
            return false;
        }
        DetectionBlock b;
        if (!build_detection_block(*filt, ctx, true, b)) return false;
        for (auto& id : b.idents) r.detections.emplace_back(id.name, id.expr);
        r.conditions = b.conditions;
        r.condition_text = b.condition_text;
        return !ctx.failed;
    }
    parse_metadata(doc, ctx, r, false);
    parse_logsource(doc.get("logsource"), ctx, doc, r.logsource);
    if (!det) {
        ctx.error("sigma.detection.missing", "the rule has no 'detection'", doc);
        return false;
    }
    DetectionBlock b;
    if (!build_detection_block(*det, ctx, false, b)) return false;
    for (auto& id : b.idents) r.detections.emplace_back(id.name, id.expr);
    r.conditions = b.conditions;
    r.condition_text = b.condition_text;
    return !ctx.failed;
}

}  // namespace sigil::sigma
