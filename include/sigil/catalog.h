// sigil/catalog.h — the rule catalog: corpus-wide analyses of loaded rules (stages,
// exclusions, indicators with corpus counts, search terms, neighbors, duplicates), the
// knowledge attached to each rule (ATT&CK, software and groups, event coverage, data needed,
// Atomic tests), and the build of a catalog directory (HTML site, Markdown, JSON, SQLite,
// ATT&CK Navigator layer, CSV). docs/catalog.md describes the outputs and the SQLite schema.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sigil/ir.h"

namespace sigil {

// ---------------------------------------------------------------------------
// Field names across rule languages
// ---------------------------------------------------------------------------

// How a field of the other language relates to a Sigma field.
enum class FieldRelation : uint8_t {
    Same,      // the same value (Image ↔ Processes.process_path)
    Basename,  // the other field holds the last path component (Image ↔ Processes.process_name)
};

// One row of the documented field table (src/catalog/fields.cpp, docs/catalog.md).
struct FieldAlias {
    std::string_view sigma;  // "Image"
    std::string_view other;  // "Processes.process_path" (Splunk CIM or WinEventLog field)
    FieldRelation relation = FieldRelation::Same;
};

std::span<const FieldAlias> field_aliases();

// A predicate in a language-neutral form: the field as its Sigma name in lower case, and
// basename relations turned into equality on "<sigma>:basename" (`Image endswith "\x.exe"`
// and `Processes.process_name = "x.exe"` both become `image:basename eq x.exe`). Values of
// case-insensitive string predicates are folded to lower case.
struct CanonicalPred {
    std::string field;
    Op op = Op::Eq;
    std::string value;  // Value::text(), folded when case-insensitive
    bool cased = false;
    uint8_t re_flags = 0;
    uint64_t hash() const;
    bool operator==(const CanonicalPred&) const = default;
};
CanonicalPred canonical_pred(const Pred& p);

// ---------------------------------------------------------------------------
// Per-rule analyses
// ---------------------------------------------------------------------------

inline constexpr size_t kRuleSources = 3;  // sigma, splunk (security_content), armory

// One value of an indicator with the number of OTHER rules of the corpus that test the same
// field, kind and value (after canonical_pred), in total and per rule source.
struct IndicatorValue {
    std::string value;
    uint32_t corpus = 0;
    std::array<uint32_t, kRuleSources> by_source{};
    std::string corpus_text() const;  // "corpus 28 (sigma 25, splunk 3)"; "" when 0
};

// A field, the kind of test, and the values a rule matches on it. Kinds: eq, in (several eq
// values), match (glob), starts_with, ends_with, contains, regex_match, cidr, exists,
// compare (lt/lte/gt/gte; the value carries the operator), field_ref.
struct Indicator {
    std::string field;
    std::string kind;
    std::vector<IndicatorValue> values;
};

// A top-level NOT(...) conjunct of the normalized logic: what the rule suppresses.
struct Exclusion {
    std::string field;
    std::string kind;
    std::vector<std::string> values;  // regex alternations are split at their top level
};

// A bare keyword (Sigma keyword list, SPL bare term) matched against the whole event.
struct SearchTerm {
    int stage = 0;  // the stage (SPL) or detection (Sigma, 1-based) it comes from
    std::string term;
};

// A stage of a pipeline rule (SPL), or for Sigma: stage 0 is the condition and stage i the
// i-th search identifier, with its YAML text.
struct StageView {
    int number = 0;
    std::string label;                    // "search", "regex", "condition", "selection"
    std::string text;                     // the stage text or the YAML of the identifier
    std::vector<std::string> predicates;  // printed predicates of the stage's logic
};

enum class NeighborKind : uint8_t { Stricter, Broader, Duplicate, NearDuplicate };
const char* neighbor_kind_name(NeighborKind k);  // "stricter", "broader", ...

struct Neighbor {
    uint32_t rule = 0;  // index into Catalog::rules
    NeighborKind kind = NeighborKind::Stricter;
    uint32_t filters = 0;     // stricter: filters the neighbor adds; broader: filters it drops
    double similarity = 1.0;  // near duplicates: Jaccard similarity of the predicate sets
};

struct TechniqueRef {
    std::string id;       // current id ("T1569.002")
    std::string display;  // "T1569.002 System Services: Service Execution"
    std::string tagged;   // the id as the rule wrote it when it differs ("T1035")
    std::string fate;     // "current", "revoked", "deprecated", "unknown"
};

// One row per tactic of the ATT&CK coverage table; no techniques = "No specific technique".
struct TacticRow {
    std::string tactic_id;  // "TA0002"; empty when the tactic is not known
    std::string tactic;     // "Execution"
    int order = 99;
    std::vector<TechniqueRef> techniques;
};

struct AttackRef {
    std::string id;       // "S0029"; empty when only a name is known
    std::string name;     // "PsExec"
    std::string display;  // "S0029 PsExec"
};

struct EventRow {
    std::string provider;        // "Microsoft-Windows-Security-Auditing"
    std::string provider_short;  // "Security-Auditing"
    std::string channel;         // "Security"
    uint32_t event_id = 0;       // 0 = every event of the channel
    std::string title;
    std::string origin;  // "logsource", "predicate", "data_source"
};

struct DataNeededRow {
    std::string channel, provider;
    uint32_t event_id = 0;
    std::string atc_id, audit;
};

struct TriggerRow {
    std::string technique;  // whose tests these are
    int number = 0;
    std::string name, guid, executor;
    std::string match;  // "exact", "redirected", "parent"
};

// The output of one converter target for a rule (sigil/convert.h once it is built in).
struct Translation {
    std::string target;  // "splunk", "kibana", ...
    std::string query;   // empty on error
    std::string error;   // why the target cannot express the rule
};
using Translator = std::function<std::vector<Translation>(const Rule&)>;

// Converter targets the catalog asks for, in page order.
std::span<const std::string_view> translation_targets();
// The translator of this build: the convert back-end when libsigil has one, else null (the
// pages then say that translations are not available in this build).
Translator default_translator();

struct RuleAnalysis {
    std::string slug;  // file name stem of the rule's pages: "<source>-<id>"
    ExprPtr logic;     // normalized detection logic (SPL: every filtering stage ANDed)
    std::vector<StageView> stages;
    std::vector<Exclusion> exclusions;
    std::vector<Indicator> indicators;
    std::vector<SearchTerm> search_terms;
    std::vector<Neighbor> neighbors;  // stricter/broader: fewest filters first
    // how many neighbors of each NeighborKind were found (the list keeps max_neighbors)
    std::array<uint32_t, 4> neighbor_totals{};
    std::vector<TacticRow> tactics;
    std::vector<TechniqueRef> techniques;  // unique, tag order
    std::vector<AttackRef> software, groups;
    std::vector<std::string> other_tags;  // tags that are neither tactic nor technique
    std::vector<EventRow> events;
    std::vector<DataNeededRow> data_needed;
    std::vector<TriggerRow> triggers;
    std::vector<Translation> translations;
    bool translations_available = false;
};

// A loaded corpus with its analyses. `texts[i]` is the source text of rules[i]'s file.
struct Catalog {
    std::vector<Rule> rules;
    std::vector<std::string> texts;
    std::vector<std::string> files;  // source path of each rule
    std::vector<RuleAnalysis> analyses;
    Diagnostics diagnostics;
};

struct AnalysisOptions {
    bool neighbors = true;
    size_t max_neighbors = 50;    // per kind and rule; the rest is counted, not listed
    double near_duplicate = 0.8;  // Jaccard threshold for near duplicates
    Translator translate;         // null: no translations
};

// Per-rule analyses that depend on the rule alone (stages, exclusions, indicators without
// counts, search terms, knowledge, slug).
void analyze_rule(const Rule& rule, std::string_view file_text, RuleAnalysis& out);
// Corpus-wide: indicator counts, neighbors, duplicates. Needs analyze_rule() first.
void analyze_corpus(Catalog& c, const AnalysisOptions& o);
// Both, for every rule.
void analyze_catalog(Catalog& c, const AnalysisOptions& o);

// Top-level conjuncts of a normalized expression (the expression itself when it is not an
// And), with the rule's log source as pseudo-predicates `logsource.<key> = value`.
std::vector<ExprPtr> conjuncts(const Rule& rule, const ExprPtr& logic);

// ---------------------------------------------------------------------------
// Building a catalog directory
// ---------------------------------------------------------------------------

struct CatalogBuildOptions {
    std::vector<std::string> paths;  // rule files and directories
    std::string out_dir;
    bool incremental = true;  // reuse DIR's rule cache and unchanged pages
    AnalysisOptions analysis;
    bool html = true, markdown = true, json = true, sqlite = true;
    // Leave the build's memory (rules, analyses, caches) unreleased: for a process that exits
    // right after the build (the CLI, which then leaves through quick_exit), where freeing
    // hundreds of thousands of small objects only costs time.
    bool keep_memory = false;
};

struct CatalogBuildReport {
    size_t files = 0, files_cached = 0, rules = 0;
    size_t pages_written = 0, pages_reused = 0;
    size_t rules_failed = 0;
    Diagnostics diagnostics;  // load problems of the rules plus build errors
    // CPU seconds of the process per phase: load (reading, parsing, linking; without
    // translations), translate (convert back-end calls), analyze, render (pages and files),
    // sqlite, swap (cache, manifest, putting the new files in place)
    double t_load = 0, t_translate = 0, t_analyze = 0, t_render = 0, t_sqlite = 0, t_swap = 0;
    size_t translated = 0;  // rules translated in this build (the rest came from the cache)
    bool ok = false;        // the directory was replaced by the new build
};

// Builds DIR. A full build writes everything to DIR.tmp-XXXXXX beside it, then swaps it in
// with one rename; an incremental build stages only the changed files in DIR/.sigil and
// commits them through a journal (docs/catalog.md, "Builds"). Either way an interrupted
// build leaves the previous catalog intact. Refuses to replace a non-empty directory that is
// not a sigil catalog (error "catalog.out.not_catalog").
CatalogBuildReport build_catalog(const CatalogBuildOptions& o);

// Finishes a committed incremental build that was interrupted while moving its files into
// place (DIR/.sigil/journal) and removes the staging leftovers of uncommitted ones. Called by
// build_catalog and by the server before it serves DIR; false when a journal entry could not
// be applied (the journal is then kept for the next try).
bool recover_catalog_dir(const std::string& dir);

// Loads every rule file under `paths` (directories recursively, *.yml / *.yaml) into c: rules,
// the text of each rule's file, paths and diagnostics; Sigma filters and correlations linked.
void load_catalog(const std::vector<std::string>& paths, Catalog& c);

}  // namespace sigil
