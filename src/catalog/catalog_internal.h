// catalog/catalog_internal.h — functions shared by the catalog's source files (analyses,
// renderers, site build, rule cache); not part of the public API.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sigil/catalog.h"
#include "sigil/ir.h"

namespace sigil {

// canonical_pred(p).hash() per predicate object, computed once per corpus analysis (the
// predicates live in the Catalog's rules for as long as the memo is used).
struct CanonicalHashes {
    std::unordered_map<const Pred*, uint64_t> memo;
    uint64_t operator()(const Pred& p) {
        // The log source pseudo-predicates of conjuncts() are temporaries: never memoized.
        if (p.field.rfind("logsource.", 0) == 0) return canonical_pred(p).hash();
        auto [it, fresh] = memo.try_emplace(&p, 0);
        if (fresh) it->second = canonical_pred(p).hash();
        return it->second;
    }
};

// analysis.cpp
ExprPtr rule_logic(const Rule& r);
std::string rule_slug(const Rule& r);
std::vector<std::string> split_regex_alternatives(std::string_view re);
std::vector<std::pair<std::string, std::string>> sigma_detection_blocks(std::string_view text,
                                                                        uint32_t first_line);
void analyze_structure(const Rule& r, std::string_view file_text, RuleAnalysis& a);
void count_indicators(Catalog& c, CanonicalHashes& hashes);
const char* indicator_kind(Op op);
std::string indicator_value(const Pred& p);

// neighbors.cpp
void find_neighbors(Catalog& c, const AnalysisOptions& o, CanonicalHashes& hashes);

// rule_facts.cpp
void attach_knowledge(const Rule& r, RuleAnalysis& a);

// model.cpp: the per-rule JSON model that every renderer reads.
nlohmann::json rule_model(const Catalog& c, size_t i);

// cache.cpp: the rule cache of a catalog build (binary; see the file's comment).
struct CachedFile {
    std::string path;
    uint64_t hash = 0;  // XXH3 of the file's bytes
    std::vector<Rule> rules;
    Diagnostics diagnostics;
    // Per rule: the translations made for it, valid while the rule's linked logic still has
    // this structural hash (a Sigma filter in another file can change it).
    std::vector<std::vector<Translation>> translations;
    std::vector<uint64_t> logic_hashes;
    std::vector<uint8_t> translated;
};
// A fingerprint of the running sigil binary: caches and page keys made by another build of
// sigil are not trusted.
uint64_t binary_fingerprint();
bool read_rule_cache(const std::string& file, std::vector<CachedFile>& out);
// size_hint: the expected size in bytes (the previous cache's), to allocate once.
bool write_rule_cache(const std::string& file, const std::vector<CachedFile>& files,
                      size_t size_hint = 0);

// html.cpp / markdown.cpp
std::string escape_html(std::string_view s);

}  // namespace sigil
