// catalog/catalog_internal.h — functions shared by the catalog's source files (analyses,
// renderers, site build, rule cache); not part of the public API.
#pragma once

#include <memory>
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

/* What the corpus analyses read of one rule. It depends on the rule and its normalized logic
 * alone, so an incremental build keeps it in the rule cache with the rule's analysis and the
 * corpus analyses never walk the expressions of unchanged rules. */
// A conjunct, canonically: its hash, and the hashes of its disjuncts (itself when it is not
// an Or). Conjunct b implies conjunct a when they are equal or b's disjuncts are a subset of
// a's.
struct Conjunct {
    uint64_t hash = 0;
    std::vector<uint64_t> disjuncts;  // sorted, unique
};
// A detection rule for find_neighbors: its log source and logic as canonical conjuncts.
struct RuleShape {
    std::vector<Conjunct> conj;
    std::vector<uint64_t> conj_hashes;  // sorted, unique
    std::vector<uint64_t> preds;        // canonical predicate hashes with polarity, sorted
    bool usable = false;
};
struct CorpusInputs {
    // count_indicators: the canonical hashes of the rule's non-negated field predicates
    // (sorted, unique), and per indicator value (RuleAnalysis::indicators order) the hash it
    // is counted under, if a predicate of the normalized logic has it.
    std::vector<uint64_t> indicator_set;
    std::vector<std::vector<std::pair<bool, uint64_t>>> value_hashes;
    RuleShape shape;
    // The structural hash of the normalized logic (0 without one): what the rule's page key
    // reads of it, so the logic itself is rebuilt only for rules whose pages are rendered.
    uint64_t logic_hash = 0;
};
// Computes a rule's inputs from its analysis (analyze_rule done, logic set).
CorpusInputs corpus_inputs(const Rule& r, const RuleAnalysis& a, CanonicalHashes& hashes);
// The corpus analyses (unique slugs, indicator counts, neighbors) from every rule's inputs.
void analyze_corpus_inputs(Catalog& c, const AnalysisOptions& o,
                           const std::vector<CorpusInputs>& in);

// analysis.cpp
ExprPtr rule_logic(const Rule& r);
std::string rule_slug(const Rule& r);
std::vector<std::string> split_regex_alternatives(std::string_view re);
std::vector<std::pair<std::string, std::string>> sigma_detection_blocks(std::string_view text,
                                                                        uint32_t first_line);
void analyze_structure(const Rule& r, std::string_view file_text, RuleAnalysis& a);
void indicator_hashes(const RuleAnalysis& a, CanonicalHashes& hashes, CorpusInputs& out);
void count_indicators(Catalog& c, const std::vector<CorpusInputs>& in);
const char* indicator_kind(Op op);
std::string indicator_value(const Pred& p);

// neighbors.cpp
RuleShape rule_shape(const Rule& r, const ExprPtr& logic, CanonicalHashes& hashes);
void find_neighbors(Catalog& c, const AnalysisOptions& o, const std::vector<CorpusInputs>& in);

// rule_facts.cpp
void attach_knowledge(const Rule& r, RuleAnalysis& a);

// model.cpp: the per-rule JSON model that every renderer reads.
nlohmann::json rule_model(const Catalog& c, size_t i);
// The model as JSON text: nlohmann's dump(-1, ' ', false, error_handler_t::replace), faster.
std::string rule_json_text(const nlohmann::json& model);

// cache.cpp: the rule cache of a catalog build (binary; see the file's comment).
// Per-rule byte blobs of a CachedFile (translations, analyses) are views: into the mapped
// cache part they were read from (CachedFile::mapping keeps it alive), or into CachedFile::
// store for the ones this build made. A rebuild thus neither copies nor decodes the blobs of
// unchanged rules; translations are decoded only for the pages that are rendered.
struct CachedFile {
    std::string path;
    uint64_t hash = 0;  // XXH3 of the file's bytes
    std::vector<Rule> rules;
    Diagnostics diagnostics;
    // The rules and the diagnostics as the cache holds them (per rule, and all diagnostics
    // at once): written as they are, so the decoded rules and diagnostics can be moved into
    // the build. seal_cached_file fills them for a file that was parsed.
    std::vector<std::string_view> rule_bytes;
    std::string_view diagnostic_bytes;
    bool sealed = false;
    // Per rule: the translations made for it (encode_translations), valid while the rule's
    // linked logic still has this structural hash (a Sigma filter in another file can change
    // it).
    std::vector<std::string_view> translations;
    std::vector<uint64_t> logic_hashes;
    std::vector<uint8_t> translated;
    // Per rule: its own analysis (encode_analysis), valid while analysis_keys[k] equals the
    // rule's analysis key (file hash, place in the file, linked conditions); empty if none.
    std::vector<std::string_view> analyses;
    std::vector<uint64_t> analysis_keys;
    // The owners of the views above.
    std::shared_ptr<const void> mapping;
    std::vector<std::unique_ptr<std::string>> store;
    // Stores bytes and returns a view of them that lives as long as this CachedFile.
    std::string_view keep(std::string bytes) {
        store.push_back(std::make_unique<std::string>(std::move(bytes)));
        return *store.back();
    }
};
// Encodes the file's rules and diagnostics into rule_bytes and diagnostic_bytes (once); the
// writer then no longer reads `rules` and `diagnostics`.
void seal_cached_file(CachedFile& f);
// A rule's translations as bytes (a count, then target, query and error of each), and back.
std::string encode_translations(const std::vector<Translation>& v);
bool decode_translations(std::string_view bytes, std::vector<Translation>& out);
// A fingerprint of the running sigil binary: caches and page keys made by another build of
// sigil are not trusted.
uint64_t binary_fingerprint();
bool read_rule_cache(const std::string& file, std::vector<CachedFile>& out);
// size_hint: the expected size in bytes (the previous cache's), to allocate once.
bool write_rule_cache(const std::string& file, const std::vector<CachedFile>& files,
                      size_t size_hint = 0);
bool write_rule_cache(const std::string& file, const std::vector<const CachedFile*>& files,
                      size_t size_hint = 0);
// The catalog's cache is split in kRuleCacheParts files (.sigil/cache/NN), a rule file going
// to the part of rule_cache_part(path), so a rebuild rewrites only the parts that changed.
constexpr size_t kRuleCacheParts = 64;
size_t rule_cache_part(std::string_view path);

// analyze_rule's output without the logic (recomputed by rule_logic) and without the
// corpus-dependent parts; decode_analysis fills those fields and leaves the others alone.
// The rule's corpus inputs travel with it.
// Without `pages`, the parts only the rule's own pages read (stages, exclusions, search terms,
// other tags, data needed, triggers) are left out; decode_analysis_pages fills them later.
std::string encode_analysis(const RuleAnalysis& a, const CorpusInputs& in);
bool decode_analysis(std::string_view bytes, RuleAnalysis& a, CorpusInputs& in, bool pages = true);
bool decode_analysis_pages(std::string_view bytes, RuleAnalysis& a);

// html.cpp / markdown.cpp
std::string escape_html(std::string_view s);

}  // namespace sigil
