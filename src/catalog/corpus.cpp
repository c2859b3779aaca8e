// catalog/corpus.cpp — loading mixed rule corpora: file discovery, language
// sniffing and dispatch to the front-ends.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sigil/knowledge.h"
#include "sigil/rules.h"
#include "sigil/spl.h"
#include "sigil/validate.h"

namespace sigil {

/* Sniffing looks only at top-level keys (lines starting at column 0): SSC
 * detections carry `search:`, Armory rules `logic:`, SSC macros `definition:`
 * and SSC data sources `sourcetype:`; Sigma rules have `detection:`,
 * `correlation:`, `filter:`, `logsource:` or legacy `action:` documents.
 * A file with a title but none of those is a broken Sigma rule (the front-end
 * says what it lacks); a file with neither is not a rule and gets a warning.
 */
RuleFileKind sniff_rule_file(std::string_view text) {
    bool search = false, logic = false, sigma = false, splunk_support = false, title = false;
    size_t i = 0;
    while (i < text.size()) {
        size_t e = text.find('\n', i);
        if (e == std::string_view::npos) e = text.size();
        std::string_view line = text.substr(i, e - i);
        auto starts = [&](std::string_view k) { return line.substr(0, k.size()) == k; };
        if (starts("search:")) search = true;
        if (starts("logic:")) logic = true;
        if (starts("title:")) title = true;
        if (starts("definition:") || starts("sourcetype:")) splunk_support = true;
        if (starts("detection:") || starts("correlation:") || starts("filter:") ||
            starts("action:") || starts("logsource:"))
            sigma = true;
        i = e + 1;
    }
    if (sigma) return RuleFileKind::Sigma;
    if (search) return RuleFileKind::SplunkSecurityContent;
    if (logic) return RuleFileKind::Armory;
    if (splunk_support) return RuleFileKind::SplunkSupport;
    if (title) return RuleFileKind::Sigma;  // a broken Sigma rule
    return RuleFileKind::Unknown;
}

/* Mixed corpora: every file is sniffed once; Sigma files go to the Sigma
 * front-end (then filters and correlations are linked across them), and all
 * Splunk files (detections, macros, data sources) go together to the SPL
 * front-end, which loads macros before the detections that use them.
 */
void load_rules(const std::vector<std::string>& paths, RuleSet& out) {
    namespace fs = std::filesystem;
    std::vector<std::string> files = rule_files_under(paths, out.diagnostics);
    SigmaCollection sc;
    std::vector<std::string> splunk_files;
    std::string text;
    for (auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) {
            Diagnostic d;
            d.code = "io.read";
            d.message = "cannot open file";
            d.loc = SourceLoc{std::make_shared<const std::string>(f), 0, 0};
            out.diagnostics.push_back(d);
            ++sc.stats.rules_failed;
            continue;
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
        RuleFileKind kind = sniff_rule_file(text);
        if (kind == RuleFileKind::Sigma) {
            load_sigma_text(text, f, sc);
        } else if (kind == RuleFileKind::Unknown) {
            Diagnostic d;
            d.severity = Severity::Warning;
            d.code = "rules.not_a_rule";
            d.message =
                "not a Sigma or Splunk rule file (no detection, logsource, search or "
                "logic key); skipped";
            d.loc = SourceLoc{std::make_shared<const std::string>(f), 1, 1};
            out.diagnostics.push_back(d);
            ++sc.stats.files;
        } else {
            splunk_files.push_back(f);
        }
    }
    link_sigma_collection(sc);
    out.rules = std::move(sc.rules);
    for (auto& d : sc.diagnostics) out.diagnostics.push_back(std::move(d));
    out.stats = sc.stats;
    if (!splunk_files.empty()) {
        SplCollection spl;
        load_splunk_paths(splunk_files, spl);
        for (auto& r : spl.rules) out.rules.push_back(std::move(r));
        for (auto& d : spl.diagnostics) out.diagnostics.push_back(std::move(d));
        out.stats.files += spl.stats.files;
        out.stats.rules_loaded += spl.stats.rules_loaded;
        out.stats.rules_failed += spl.stats.rules_failed;
    }
}

// For callers that load files one by one (the catalog's cached build).
void link_rule_set(RuleSet& set) {
    SigmaCollection sc;
    sc.rules = std::move(set.rules);
    link_sigma_collection(sc);
    set.rules = std::move(sc.rules);
    for (auto& d : sc.diagnostics) set.diagnostics.push_back(std::move(d));
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
            return "tag 'attack." + rest +
                   "' is not an ATT&CK tactic, technique, group, software, "
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
