// fuzz/pipeline_yaml.cpp — libFuzzer target: a processing pipeline in pySigma's
// YAML format through load_pipeline_text, then, when it loads, merged after
// the built-in sysmon pipeline and applied to a few fixed rules (process
// creation with modifiers, a keyword rule, a rule with a null value), with
// its postprocessing and finalizers run over a fixed query.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "sigil/pipeline.h"
#include "sigil/sigma.h"

using namespace sigil;

namespace {

const std::vector<Rule>& fixed_rules() {
    static const std::vector<Rule> rules = [] {
        SigmaCollection c;
        load_sigma_text(R"(title: proc
id: 5b2f0a4e-8c1d-4f7a-9a55-0c6f3f1d2e01
status: test
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\psexec.exe'
    CommandLine|contains|all: ['-s', '-i']
  filter:
    User|startswith: 'NT AUTHORITY'
    ParentImage: null
  condition: sel and not filter
level: high
---
title: keywords
logsource: {product: linux, service: auth}
detection:
  kw: ['failed password', 'invalid user*']
  condition: kw
---
title: regex and numbers
logsource: {product: windows, service: security}
detection:
  sel: {EventID: [4624, 4625], TargetUserName|re: '^adm.*\$$', LogonType|gte: 3}
  condition: sel
)",
                        "fixed.yml", c);
        return c.rules;
    }();
    return rules;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    Diagnostics diags;
    PipelinePtr p = load_pipeline_text(text, "fuzz.yml", diags);
    fuzz::check_diagnostics(diags);
    if (!p) return 0;
    PipelineChain chain = PipelineChain::merge({p, builtin_pipeline("sysmon")});
    std::vector<std::string> queries;
    for (const Rule& r : fixed_rules()) {
        ProcessedRule pr = apply_pipelines(r, chain);
        fuzz::check_diagnostics(pr.errors);
        if (!pr.errors.empty()) continue;
        if (ExprPtr e = pr.rule.expr()) (void)to_string(normalize(e));
        queries.push_back(postprocess_query("Image=\"x\"", pr, chain));
    }
    std::string out;
    (void)finalize_queries(queries, chain, out);
    return 0;
}
