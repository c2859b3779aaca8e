// sigil/rules.h — one loader for every rule language: walks paths, sends each
// file to the front-end that reads it (Sigma; Splunk security_content and
// Armory YAML once the SPL front-end is present), and keeps every diagnostic.
#pragma once

#include <string>
#include <vector>

#include "sigil/ir.h"
#include "sigil/sigma.h"

namespace sigil {

struct RuleSet {
    std::vector<Rule> rules;
    Diagnostics diagnostics;
    SigmaLoadStats stats;
};

// SplunkSupport: security_content macros and data sources the SPL rules use.
enum class RuleFileKind { Sigma, SplunkSecurityContent, Armory, SplunkSupport, Unknown };
// Decides from the top-level keys of a YAML file's text.
RuleFileKind sniff_rule_file(std::string_view text);

void load_rules(const std::vector<std::string>& paths, RuleSet& out);
// Collection linking over every loaded rule: Sigma filters, correlation references.
void link_rule_set(RuleSet& set);
// Collection-wide validators (uniqueness, file names, ATT&CK tags).
void validate_rule_set(RuleSet& set);

}  // namespace sigil
