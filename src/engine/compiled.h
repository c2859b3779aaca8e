// engine/compiled.h — the inside of a CompiledRuleSet: shared predicate
// table, expression nodes, log-source gate index, prefilter database and the
// compiled correlations. Shared by compile.cpp, match.cpp, correlation.cpp.
#pragma once

#include <hs/hs.h>

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/atom_scan.h"
#include "ir/values.h"
#include "sigil/engine.h"

namespace sigil::engine_detail {

using namespace sigil::values;  // value semantics shared with the reference interpreter

struct LogsourceRow;
std::vector<const LogsourceRow*> logsource_rows(const LogSource& ls);

// Heterogeneous string hashing so event field names (string_view) look up
// without allocating.
struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct NameEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
template <class V>
using NameMap = std::unordered_map<std::string, V, NameHash, NameEq>;

// What a predicate does, decided once at compile time (the order of the
// checks follows the reference interpreter: placeholders, keyword, exists,
// time part, then the operator).
enum class PredKind : uint8_t {
    Never,    // unresolved placeholders
    Keyword,  // empty field: any value of the event
    Exists,
    TimePart,
    EqNull,
    EqBool,     // folded text equals "true"/"false"
    EqNumText,  // raw text equals the number's decimal form
    EqStr,
    Contains,
    StartsWith,
    EndsWith,
    Glob,
    Regex,
    Cidr,
    NumCmp,
    FieldRef,
};

struct CompiledPred {
    const Pred* src = nullptr;
    PredKind kind = PredKind::Never;
    int field = -1;      // field id (not for keywords)
    int ref_field = -1;  // FieldRef*: the other field's id
    bool cased = false;
    std::string lit;  // the literal compared (folded unless cased)
    double num = 0;
    Glob glob;
    std::shared_ptr<Regex> re;
    int re_literals = 0;                // regex_required_literals() result
    std::vector<std::string> re_atoms;  // its literals when 1
    std::shared_ptr<Network> net;
};

struct Node {
    ExprKind kind;
    uint32_t first = 0, count = 0;  // children: kids[first, first+count)
    int32_t pred = -1;
};

// Rules whose log sources admit the same gate entries, with a literal
// prefilter over their atoms and the fields those atoms come from. The
// prefilter is built on first use (prefilter.cpp): a run pays only for the
// groups its events reach. It is one of two engines (EngineOptions::
// prefilter_engine; the choice is explained in prefilter.cpp): a Hyperscan
// database (costly to compile, cached on disk, fastest on long inputs) or
// sigil's own AtomScanner (built in milliseconds).
struct PrefilterDb {
    std::mutex mu;              // held while building the Hyperscan database
    std::atomic<int> state{0};  // Hyperscan: 0 not tried, 1 ready, 2 failed, 3 not in the cache
    std::atomic<hs_database_t*> db{nullptr};
    // The own scanner, in two parts: the field atoms, scanned for in the
    // values of scan_field's fields, and the keyword atoms (an atom that
    // is a keyword atom of any rule), scanned for in every value.
    std::once_flag scanner_once;
    AtomScanner fields, keywords;
    std::vector<uint32_t> field_atoms, keyword_atoms;  // scanner index → local atom id
    ~PrefilterDb() {
        if (hs_database_t* d = db.load()) hs_free_database(d);
    }
};
struct RuleGroup {
    std::vector<uint32_t> rules;                    // compiled rules, ascending
    std::vector<uint32_t> always;                   // rules confirmed without an atom hit
    std::vector<uint32_t> atom_global;              // local atom id → global atom id
    std::vector<std::vector<uint32_t>> atom_rules;  // local atom id → compiled rules
    std::vector<uint8_t> atom_keyword;              // local atom id → some rule's keyword atom
    std::vector<uint8_t> scan_field;                // field id → scanned for field atoms
    bool full = false;                // a keyword atom: Hyperscan scans every value for every atom
    std::unique_ptr<PrefilterDb> pf;  // null: no atoms in the group
};

struct CompiledRule {
    uint32_t rule = 0;  // index into rules()
    uint32_t root = 0;  // node
    bool gated = false;
    bool has_atoms = false;        // confirmed only when one of its atoms occurs
    bool keyword_atoms = false;    // some atom comes from a keyword: scan every value
    std::vector<uint32_t> atoms;   // global atom ids
    std::vector<int> atom_fields;  // field id per atom source (-1: keyword)
};

// Correlations, compiled (correlation.cpp).
struct CompiledCorrelation {
    uint32_t rule = 0;  // index into rules()
    Correlation::Type type{};
    std::vector<int> inputs;  // per referenced rule: rule index (detection or correlation)
    std::vector<std::string> input_names;  // names used in extended conditions
    // per input: the field names to read for each group-by entry / value field
    std::vector<std::vector<std::string>> group_fields;
    std::vector<std::vector<std::string>> value_fields;
    std::vector<std::string> group_by;  // output names
    int64_t span_ms = 0;
    std::vector<std::pair<CmpOp, double>> condition;
    double percentile = 50;
    // extended temporal condition in postfix: >=0 input index, -1 and, -2 or, -3 not
    std::vector<int> ext_postfix;
};

}  // namespace sigil::engine_detail

