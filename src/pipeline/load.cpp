// pipeline/load.cpp — reads pySigma processing-pipeline YAML (libfyaml) into
// Pipeline values: top-level keys, transformation / postprocessing /
// finalizer items with their parameters, and the three condition sets of
// each item compiled to small postfix programs. Also resolution of `-p`
// names, built-ins and priority merging.
#include <re2/re2.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "pipeline/pipeline_internal.h"
#include "sigil/yaml.h"

namespace sigil {
namespace pipeline_detail {

// Line of a node: its scalar token, or the first scalar inside it (this
// libfyaml has no start mark for collections).
uint32_t node_line(fy_node* n) {
    for (int depth = 0; n && depth < 16; ++depth) {
        switch (fy_node_get_type(n)) {
            case FYNT_SCALAR: {
                fy_token* t = fy_node_get_scalar_token(n);
                const fy_mark* m = t ? fy_token_start_mark(t) : nullptr;
                return m ? uint32_t(m->line + 1) : 0;
            }
            case FYNT_SEQUENCE: {
                void* it = nullptr;
                n = fy_node_sequence_iterate(n, &it);
                break;
            }
            case FYNT_MAPPING: {
                void* it = nullptr;
                fy_node_pair* p = fy_node_mapping_iterate(n, &it);
                n = p ? fy_node_pair_key(p) : nullptr;
                break;
            }
        }
    }
    return 0;
}

/* Plain scalars are typed as YAML 1.1 resolves them (what PyYAML, and so
 * pySigma, does): ~/null/empty → null, yes/no/true/false/on/off → bool,
 * decimal / 0x / 0o integers, decimal floats; anything quoted is a string.
 */
static nlohmann::json scalar(fy_node* n) {
    size_t len = 0;
    const char* s = fy_node_get_scalar(n, &len);
    std::string v(s ? s : "", len);
    if (fy_node_get_style(n) != FYNS_PLAIN) return v;
    std::string l = v;
    for (auto& c : l) c = char(std::tolower((unsigned char)c));
    if (l.empty() || l == "~" || l == "null") return nullptr;
    if (l == "true" || l == "yes" || l == "on") return true;
    if (l == "false" || l == "no" || l == "off") return false;
    static const RE2 int_re("[-+]?(0|[1-9][0-9_]*)");
    static const RE2 hex_re("0x[0-9a-fA-F_]+");
    static const RE2 float_re("[-+]?([0-9][0-9_]*)?\\.[0-9]+([eE][-+]?[0-9]+)?");
    if (RE2::FullMatch(v, int_re)) {
        std::string t;
        for (char c : v)
            if (c != '_') t += c;
        try {
            return std::stoll(t);
        } catch (...) {
            return v;
        }
    }
    if (RE2::FullMatch(v, hex_re)) return std::stoll(v.substr(2), nullptr, 16);
    if (RE2::FullMatch(v, float_re)) return std::stod(v);
    return v;
}

nlohmann::json yaml_to_json(fy_node* n) {
    if (!n) return nullptr;
    switch (fy_node_get_type(n)) {
        case FYNT_SCALAR:
            return scalar(n);
        case FYNT_SEQUENCE: {
            nlohmann::json a = nlohmann::json::array();
            void* it = nullptr;
            while (fy_node* k = fy_node_sequence_iterate(n, &it)) a.push_back(yaml_to_json(k));
            return a;
        }
        case FYNT_MAPPING: {
            nlohmann::json o = nlohmann::json::object();
            void* it = nullptr;
            while (fy_node_pair* p = fy_node_mapping_iterate(n, &it)) {
                nlohmann::json k = yaml_to_json(fy_node_pair_key(p));
                std::string key = k.is_string() ? k.get<std::string>()
                                  : k.is_null() ? std::string("null")
                                                : k.dump();
                o[key] = yaml_to_json(fy_node_pair_value(p));
            }
            return o;
        }
    }
    return nullptr;
}

static const std::map<std::string, std::set<std::string>>& transformation_params() {
    static const std::map<std::string, std::set<std::string>> m = {
        {"field_name_mapping", {"mapping"}},
        {"field_name_prefix_mapping", {"mapping"}},
        {"field_name_prefix", {"prefix"}},
        {"field_name_suffix", {"suffix"}},
        {"drop_detection_item", {}},
        {"wildcard_placeholders", {"include", "exclude"}},
        {"value_placeholders", {"include", "exclude"}},
        {"query_expression_placeholders", {"expression", "mapping", "include", "exclude"}},
        {"add_condition", {"conditions", "name", "template", "negated"}},
        {"change_logsource", {"category", "product", "service"}},
        {"add_field", {"field"}},
        {"remove_field", {"field"}},
        {"set_field", {"fields"}},
        {"replace_string", {"regex", "replacement", "skip_special", "interpret_special"}},
        {"map_string", {"mapping"}},
        {"set_state", {"key", "val"}},
        {"set_value", {"value", "force_type"}},
        {"convert_type", {"target_type"}},
        {"rule_failure", {"message"}},
        {"detection_item_failure", {"message"}},
        {"strict_field_mapping_failure", {}},
        {"set_custom_attribute", {"attribute", "value"}},
        {"nest", {"items"}},
        {"case", {"method"}},
    };
    return m;
}

bool is_rule_transformation(std::string_view t) {
    return t == "add_condition" || t == "change_logsource" || t == "add_field" ||
           t == "remove_field" || t == "set_field" || t == "set_state" || t == "rule_failure" ||
           t == "strict_field_mapping_failure" || t == "set_custom_attribute" || t == "nest";
}
bool is_pred_transformation(std::string_view t) {
    return transformation_params().count(std::string(t)) && !is_rule_transformation(t);
}
bool is_postprocessing(std::string_view t) {
    return t == "embed" || t == "simple_template" || t == "replace" || t == "json" || t == "nest";
}
bool is_finalizer(std::string_view t) {
    return t == "concat" || t == "json";
}

}  // namespace pipeline_detail

using namespace pipeline_detail;

namespace {

struct Loader {
    std::string path;
    std::shared_ptr<const std::string> file;
    Diagnostics& diags;
    bool ok = true;

