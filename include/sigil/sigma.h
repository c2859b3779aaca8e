// sigil/sigma.h — the Sigma front-end: YAML rule files (detections, filters,
// correlations, legacy collections) into IR rules, with located diagnostics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sigil/ir.h"

namespace sigil {

struct SigmaLoadStats {
    size_t files = 0;         // files read
    size_t documents = 0;     // YAML documents seen
    size_t rules_loaded = 0;  // rules that produced IR without errors
    size_t rules_failed = 0;  // documents that were rejected
};

// The result of loading a set of Sigma files. Rules that failed to load are
// not in `rules`; each has at least one Error diagnostic.
struct SigmaCollection {
    std::vector<Rule> rules;
    Diagnostics diagnostics;
    SigmaLoadStats stats;

    // COLL-INDEX: a rule by its id (any case) or, failing that, its name;
    // nullptr when none. By position: rules[i].
    const Rule* find(std::string_view id_or_name) const;
};

// Parses Sigma YAML text (one file, possibly multi-document) and appends its
// rules and diagnostics. `path` is used for locations only.
void load_sigma_text(std::string_view text, const std::string& path, SigmaCollection& out);

// Reads files and directories (recursively, *.yml / *.yaml), then applies
// filters to the rules they select and resolves correlation references.
// Rule files under the given paths: directories recursively (*.yml, *.yaml,
// sorted per directory), files as given; a missing path is an io.not_found
// error in `diags`. Every loader (Sigma, mixed rule sets, catalog, hunt cache)
// finds its files with this.
std::vector<std::string> rule_files_under(const std::vector<std::string>& paths,
                                          Diagnostics& diags);
void load_sigma_paths(const std::vector<std::string>& paths, SigmaCollection& out);

// Applies filter documents to the detection rules they target (FILT-*), and
// checks correlation references (CORR-RULES-RESOLVE). Called by
// load_sigma_paths; exposed for callers that load text themselves.
void link_sigma_collection(SigmaCollection& c);

}  // namespace sigil
