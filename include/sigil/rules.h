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

enum class RuleFileKind { Sigma, SplunkSecurityContent, Armory, Unknown };
// Decides from the top-level keys of a YAML file's text.
RuleFileKind sniff_rule_file(std::string_view text);

void load_rules(const std::vector<std::string>& paths, RuleSet& out);
// One file's text, read by the front-end its top-level keys call for (sniff_rule_file);
// appends its rules and diagnostics. Call link_rule_set() once after the last file.
// Splunk files are an error ("rules.spl.unsupported") until the SPL front-end is built in.
void load_rule_text(std::string_view text, const std::string& path, RuleSet& out);
// Collection linking over every loaded rule: Sigma filters, correlation references.
void link_rule_set(RuleSet& set);
// Collection-wide validators (uniqueness, file names, ATT&CK tags).
void validate_rule_set(RuleSet& set);

}  // namespace sigil