    void error(const std::string& code, const std::string& msg, uint32_t line) {
        Diagnostic d;
        d.code = code;
        d.message = msg;
        d.loc.file = file;
        d.loc.line = line;
        d.loc.col = line ? 1 : 0;
        diags.push_back(d);
        ok = false;
    }

    /* Condition expressions (`*_cond_expr`): `and`, `or`, `not`, parentheses
     * and condition names, with not > and > or. Recursive descent straight
     * into a postfix program, so evaluation is a stack loop.
     */
    struct ExprParser {
        std::vector<std::string> toks;
        size_t i = 0;
        const std::vector<std::pair<std::string, nlohmann::json>>* named;
        std::vector<int>* prog;
        std::set<std::string> used;
        std::string err;
        bool or_expr() {
            if (!and_expr()) return false;
            while (i < toks.size() && toks[i] == "or") {
                ++i;
                if (!and_expr()) return false;
                prog->push_back(-2);
            }
            return true;
        }
        bool and_expr() {
            if (!not_expr()) return false;
            while (i < toks.size() && toks[i] == "and") {
                ++i;
                if (!not_expr()) return false;
                prog->push_back(-1);
            }
            return true;
        }
        bool not_expr() {
            if (i >= toks.size()) {
                err = "unexpected end of condition expression";
                return false;
            }
            if (toks[i] == "not") {
                ++i;
                if (!not_expr()) return false;
                prog->push_back(-3);
                return true;
            }
            if (toks[i] == "(") {
                ++i;
                if (!or_expr()) return false;
                if (i >= toks.size() || toks[i] != ")") {
                    err = "missing ')' in condition expression";
                    return false;
                }
                ++i;
                return true;
            }
            for (size_t k = 0; k < named->size(); ++k)
                if ((*named)[k].first == toks[i]) {
                    prog->push_back(int(k));
                    used.insert(toks[i]);
                    ++i;
                    return true;
                }
            err = "unknown condition '" + toks[i] + "' in condition expression";
            return false;
        }
    };

