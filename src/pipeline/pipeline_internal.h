// pipeline/pipeline_internal.h — shared pieces of the pipeline module: YAML
// to JSON with locations, the condition-expression compiler, and the list of
// known item types.
#pragma once

#include <libfyaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sigil/pipeline.h"

namespace sigil::pipeline_detail {

// A YAML node as JSON (plain scalars typed like YAML 1.1: null, bool, int,
// float, else string; quoted scalars are strings).
nlohmann::json yaml_to_json(struct fy_node* n);
uint32_t node_line(struct fy_node* n);

// Parameter getters that never throw: a value of another type is read as
// its JSON text (strings) or its truthiness (bools).
inline std::string jstr(const nlohmann::json& j, const std::string& k, const std::string& d) {
    if (!j.is_object()) return d;
    auto it = j.find(k);
    if (it == j.end() || it->is_null()) return d;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "true" : "false";  // YAML 1.1 yes/no/on/off
    return it->dump();
}
inline bool jbool(const nlohmann::json& j, const std::string& k, bool d) {
    if (!j.is_object()) return d;
    auto it = j.find(k);
    if (it == j.end() || it->is_null()) return d;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_string()) return *it == "true" || *it == "yes";
    return d;
}

bool is_rule_transformation(std::string_view type);
bool is_pred_transformation(std::string_view type);
bool is_postprocessing(std::string_view type);
bool is_finalizer(std::string_view type);

// Built-in pipeline YAML texts by name.
const char* builtin_yaml(std::string_view name);

}  // namespace sigil::pipeline_detail

namespace sigil {

// Lookup tables of one item, built at load so applying a pipeline to a
// corpus does not re-read JSON parameters per predicate.
struct CompiledItem {
    std::map<std::string, std::vector<std::string>> mapping;  // field/prefix/string mappings
    bool has_keyword_mapping = false;
    std::vector<std::string> keyword_targets;
    std::shared_ptr<const re2::RE2> regex;  // replace_string / replace
    // Rule conditions of type logsource, by condition index (others: !used),
    // so checking one against a rule compares three strings and reads no JSON.
    struct LogsourceCond {
        bool used = false;
        bool has[3] = {false, false, false};  // category, product, service
        std::string want[3];
    };
    std::vector<LogsourceCond> logsource_conds;
    // Some detection-item or field-name condition of this item asks which
    // items changed a predicate (processing_item_applied).
    bool reads_item_marks = false;
    // This item or one nested in it reads item marks / is a
    // strict_field_mapping_failure (so apply_pipelines checks a chain with
    // one flag per item instead of walking nested items per rule).
    bool tree_reads_item_marks = false, tree_strict_mapping = false;
    // The item types applied per predicate most often, so the per-predicate
    // dispatch compares no type strings; Other = look at PipelineItem::type.
    enum class Kind : uint8_t { Other, FieldNameMapping, FieldNamePrefix, FieldNameSuffix };
    Kind kind = Kind::Other;
    std::string affix;  // field_name_prefix / _suffix: the text added (non-string: empty)
};

}  // namespace sigil
