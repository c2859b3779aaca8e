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
    const std::string& target() const { return target_name_; }

  private:
    friend class ConverterSet;
    Converter() = default;
    // What convert() does around the pipeline run: the rule checks (false:
    // rc is final), and the target's rendering of a processed rule.
    bool precheck(const Rule& rule, RuleConversion& rc) const;
    void convert_processed(const Rule& rule, const ProcessedRule& pr, RuleConversion& rc) const;
    std::string target_name_;
    bool has_postprocessing_ = false;  // some pipeline of the chain has postprocessing items
    bool has_finalizers_ = false;      // ... finalizers
    std::unique_ptr<Target> target_;
    PipelineChain chain_;
    std::string format_;
    std::map<std::string, std::string> options_;
};

/* Several targets converting the same rules (`sigil convert` to many
 * targets, the catalog's translations, the corpus benchmark). Targets whose
 * pipeline chains are the same (the same pipelines in the same order, the
 * same vars) share one pipeline run per rule: the processed rule is built
 * once per chain and rendered by each of the chain's targets. Five targets
 * use ecs-windows, two winlogbeat and seven none, so a rule goes through five
 * pipeline runs instead of sixteen. Results equal those of one Converter per
 * target, byte for byte. The set holds no per-rule state (a const set may
 * convert from several threads, like a Converter). */
class ConverterSet {
  public:
    // Null with diagnostics when any target's options are invalid (as
    // Converter::create).
    static std::unique_ptr<ConverterSet> create(const std::vector<ConvertOptions>& opts,
                                                Diagnostics& diags);
    ~ConverterSet();

    size_t size() const { return converters_.size(); }
    const Converter& converter(size_t i) const { return *converters_[i]; }
    size_t chain_count() const { return groups_.size(); }

    // One result per target, in the order of the options given to create().
    std::vector<RuleConversion> convert(const Rule& rule) const;

  private:
    ConverterSet() = default;
    std::vector<std::unique_ptr<Converter>> converters_;
    std::vector<std::vector<size_t>> groups_;  // converter indexes sharing one chain
};

// Known targets, and the output formats of one (first = default).
std::vector<std::string> convert_targets();
std::vector<std::string> convert_formats(const std::string& target);

}  // namespace sigil