    void compile_conditions(const nlohmann::json& item, const std::string& prefix,
                            const std::string& kind_key, PipelineConditionSet& cs,
                            const std::set<std::string>& allowed, uint32_t line) {
        std::string conds_key = prefix + "_conditions";
        if (!item.contains(conds_key)) {
            for (auto* k : {"_cond_op", "_cond_not", "_cond_expr"})
                if (item.contains(prefix + k))
                    error("pipeline.condition.orphan", prefix + k + " without " + conds_key, line);
            return;
        }
        const auto& c = item[conds_key];
        bool has_expr = item.contains(prefix + "_cond_expr");
        if (c.is_array()) {
            if (has_expr) {
                error("pipeline.condition.expr_list",
                      prefix + "_cond_expr needs named conditions (a map)", line);
                return;
            }
            for (size_t k = 0; k < c.size(); ++k)
                cs.conditions.push_back({std::to_string(k), c[k]});
        } else if (c.is_object()) {
            for (auto it = c.begin(); it != c.end(); ++it)
                cs.conditions.push_back({it.key(), it.value()});
        } else {
            error("pipeline.condition.type", conds_key + " must be a list or a map", line);
            return;
        }
        for (auto& [n, def] : cs.conditions) {
            std::shared_ptr<const re2::RE2> re;
            std::vector<std::string> fields;
            if (!def.is_object() || !def.contains("type") || !def["type"].is_string()) {
                error("pipeline.condition.type", "condition '" + n + "' has no type", line);
                continue;
            }
            std::string t = def["type"];
            if (!allowed.count(t)) {
                error("pipeline.condition.unknown",
                      "unknown " + kind_key + " condition type '" + t + "'", line);
                continue;
            }
            if (t == "match_string") {
                std::string pat = jstr(def, "pattern", "");
                auto r = std::make_shared<re2::RE2>("^(?:" + pat + ")", RE2::Quiet);
                if (!r->ok()) error("pipeline.condition.regex", "bad pattern '" + pat + "'", line);
                re = r;
            }
            if (t == "include_fields" || t == "exclude_fields") {
                bool re_mode = jstr(def, "mode", "plain") == "re";
                std::string alt;
                if (def.contains("fields") && def["fields"].is_array())
                    for (auto& f : def["fields"])
                        if (f.is_string()) {
                            fields.push_back(f.get<std::string>());
                            if (!alt.empty()) alt += '|';
                            alt += "(?:" + f.get<std::string>() + ")";
                        }
                if (re_mode) {
                    auto r = std::make_shared<re2::RE2>("^(?:" + alt + ")", RE2::Quiet);
                    if (!r->ok()) error("pipeline.condition.regex", "bad field pattern", line);
                    re = r;
                }
            }
            cs.regexes.push_back(re);
            cs.fields.push_back(std::move(fields));
        }
        if (has_expr) {
            if (item.contains(prefix + "_cond_op")) {
                error("pipeline.condition.expr_op",
                      prefix + "_cond_expr and " + prefix + "_cond_op exclude each other", line);
                return;
            }
            std::string text = item[prefix + "_cond_expr"].is_string()
                                   ? item[prefix + "_cond_expr"].get<std::string>()
                                   : "";
            ExprParser p;
            for (size_t k = 0; k < text.size();) {
                char ch = text[k];
                if (std::isspace((unsigned char)ch)) {
                    ++k;
                } else if (ch == '(' || ch == ')') {
                    p.toks.push_back(std::string(1, ch));
                    ++k;
                } else {
                    size_t j = k;
                    while (j < text.size() && !std::isspace((unsigned char)text[j]) &&
                           text[j] != '(' && text[j] != ')')
                        ++j;
                    p.toks.push_back(text.substr(k, j - k));
                    k = j;
                }
            }
            p.named = &cs.conditions;
            p.prog = &cs.program;
            if (!p.or_expr() || p.i != p.toks.size()) {
                error("pipeline.condition.expr",
                      p.err.empty() ? "bad condition expression '" + text + "'" : p.err, line);
                return;
            }
            for (auto& [n, def] : cs.conditions)
                if (!p.used.count(n))
                    error("pipeline.condition.unused",
                          "condition '" + n + "' is not used in " + prefix + "_cond_expr", line);
        } else {
            std::string op = jstr(item, prefix + "_cond_op", "and");
            if (op != "and" && op != "or") {
                error("pipeline.condition.op", prefix + "_cond_op must be and|or", line);
                return;
            }
            for (size_t k = 0; k < cs.conditions.size(); ++k) {
                cs.program.push_back(int(k));
                if (k) cs.program.push_back(op == "and" ? -1 : -2);
            }
        }
        if (jbool(item, prefix + "_cond_not", false)) cs.program.push_back(-3);
    }

