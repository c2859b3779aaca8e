// pipeline/postprocess.cpp — query postprocessing (embed, simple_template,
// replace, json, nest) and output finalizers (concat, json) of a chain.
#include <re2/re2.h>

#include "pipeline/pipeline_internal.h"

namespace sigil {
using pipeline_detail::jbool;
using pipeline_detail::jstr;

namespace {

std::string json_escape_inner(const std::string& s) {
    std::string q = nlohmann::json(s).dump();
    return q.substr(1, q.size() - 2);
}

/* simple_template follows Python str.format for the names pySigma passes:
 * {query}, {rule.<attribute>}, {pipeline.state[key]} and {pipeline.vars[key]};
 * `{{` and `}}` are literal braces. Unknown names are kept as written.
 */
std::string format_template(const std::string& tpl, const std::string& query,
                            const ProcessedRule& pr, const nlohmann::json& vars) {
    const Rule& r = pr.rule;
    auto lookup = [&](const std::string& name, bool& ok) -> std::string {
        ok = true;
        if (name == "query") return query;
        auto item = [&](const std::string& prefix, const nlohmann::json& obj) -> std::string {
            std::string key = name.substr(prefix.size(), name.size() - prefix.size() - 1);
            if (!obj.contains(key)) {
                ok = false;
                return {};
            }
            const auto& v = obj[key];
            return v.is_string() ? v.get<std::string>() : v.dump();
        };
        if (name.rfind("pipeline.state[", 0) == 0 && name.back() == ']')
            return item("pipeline.state[", pr.state);
        if (name.rfind("pipeline.vars[", 0) == 0 && name.back() == ']')
            return item("pipeline.vars[", vars);
        if (name == "rule.title") return r.title;
        if (name == "rule.id") return r.id;
        if (name == "rule.name") return r.name;
        if (name == "rule.level") return r.level;
        if (name == "rule.status") return r.status;
        if (name == "rule.description") return r.description;
        if (name == "rule.author") return r.author;
        if (name == "rule.date") return r.date;
        if (name == "rule.logsource.category") return r.logsource.category;
        if (name == "rule.logsource.product") return r.logsource.product;
        if (name == "rule.logsource.service") return r.logsource.service;
        ok = false;
        return {};
    };
    std::string out;
    for (size_t i = 0; i < tpl.size(); ++i) {
        char c = tpl[i];
        if (c == '{' && i + 1 < tpl.size() && tpl[i + 1] == '{') {
            out += '{';
            ++i;
        } else if (c == '}' && i + 1 < tpl.size() && tpl[i + 1] == '}') {
            out += '}';
            ++i;
        } else if (c == '{') {
            size_t j = tpl.find('}', i);
            if (j == std::string::npos) {
                out += c;
                continue;
            }
            std::string name = tpl.substr(i + 1, j - i - 1);
            bool ok;
            std::string v = lookup(name, ok);
            out += ok ? v : "{" + name + "}";
            i = j;
        } else {
            out += c;
        }
    }
    return out;
}

bool rule_ok(const PipelineItem& it, const ProcessedRule& pr) {
    // postprocessing items may carry rule conditions (logsource, tag, ...)
    if (it.rule_conditions.empty()) return true;
    ProcessedRule copy;
    copy.rule.logsource = pr.rule.logsource;
    copy.rule.tags = pr.rule.tags;
    bool st[64];
    int sp = 0;
    for (int op : it.rule_conditions.program) {
        if (op >= 0) {
            const auto& def = it.rule_conditions.conditions[size_t(op)].second;
            std::string t = jstr(def, "type", "");
            bool v = false;
            if (t == "logsource") {
                v = true;
                const LogSource& ls = pr.rule.logsource;
                for (auto [k, have] :
                     {std::pair<const char*, const std::string*>{"category", &ls.category},
                      {"product", &ls.product},
                      {"service", &ls.service}})
                    if (def.contains(k) && def[k].is_string() && def[k].get<std::string>() != *have)
                        v = false;
            } else if (t == "tag") {
                for (auto& tg : pr.rule.tags) v |= tg == jstr(def, "tag", "");
            } else if (t == "processing_item_applied") {
                v = pr.applied_items.count(jstr(def, "processing_item_id", ""));
            } else if (t == "is_sigma_rule") {
                v = pr.rule.kind == RuleKind::Detection;
            }
            if (sp < 64) st[sp++] = v;
        } else if (op == -3) {
            if (sp) st[sp - 1] = !st[sp - 1];
        } else if (sp >= 2) {
            bool b = st[--sp], a = st[--sp];
            st[sp++] = op == -1 ? a && b : a || b;
        }
    }
    return sp ? st[sp - 1] : true;
}

std::string run_post(const PipelineItem& it, std::string q, const ProcessedRule& pr,
                     const PipelineChain& chain) {
    if (!rule_ok(it, pr)) return q;
    const auto& p = it.params;
    auto str = [&](const char* k) {
        return p.contains(k) && p[k].is_string() ? p[k].get<std::string>() : std::string();
    };
    if (it.type == "embed") return str("prefix") + q + str("suffix");
    if (it.type == "simple_template") return format_template(str("template"), q, pr, chain.vars);
    if (it.type == "replace") {
        if (it.compiled && it.compiled->regex) {
            std::string r = str("replacement");
            RE2::GlobalReplace(&q, *it.compiled->regex, r);
        }
        return q;
    }
    if (it.type == "json") {
        std::string t = str("json_template");
        std::string esc = json_escape_inner(q);
        size_t pos;
        while ((pos = t.find("%QUERY%")) != std::string::npos) t.replace(pos, 7, esc);
        return t;
    }
    if (it.type == "nest") {
        for (auto& n : it.nested) q = run_post(n, q, pr, chain);
        return q;
    }
    return q;
}

}  // namespace

std::string postprocess_query(const std::string& query, const ProcessedRule& pr,
                              const PipelineChain& chain) {
    std::string q = query;
    for (auto& p : chain.pipelines)
        for (auto& it : p->postprocessing) q = run_post(it, q, pr, chain);
    return q;
}

bool finalize_queries(const std::vector<std::string>& queries, const PipelineChain& chain,
                      std::string& out) {
    bool any = false;
    for (auto& p : chain.pipelines) any |= !p->finalizers.empty();
    if (!any) return false;  // (before copying every query of the output)
    std::vector<std::string> cur = queries;
    for (auto& p : chain.pipelines)
        for (auto& it : p->finalizers) {
            any = true;
            const auto& prm = it.params;
            if (it.type == "concat") {
                std::string sep = prm.contains("separator") && prm["separator"].is_string()
                                      ? prm["separator"].get<std::string>()
                                      : "\n";
                std::string s = jstr(prm, "prefix", "");
                for (size_t i = 0; i < cur.size(); ++i) s += (i ? sep : "") + cur[i];
                s += jstr(prm, "suffix", "");
                cur = {s};
            } else if (it.type == "json") {
                nlohmann::json a = nlohmann::json::array();
                for (auto& q : cur) {
                    auto parsed = nlohmann::json::parse(q, nullptr, false);
                    a.push_back(parsed.is_discarded() ? nlohmann::json(q) : parsed);
                }
                int indent = prm.contains("indent") && prm["indent"].is_number_integer()
                                 ? prm["indent"].get<int>()
                                 : -1;
                cur = {a.dump(indent)};
            }
        }
    out.clear();
    for (auto& s : cur) out += s + "\n";
    return true;
}

}  // namespace sigil
