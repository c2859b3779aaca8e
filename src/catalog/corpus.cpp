// catalog/corpus.cpp — loading mixed rule corpora: file discovery, language
// sniffing and dispatch to the front-ends.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sigil/rules.h"
#include "sigil/validate.h"

namespace sigil {

/* Sniffing looks only at top-level keys (lines starting at column 0): SSC
 * detections carry `search:`, Armory rules `logic:`; Sigma rules have
 * `detection:`, `correlation:` or `filter:`, or legacy `action:` documents.
 */
RuleFileKind sniff_rule_file(std::string_view text) {
    bool search = false, logic = false, sigma = false;
    size_t i = 0;
    while (i < text.size()) {
        size_t e = text.find('\n', i);
        if (e == std::string_view::npos) e = text.size();
        std::string_view line = text.substr(i, e - i);
        auto starts = [&](std::string_view k) { return line.substr(0, k.size()) == k; };
        if (starts("search:")) search = true;
        if (starts("logic:")) logic = true;
        if (starts("detection:") || starts("correlation:") || starts("filter:") ||
            starts("action:") || starts("logsource:"))
            sigma = true;
        i = e + 1;
    }
    if (sigma) return RuleFileKind::Sigma;
    if (search) return RuleFileKind::SplunkSecurityContent;
    if (logic) return RuleFileKind::Armory;
    return RuleFileKind::Sigma;
}

void load_rules(const std::vector<std::string>& paths, RuleSet& out) {
    SigmaCollection sc;
    load_sigma_paths(paths, sc);
    out.rules = std::move(sc.rules);
    out.diagnostics = std::move(sc.diagnostics);
    out.stats = sc.stats;
}

void validate_rule_set(RuleSet& set) { validate_collection(set.rules, set.diagnostics); }

}  // namespace sigil