    bool item(const nlohmann::json& j, uint32_t line, const std::string& section,
              PipelineItem& it) {
        if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
            error("pipeline.item.type", section + " item without a type", line);
            return false;
        }
        it.type = j["type"];
        it.loc.file = file;
        it.loc.line = line;
        it.loc.col = 1;
        if (j.contains("id") && j["id"].is_string()) it.id = j["id"];
        static const std::set<std::string> common = {"type",
                                                     "id",
                                                     "rule_conditions",
                                                     "rule_cond_op",
                                                     "rule_cond_not",
                                                     "rule_cond_expr",
                                                     "detection_item_conditions",
                                                     "detection_item_cond_op",
                                                     "detection_item_cond_not",
                                                     "detection_item_cond_expr",
                                                     "field_name_conditions",
                                                     "field_name_cond_op",
                                                     "field_name_cond_not",
                                                     "field_name_cond_expr"};
        std::set<std::string> params;
        if (section == "transformations") {
            auto& tp = transformation_params();
            auto f = tp.find(it.type);
            if (f == tp.end()) {
                static const std::set<std::string> known_unsupported = {"field_name_transform",
                                                                        "hashes_fields",
                                                                        "extract_fields",
                                                                        "file_placeholders",
                                                                        "http_placeholders",
                                                                        "command_placeholders",
                                                                        "regex"};
                error(known_unsupported.count(it.type) ? "pipeline.item.unsupported"
                                                       : "pipeline.item.unknown",
                      (known_unsupported.count(it.type) ? "unsupported" : "unknown") +
                          std::string(" transformation type '") + it.type + "'",
                      line);
                return false;
            }
            params = f->second;
        } else if (section == "postprocessing") {
            static const std::map<std::string, std::set<std::string>> pp = {
                {"embed", {"prefix", "suffix"}},
                {"simple_template", {"template"}},
                {"replace", {"pattern", "replacement"}},
                {"json", {"json_template"}},
                {"nest", {"items"}}};
            auto f = pp.find(it.type);
            if (f == pp.end()) {
                error("pipeline.item.unknown",
                      "unknown or unsupported postprocessing type '" + it.type + "'", line);
                return false;
            }
            params = f->second;
        } else {
            static const std::map<std::string, std::set<std::string>> fin = {
                {"concat", {"separator", "prefix", "suffix"}}, {"json", {"indent"}}};
            auto f = fin.find(it.type);
            if (f == fin.end()) {
                error("pipeline.item.unknown",
                      "unknown or unsupported finalizer type '" + it.type + "'", line);
                return false;
            }
            params = f->second;
        }
        it.params = nlohmann::json::object();
        for (auto p = j.begin(); p != j.end(); ++p) {
            if (common.count(p.key())) continue;
            if (!params.count(p.key())) {
                error("pipeline.item.param", "unknown parameter '" + p.key() + "' for " + it.type,
                      line);
                continue;
            }
            it.params[p.key()] = p.value();
        }
        static const std::set<std::string> rule_c = {"logsource",
                                                     "contains_detection_item",
                                                     "contains_field",
                                                     "processing_item_applied",
                                                     "processing_state",
                                                     "is_sigma_rule",
                                                     "is_sigma_correlation_rule",
                                                     "rule_attribute",
                                                     "tag"};
        static const std::set<std::string> det_c = {"match_string",
                                                    "match_value",
                                                    "contains_wildcard",
                                                    "is_null",
                                                    "processing_item_applied",
                                                    "processing_state"};
        static const std::set<std::string> field_c = {
            "include_fields", "exclude_fields", "processing_item_applied", "processing_state"};
        compile_conditions(j, "rule", "rule", it.rule_conditions, rule_c, line);
        compile_conditions(j, "detection_item", "detection item", it.detection_item_conditions,
                           det_c, line);
        compile_conditions(j, "field_name", "field name", it.field_name_conditions, field_c, line);
        // required parameters
        auto need = [&](const char* k) {
            if (!it.params.contains(k)) {
                error("pipeline.item.param", it.type + " needs '" + k + "'", line);
                return false;
            }
            return true;
        };
        auto c = std::make_shared<CompiledItem>();
        c->logsource_conds.resize(it.rule_conditions.conditions.size());
        for (size_t i = 0; i < it.rule_conditions.conditions.size(); ++i) {
            const nlohmann::json& def = it.rule_conditions.conditions[i].second;
            if (!def.is_object() || jstr(def, "type", "") != "logsource") continue;
            auto& lc = c->logsource_conds[i];
            lc.used = true;
            const char* keys[3] = {"category", "product", "service"};
            for (int k = 0; k < 3; ++k) {
                auto f = def.find(keys[k]);
                if (f == def.end() || f->is_null()) continue;
                lc.has[k] = true;
                lc.want[k] = f->is_string() ? f->get<std::string>() : f->dump();
            }
        }
        for (auto* cs : {&it.detection_item_conditions, &it.field_name_conditions})
            for (auto& [name, def] : cs->conditions)
                if (def.is_object() && jstr(def, "type", "") == "processing_item_applied")
                    c->reads_item_marks = true;
        if (section == "transformations") {
            if (it.type == "field_name_mapping" || it.type == "field_name_prefix_mapping" ||
                it.type == "map_string") {
                if (need("mapping")) {
                    const auto& m = it.params["mapping"];
                    if (!m.is_object()) {
                        error("pipeline.item.param", it.type + " mapping must be a map", line);
                    } else {
                        for (auto e = m.begin(); e != m.end(); ++e) {
                            std::vector<std::string> dst;
                            auto add = [&](const nlohmann::json& v) {
                                if (v.is_string())
                                    dst.push_back(v.get<std::string>());
                                else if (v.is_number() || v.is_boolean())
                                    dst.push_back(v.dump());
                            };
                            if (e.value().is_array())
                                for (auto& v : e.value()) add(v);
                            else
                                add(e.value());
                            if (it.type == "field_name_mapping" && e.key() == "null") {
                                c->has_keyword_mapping = true;
                                c->keyword_targets = dst;
                            } else {
                                c->mapping[e.key()] = dst;
                            }
                        }
                    }
                }
            } else if (it.type == "field_name_prefix") {
                need("prefix");
            } else if (it.type == "field_name_suffix") {
                need("suffix");
            } else if (it.type == "add_condition") {
                if (need("conditions") && !it.params["conditions"].is_object())
                    error("pipeline.item.param", "add_condition conditions must be a map", line);
            } else if (it.type == "replace_string") {
                if (need("regex") && need("replacement")) {
                    auto r = std::make_shared<re2::RE2>(jstr(it.params, "regex", ""), RE2::Quiet);
                    if (!r->ok()) error("pipeline.item.regex", "bad regex in replace_string", line);
                    c->regex = r;
                }
            } else if (it.type == "set_field") {
                need("fields");
            } else if (it.type == "add_field" || it.type == "remove_field") {
                need("field");
            } else if (it.type == "set_custom_attribute") {
                if (need("attribute")) need("value");
            } else if (it.type == "set_state") {
                need("key");
                if (!it.params.contains("val")) {
                    error("pipeline.item.param", "set_state needs 'val' (not 'value')", line);
                }
            } else if (it.type == "rule_failure" || it.type == "detection_item_failure") {
                need("message");
            } else if (it.type == "set_value") {
                need("value");
            } else if (it.type == "convert_type") {
                if (need("target_type")) {
                    std::string t = it.params["target_type"].is_string()
                                        ? it.params["target_type"].get<std::string>()
                                        : "";
                    if (t != "str" && t != "num")
                        error("pipeline.item.param", "convert_type target_type must be str|num",
                              line);
                }
            } else if (it.type == "case") {
                std::string m = jstr(it.params, "method", "lower");
                if (m != "lower" && m != "upper" && m != "snake_case")
                    error("pipeline.item.param", "case method must be lower|upper|snake_case",
                          line);
            } else if (it.type == "query_expression_placeholders") {
                need("expression");
            } else if (it.type == "nest") {
                if (need("items") && it.params["items"].is_array()) {
                    for (auto& sub : it.params["items"]) {
                        PipelineItem n;
                        if (item(sub, line, "transformations", n))
                            it.nested.push_back(std::move(n));
                    }
                }
            }
            if ((it.type == "value_placeholders" || it.type == "wildcard_placeholders" ||
                 it.type == "query_expression_placeholders") &&
                it.params.contains("include") && it.params.contains("exclude"))
                error("pipeline.item.param", "include and exclude exclude each other", line);
        } else if (section == "postprocessing") {
            if (it.type == "replace" && need("pattern") && need("replacement")) {
                auto r = std::make_shared<re2::RE2>(jstr(it.params, "pattern", ""), RE2::Quiet);
                if (!r->ok()) error("pipeline.item.regex", "bad pattern in replace", line);
                c->regex = r;
            }
            if (it.type == "simple_template") need("template");
            if (it.type == "json") need("json_template");
            if (it.type == "nest" && need("items") && it.params["items"].is_array())
                for (auto& sub : it.params["items"]) {
                    PipelineItem n;
                    if (item(sub, line, "postprocessing", n)) it.nested.push_back(std::move(n));
                }
        }
        c->tree_reads_item_marks = c->reads_item_marks;
        c->tree_strict_mapping = it.type == "strict_field_mapping_failure";
        for (auto& n : it.nested)
            if (n.compiled) {
                c->tree_reads_item_marks |= n.compiled->tree_reads_item_marks;
                c->tree_strict_mapping |= n.compiled->tree_strict_mapping;
            }
        using K = CompiledItem::Kind;
        if (it.type == "field_name_mapping") c->kind = K::FieldNameMapping;
        if (it.type == "field_name_prefix" || it.type == "field_name_suffix") {
            c->kind = it.type == "field_name_prefix" ? K::FieldNamePrefix : K::FieldNameSuffix;
            const char* k = c->kind == K::FieldNamePrefix ? "prefix" : "suffix";
            auto a = it.params.find(k);
            if (a != it.params.end() && a->is_string()) c->affix = a->get<std::string>();
        }
        it.compiled = c;
        return true;
    }
};

}  // namespace

