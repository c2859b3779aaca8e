// sigil/convert.h — `sigil convert`: IR rules to query languages (splunk,
// kibana, es-qs, esdsl, watcher, graylog, logpoint, powershell, grep, sql,
// eql, esql, kql, lucene), after processing pipelines.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sigil/ir.h"
#include "sigil/pipeline.h"

namespace sigil {

struct ConvertOptions {
    std::string target;                          // e.g. "splunk"
    std::string format;                          // empty = the target's default
    std::vector<std::string> pipelines;          // `-p NAME|FILE`, in any order
    bool default_pipelines = true;               // prepend the target's own pipeline
    std::map<std::string, std::string> options;  // target options (`-O key=value`)
};

// The result for one rule: one query per condition, or the errors that kept
// it from converting (each names the rule and the feature).
struct RuleConversion {
    const Rule* rule = nullptr;
    std::vector<std::string> queries;  // already formatted for the output format
    Diagnostics errors;
    bool skipped = false;  // a kind the target does not convert (correlation, filter)
    bool ok() const { return errors.empty() && !skipped; }
};

class Target;  // one back-end (src/convert/)

class Converter {
  public:
    // Returns null and appends diagnostics on an unknown target, format,
    // option or a pipeline that does not load.
    static std::unique_ptr<Converter> create(const ConvertOptions& opts, Diagnostics& diags);
    ~Converter();

    RuleConversion convert(const Rule& rule) const;
    // The whole output for the given results (format framing, finalizers).
    std::string finalize(const std::vector<RuleConversion>& results) const;

    const std::string& format() const { return format_; }

  private:
    Converter() = default;
    std::unique_ptr<Target> target_;
    PipelineChain chain_;
    std::string format_;
    std::map<std::string, std::string> options_;
};

// Known targets, and the output formats of one (first = default).
std::vector<std::string> convert_targets();
std::vector<std::string> convert_formats(const std::string& target);

}  // namespace sigil