namespace sigil {

using namespace engine_detail;

struct CompiledRuleSet::Impl {
    const std::vector<Rule>* rules = nullptr;
    EngineOptions opts;
    EngineStats stats;

    NameMap<int> field_ids;  // field name → id
    int channel_field = -1, eventid_field = -1;
    std::vector<CompiledPred> preds;
    std::vector<Node> nodes;
    std::vector<uint32_t> kids;
    std::vector<CompiledRule> crules;
    std::vector<std::vector<std::string>> rule_fields;  // per rules() index
    std::vector<bool> reported_alone;                   // per rules() index

    // Gate: folded channel → event id text ("" = any id) → rule groups.
    std::unordered_map<std::string, NameMap<std::vector<uint32_t>>> gate;
    uint32_t ungated_group = 0;
    std::vector<RuleGroup> groups;

    // Prefilter atoms (global ids; each group has its own prefilter).
    std::vector<std::string> atom_text;
    // The group's Hyperscan database, read from opts.cache_dir or (when
    // `build`) compiled on first call; null when it is not in the cache
    // (and !build) or cannot be built (then every rule of the group is
    // confirmed). Thread-safe.
    const hs_database_t* prefilter(uint32_t group, bool build = true) const;
    // The group's own scanners, built on first call. Thread-safe.
    const PrefilterDb& scanners(uint32_t group) const;
    // Which engine a group starts with (prefilter.cpp, "Choosing the
    // engine"): a Hyperscan database, or (db null) the own scanner until
    // `switch_after` bytes of text were scanned with it.
    struct PrefilterPlan {
        const hs_database_t* db = nullptr;
        uint64_t switch_after = UINT64_MAX;
    };
    PrefilterPlan plan(uint32_t group) const;
    mutable std::mutex late_mu;
    mutable Diagnostics late_diags;  // problems met while building databases
    mutable EngineCacheStats cache_stats;

    // Correlations.
    std::vector<CompiledCorrelation> corrs;  // in dependency order (inputs first)
    std::vector<int> corr_of_rule;           // rules() index → corrs index or -1
    std::vector<bool> feeds_correlation;     // rules() index → detections are recorded
    std::vector<std::string> corr_fields;    // fields recorded with each detection
    NameMap<int> corr_field_ids;
};

namespace engine_detail {
// correlation.cpp: validates and compiles the correlation rules.
void compile_correlations(CompiledRuleSet::Impl& im, Diagnostics& diags);

// tables_cache.cpp: the compiled tables on disk (EngineOptions::tables_file).
// Where a shared predicate came from: the rule, its position among the
// rule's predicates (collect_preds order), and its sharing key.
struct TableOrigin {
    uint32_t rule = 0, ordinal = 0;
    uint64_t key = 0;
};
// Fills im (rules, opts set) from the file and appends the warnings compile()
// gave; false (im untouched but for partial tables the caller discards) when
// the file is missing, stale or damaged.
bool load_tables(const std::vector<Rule>& rules, CompiledRuleSet::Impl& im, Diagnostics& diags,
                 uint64_t (*pred_key)(const Pred&));
bool store_tables(const CompiledRuleSet::Impl& im, const std::vector<TableOrigin>& origins,
                  const Diagnostics& loop_diags, const std::vector<uint32_t>& diag_rules);
}  // namespace engine_detail

}  // namespace sigil