PipelinePtr load_pipeline_text(std::string_view text, const std::string& path, Diagnostics& diags) {
    Loader L{path, std::make_shared<const std::string>(path), diags};
    // Bytes that are not UTF-8, and control characters, are refused before
    // libfyaml sees the text: it hangs or crashes on some (found by
    // fuzz/pipeline_yaml; yaml_unprintable says why).
    if (auto bad = yaml_unprintable(text)) {
        L.error("pipeline.yaml.encoding",
                bad.what() + ": pipeline files must be printable UTF-8 text (YAML 1.2)", bad.line);
        return nullptr;
    }
    fy_parse_cfg cfg{};
    cfg.flags = FYPCF_QUIET;
    fy_document* doc = fy_document_build_from_string(&cfg, text.data(), text.size());
    if (!doc) {
        L.error("pipeline.yaml.syntax", "not valid YAML", 0);
        return nullptr;
    }
    auto p = std::make_shared<Pipeline>();
    p->loc.file = L.file;
    fy_node* root = fy_document_root(doc);
    if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
        L.error("pipeline.yaml.root", "a pipeline must be a YAML map", 0);
        fy_document_destroy(doc);
        return nullptr;
    }
    void* iter = nullptr;
    while (fy_node_pair* pair = fy_node_mapping_iterate(root, &iter)) {
        nlohmann::json kj = yaml_to_json(fy_node_pair_key(pair));
        std::string key = kj.is_string() ? kj.get<std::string>() : kj.dump();
        fy_node* v = fy_node_pair_value(pair);
        uint32_t line = node_line(fy_node_pair_key(pair));
        if (key == "name") {
            auto j = yaml_to_json(v);
            p->name = j.is_string() ? j.get<std::string>() : j.dump();
        } else if (key == "priority") {
            auto j = yaml_to_json(v);
            if (!j.is_number_integer())
                L.error("pipeline.priority", "priority must be an integer", line);
            else
                p->priority = j.get<int>();
        } else if (key == "allowed_backends") {
            auto j = yaml_to_json(v);
            if (j.is_array())
                for (auto& b : j)
                    if (b.is_string()) p->allowed_backends.push_back(b);
        } else if (key == "vars") {
            auto j = yaml_to_json(v);
            if (!j.is_object() && !j.is_null())
                L.error("pipeline.vars", "vars must be a map", line);
            else if (j.is_object())
                p->vars = j;
        } else if (key == "transformations" || key == "postprocessing" || key == "finalizers") {
            if (!v || fy_node_get_type(v) == FYNT_SCALAR) {
                if (!yaml_to_json(v).is_null())
                    L.error("pipeline.section", key + " must be a list", line);
                continue;
            }
            if (fy_node_get_type(v) != FYNT_SEQUENCE) {
                L.error("pipeline.section", key + " must be a list", line);
                continue;
            }
            void* it2 = nullptr;
            while (fy_node* in = fy_node_sequence_iterate(v, &it2)) {
                PipelineItem item;
                if (!L.item(yaml_to_json(in), node_line(in), key, item)) continue;
                auto& dst = key == "transformations"  ? p->transformations
                            : key == "postprocessing" ? p->postprocessing
                                                      : p->finalizers;
                dst.push_back(std::move(item));
            }
        } else {
            L.error("pipeline.key.unknown", "unknown top-level pipeline key '" + key + "'", line);
        }
    }
    fy_document_destroy(doc);
    if (!L.ok) return nullptr;
    if (p->name.empty()) p->name = path;
    return p;
}

