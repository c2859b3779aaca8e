// sigil/pipeline.h — processing pipelines in pySigma's YAML format: loading
// (files, text, built-ins), merging by priority, and applying them to IR rules
// before a back-end converts them; also the query postprocessing and output
// finalizers those pipelines declare.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sigil/ir.h"

namespace re2 {
class RE2;
}

namespace sigil {

struct CompiledItem;  // pipeline/: lookup tables built once at load

// A boolean combination of named conditions (`*_cond_op`, `*_cond_not`, or a
// `*_cond_expr` string). Empty = always true.
struct PipelineConditionSet {
    std::vector<std::pair<std::string, nlohmann::json>> conditions;  // name -> definition
    // Postfix program over condition indexes: >=0 push condition i; -1 and, -2 or, -3 not.
    std::vector<int> program;
    std::vector<std::shared_ptr<const re2::RE2>> regexes;  // per condition, if it has one
    std::vector<std::vector<std::string>> fields;          // include/exclude_fields, plain
    bool empty() const { return conditions.empty(); }
};

// One transformation or postprocessing item with its conditions.
struct PipelineItem {
    std::string id;
    std::string type;
    nlohmann::json params;  // the item's own parameters (type-specific keys)
    PipelineConditionSet rule_conditions, detection_item_conditions, field_name_conditions;
    std::vector<PipelineItem> nested;  // `nest` items
    std::shared_ptr<const CompiledItem> compiled;
    SourceLoc loc;
};

struct Pipeline {
    std::string name;
    int priority = 0;
    std::vector<std::string> allowed_backends;
    nlohmann::json vars = nlohmann::json::object();
    std::vector<PipelineItem> transformations;
    std::vector<PipelineItem> postprocessing;
    std::vector<PipelineItem> finalizers;
    SourceLoc loc;
};
using PipelinePtr = std::shared_ptr<const Pipeline>;

// Parses pipeline YAML. Returns null and appends Error diagnostics
// ("pipeline.*" codes) when the text is not a valid pipeline.
PipelinePtr load_pipeline_text(std::string_view text, const std::string& path, Diagnostics& diags);
PipelinePtr load_pipeline_file(const std::string& path, Diagnostics& diags);

// Built-in pipelines (sysmon, windows-audit, ecs-windows, winlogbeat,
// splunk-windows, splunk-cim, logpoint-windows, ...), compiled into the binary.
std::vector<std::string> builtin_pipeline_names();
PipelinePtr builtin_pipeline(std::string_view name);  // null if unknown

// `-p NAME|FILE`: a built-in name, else a file path.
PipelinePtr resolve_pipeline(const std::string& name_or_path, Diagnostics& diags);

// Several pipelines merged: sorted by ascending priority (stable), vars merged
// (later wins), items concatenated.
struct PipelineChain {
    std::vector<PipelinePtr> pipelines;  // in application order
    nlohmann::json vars = nlohmann::json::object();
    static PipelineChain merge(std::vector<PipelinePtr> user,
                               const std::vector<PipelinePtr>& backend = {});
    bool empty() const { return pipelines.empty(); }
};

// A rule after the pipelines ran: the rewritten IR plus what back-ends need
// besides it (processing state, raw query expressions from
// query_expression_placeholders, failures raised by rule_failure /
// detection_item_failure).
struct ProcessedRule {
    Rule rule;
    nlohmann::json state = nlohmann::json::object();
    std::set<std::string> applied_items;
    // Predicates that stand for raw target text (`{field}`/`{id}` already
    // substituted except `{field}`, which the back-end quotes and fills in).
    std::map<const Pred*, std::string> query_expressions;
    Diagnostics errors;  // non-empty: the rule cannot be converted
};

// Runs the chain's transformations over one rule (PIPE-ORDER: items in order,
// state reset per rule). Never throws; errors land in ProcessedRule::errors.
ProcessedRule apply_pipelines(const Rule& rule, const PipelineChain& chain);

// Postprocessing items of the chain, applied to one converted query.
std::string postprocess_query(const std::string& query, const ProcessedRule& pr,
                              const PipelineChain& chain);

// Finalizers of the chain over all queries; returns false when the chain has
// none (the back-end's own output format applies then).
bool finalize_queries(const std::vector<std::string>& queries, const PipelineChain& chain,
                      std::string& out);

// Sigma string notation (`*`, `?` wildcards; `\*`, `\?`, `\\` escapes; any
// other backslash literal) to a predicate operator and value: a plain text
// becomes Eq, `x*` StartsWith, `*x` EndsWith, `*x*` Contains, anything else
// Glob in canonical escaping. And back.
void sigma_string_to_pred(const std::string& text, Pred& p);
std::string pred_to_sigma_string(const Pred& p);

}  // namespace sigil
