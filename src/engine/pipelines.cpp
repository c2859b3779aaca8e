// engine/pipelines.cpp — processing pipelines (`sigil hunt -p`) applied to
// rules before they are compiled for hunting.
#include "sigil/hunt.h"
#include "sigil/pipeline.h"

namespace sigil {

/* Hunting runs the rules on the events themselves, so of a pipeline only
 * the transformations apply (field name mapping, log source changes, added
 * conditions, value and wildcard placeholders, value mapping, failures):
 * each rule goes through apply_pipelines() over the merged chain, exactly as
 * before a conversion. What only shapes query text cannot apply and is an
 * error naming the pipeline and the item: postprocessing and finalizer
 * items, and query_expression_placeholders (a raw target query standing for
 * a predicate). A rule the pipelines reject (rule_failure,
 * detection_item_failure, an unknown placeholder variable...) is left out
 * with the pipeline's diagnostics. Correlations find their rules by id or
 * name, so leaving rules out keeps the others' references intact.
 */
namespace {

Diagnostic item_error(const Pipeline& p, const PipelineItem& it, const std::string& what) {
    Diagnostic d;
    d.code = "hunt.pipeline.unsupported";
    d.message = "pipeline '" + p.name + "': " + what + (it.id.empty() ? "" : " '" + it.id + "'") +
                " (" + it.type + ") shapes query text and has no meaning when hunting";
    d.loc = it.loc.file ? it.loc : p.loc;
    return d;
}

bool check_items(const Pipeline& p, const std::vector<PipelineItem>& items, const char* what,
                 Diagnostics& diags) {
    bool ok = true;
    for (auto& it : items) {
        if (std::string(what) != "transformation" || it.type == "query_expression_placeholders") {
            diags.push_back(item_error(p, it, std::string(what) + " item"));
            ok = false;
        }
        if (!check_items(p, it.nested, what, diags)) ok = false;
    }
    return ok;
}

}  // namespace

bool apply_hunt_pipelines(const std::vector<std::string>& names, std::vector<Rule>& rules,
                          Diagnostics& diags, size_t* rejected) {
    if (rejected) *rejected = 0;
    if (names.empty()) return true;
    std::vector<PipelinePtr> ps;
    bool ok = true;
    for (auto& n : names) {
        size_t before = diags.size();
        PipelinePtr p = resolve_pipeline(n, diags);
        if (!p) {
            if (diags.size() == before) {
                Diagnostic d;
                d.code = "hunt.pipeline.unknown";
                d.message = "'" + n + "' is neither a built-in pipeline nor a pipeline file";
                diags.push_back(d);
            }
            ok = false;
            continue;
        }
        ok &= check_items(*p, p->transformations, "transformation", diags);
        ok &= check_items(*p, p->postprocessing, "postprocessing", diags);
        ok &= check_items(*p, p->finalizers, "finalizer", diags);
        ps.push_back(std::move(p));
    }
    if (!ok) return false;
    PipelineChain chain = PipelineChain::merge(std::move(ps));
    std::vector<Rule> out;
    out.reserve(rules.size());
    for (auto& r : rules) {
        ProcessedRule pr = apply_pipelines(r, chain);
        if (!pr.errors.empty() || !pr.query_expressions.empty()) {
            for (auto& d : pr.errors) {
                Diagnostic x = d;
                if (!x.loc.file) x.loc = r.loc;
                if (x.rule.empty()) x.rule = r.title.empty() ? r.id : r.title;
                x.severity = Severity::Warning;
                x.message += "; the rule is left out";
                diags.push_back(std::move(x));
            }
            if (rejected) ++*rejected;
            continue;
        }
        out.push_back(std::move(pr.rule));
    }
    rules = std::move(out);
    return true;
}

}  // namespace sigil