PipelinePtr load_pipeline_file(const std::string& path, Diagnostics& diags) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        Diagnostic d;
        d.code = "pipeline.file.unreadable";
        d.message = "cannot read pipeline file " + path;
        d.loc.file = std::make_shared<const std::string>(path);
        diags.push_back(d);
        return nullptr;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    return load_pipeline_text(ss.str(), path, diags);
}

PipelinePtr builtin_pipeline(std::string_view name) {
    static std::map<std::string, PipelinePtr, std::less<>> cache;
    std::string n(name);
    for (auto& c : n)
        if (c == '_') c = '-';
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
    const char* y = builtin_yaml(n);
    if (!y) return nullptr;
    Diagnostics d;
    auto p = load_pipeline_text(y, "<builtin:" + n + ">", d);
    cache[n] = p;
    return p;
}

PipelinePtr resolve_pipeline(const std::string& n, Diagnostics& diags) {
    if (auto p = builtin_pipeline(n)) return p;
    std::ifstream probe(n);
    if (!probe) {
        Diagnostic d;
        d.code = "pipeline.unknown";
        std::string names;
        for (auto& b : builtin_pipeline_names()) names += (names.empty() ? "" : ", ") + b;
        d.message = "no built-in pipeline or file named '" + n + "' (built-ins: " + names + ")";
        diags.push_back(d);
        return nullptr;
    }
    return load_pipeline_file(n, diags);
}

PipelineChain PipelineChain::merge(std::vector<PipelinePtr> user,
                                   const std::vector<PipelinePtr>& backend) {
    // The target's own pipelines join the user's unless the user named the
    // same pipeline; all are ordered by priority (stable), as the resolver does.
    std::vector<PipelinePtr> all;
    for (auto& b : backend) {
        bool dup = false;
        for (auto& u : user) dup |= u == b || u->name == b->name;
        if (!dup) all.push_back(b);
    }
    for (auto& u : user) all.push_back(u);
    std::stable_sort(all.begin(), all.end(), [](const PipelinePtr& a, const PipelinePtr& b) {
        return a->priority < b->priority;
    });
    PipelineChain c;
    c.pipelines = all;
    for (auto& p : all)
        for (auto it = p->vars.begin(); it != p->vars.end(); ++it) c.vars[it.key()] = it.value();
    return c;
}

}  // namespace sigil
