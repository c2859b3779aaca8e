// catalog/corpus.cpp — loading mixed rule corpora: file discovery, language
// sniffing and dispatch to the front-ends.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sigil/knowledge.h"
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

/* Per-file loading for callers that read files themselves (the catalog's cached build):
 * Sigma text goes to the Sigma front-end; Splunk security_content and Armory files need the
 * SPL front-end, which this build does not have yet, so each is one error naming the file. */
void load_rule_text(std::string_view text, const std::string& path, RuleSet& out) {
    RuleFileKind kind = sniff_rule_file(text);
    if (kind == RuleFileKind::SplunkSecurityContent || kind == RuleFileKind::Armory) {
        Diagnostic d;
        d.code = "rules.spl.unsupported";
        d.message = std::string(kind == RuleFileKind::Armory ? "Armory" : "Splunk security_content") +
                    " rule: SPL rules need the SPL front-end, which this build of sigil lacks";
        d.loc = SourceLoc{std::make_shared<const std::string>(path), 0, 0};
        out.diagnostics.push_back(std::move(d));
        ++out.stats.files;
        ++out.stats.rules_failed;
        return;
    }
    SigmaCollection sc;
    load_sigma_text(text, path, sc);
    for (auto& r : sc.rules) out.rules.push_back(std::move(r));
    for (auto& d : sc.diagnostics) out.diagnostics.push_back(std::move(d));
    out.stats.files += sc.stats.files;
    out.stats.documents += sc.stats.documents;
    out.stats.rules_loaded += sc.stats.rules_loaded;
    out.stats.rules_failed += sc.stats.rules_failed;
}

void link_rule_set(RuleSet& set) {
    SigmaCollection sc;
    sc.rules = std::move(set.rules);
    link_sigma_collection(sc);
    set.rules = std::move(sc.rules);
    for (auto& d : sc.diagnostics) set.diagnostics.push_back(std::move(d));
}

void load_rules(const std::vector<std::string>& paths, RuleSet& out) {
    SigmaCollection sc;
    load_sigma_paths(paths, sc);
    out.rules = std::move(sc.rules);
    out.diagnostics = std::move(sc.diagnostics);
    out.stats = sc.stats;
}

/* ATT&CK tags (VALID-TAG-ATTACK) are checked against the embedded ATT&CK
 * tables: an id that is not in them, a tactic name that is not a tactic, and
 * the legacy underscore spelling of tactics are reported. Revoked and
 * deprecated techniques are valid ids but get their successor named.
 */
void validate_rule_set(RuleSet& set) {
    const Knowledge& k = knowledge();
    validate_collection(set.rules, set.diagnostics, [&k](const std::string& rest) -> std::string {
        AttackTag t = k.classify_tag("attack." + rest);
        if (t.kind == AttackTagKind::Unknown)
            return "tag 'attack." + rest + "' is not an ATT&CK tactic, technique, group, software, "
                   "mitigation or data source id";
        if (!t.known)
            return "tag 'attack." + rest + "' has the shape of an ATT&CK id but " + t.id +
                   " is not in ATT&CK v18/v19";
        if (t.legacy_spelling)
            return "tactic tag 'attack." + rest + "' uses the Sigma v1 underscore spelling";
        if (t.kind == AttackTagKind::Technique && t.technique.current &&
            t.technique.current != t.technique.technique)
            return "technique " + t.id + " is " + technique_fate_name(t.technique.fate) +
                   "; its successor is " + std::string(t.technique.current->id);
        return "";
    });
}

}  // namespace sigil
