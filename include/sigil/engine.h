// sigil/engine.h — the compiled rule set: every detection rule compiled
// together (shared predicates, a log-source gate, a Hyperscan literal
// prefilter, exact confirmation with the reference interpreter's semantics),
// and correlation rules evaluated over the detections in time order.
// docs/engine.md describes the algorithms and the limits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sigil/event.h"
#include "sigil/ir.h"

namespace sigil {

// ---------------------------------------------------------------------------
// Log sources
// ---------------------------------------------------------------------------

// The condition a Sigma log source implies on an event, from the embedded
// table (data/logsource_map.tsv, generated from pySigma's Windows pipelines):
// an Or over rows of (Channel = c and EventID in ids). nullptr when the log
// source has no mapping (not Windows, or a category no table row names):
// such rules run over every event. Matching a rule in the engine means
// evaluate(And(logsource_condition, rule.expr())) in the reference.
ExprPtr logsource_condition(const LogSource& ls);

// ---------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------

// The literal prefilter's engine (docs/engine.md, "Prefilter engines").
enum class PrefilterEngine : uint8_t {
    Auto,       // Hyperscan when its database is cached or the input is large, else the own
                // scanner, moving a group to Hyperscan once its scanned bytes pay for it
    Hyperscan,  // always Hyperscan databases (compiled, or read from cache_dir)
    Scanner,    // always sigil's own AtomScanner (built in milliseconds)
};

struct EngineOptions {
    bool logsource_gate = true;  // apply logsource_condition (off: every rule sees every event)
    bool prefilter = true;       // literal prefilter (off: every rule is confirmed)
    PrefilterEngine prefilter_engine = PrefilterEngine::Auto;
    // Bytes of input the run expects (the log files' sizes; 0 = unknown),
    // for PrefilterEngine::Auto.
    uint64_t expected_input_bytes = 0;
    size_t min_atom_length = 2;  // shorter literals are not used as atoms
    // Prefilter databases are built on first use (the first event reaching
    // a log-source group), so a run pays only for the groups its logs have;
    // false builds them all in compile().
    bool lazy_prefilter = true;
    // Directory of the compiled-database cache ("" = none): a database is
    // stored under a hash of its literals, Hyperscan's version and the CPU
    // platform, written atomically; a missing, stale or damaged entry is
    // rebuilt silently. See default_cache_dir().
    std::string cache_dir;
    // The compiled tables' cache file ("" = none) and the key of the rules
    // they are for: a hash of everything `rules` were made from (the hunt
    // passes RuleCacheStats::key when no pipeline changed the rules). With
    // the same key, options and sigil binary, compile() reads the tables
    // instead of compiling; otherwise it compiles and rewrites the file.
    std::string tables_file;
    uint64_t tables_key = 0;
    // Correlations: detections of rules that feed a correlation are kept
    // (their group-by and value fields only) until the end of the run.
    size_t max_correlation_detections = 4u << 20;
    size_t max_correlation_groups = 1u << 20;  // live groups per correlation
    size_t max_events_per_window = 1u << 20;   // events kept in one group's window
};

struct EngineStats {
    size_t detection_rules = 0;    // compiled detection rules
    size_t correlation_rules = 0;  // compiled correlation rules
    size_t skipped_rules = 0;      // rules left out (diagnostics say why)
    size_t gated_rules = 0;        // detection rules with a log-source gate
    size_t predicates = 0;         // predicate occurrences in all rules
    size_t unique_predicates = 0;  // after sharing identical ones
    size_t atoms = 0;              // distinct literals in the prefilter
    size_t rules_with_atoms = 0;   // rules confirmed only when one of their atoms occurs
};

// Prefilter databases so far (they are built lazily, see EngineOptions).
struct EngineCacheStats {
    size_t built = 0;            // compiled with Hyperscan
    size_t loaded = 0;           // read from the cache
    size_t stored = 0;           // written to the cache
    size_t scanners = 0;         // groups given the own scanner
    size_t switched = 0;         // groups moved from the own scanner to Hyperscan
    bool tables_loaded = false;  // compile() read the tables (EngineOptions::tables_file)
    bool tables_stored = false;  // compile() wrote them
};

// $XDG_CACHE_HOME/sigil, else $HOME/.cache/sigil; "" when neither is set.
std::string default_cache_dir();

class CompiledRuleSet {
  public:
    // Compiles the detection and correlation rules of `rules` (filters are
    // already applied by the loader and are skipped here). `rules` must
    // outlive the result. Problems are diagnostics naming the rule; a rule
    // that cannot run is left out and counted in stats().skipped_rules.
    static std::shared_ptr<const CompiledRuleSet> compile(const std::vector<Rule>& rules,
                                                          Diagnostics& diags,
                                                          const EngineOptions& opts = {});
    ~CompiledRuleSet();

    const std::vector<Rule>& rules() const;
    const EngineStats& stats() const;
    const EngineOptions& options() const;
    // False for a detection rule that only feeds correlations with
    // `generate: false` (CORR-GENERATE): its hits are not reported alone.
    bool reported_alone(uint32_t rule) const;
    // The fields a rule's predicates name, in order of appearance (for
    // summaries of a hit).
    const std::vector<std::string>& rule_fields(uint32_t rule) const;
    // Builds every prefilter database now (otherwise each is built when the
    // first event needs it). Thread-safe, like matching.
    void build_prefilters() const;
    EngineCacheStats cache_stats() const;
    // Problems met while building prefilter databases after compile() (a
    // database Hyperscan rejects: that group then uses the own scanner).
    Diagnostics late_diagnostics() const;

    struct Impl;
    std::unique_ptr<Impl> impl_;

  private:
    void finish(Diagnostics& diags);  // correlations, and prefilters unless lazy
};

// Matches events against a compiled rule set. Not thread-safe: one per thread.
class RuleMatcher {
  public:
    explicit RuleMatcher(std::shared_ptr<const CompiledRuleSet> rules);
    ~RuleMatcher();
    RuleMatcher(const RuleMatcher&) = delete;
    RuleMatcher& operator=(const RuleMatcher&) = delete;

    // Appends the indices (into rules()) of the detection rules that match
    // the event, ascending.
    void match(const Event& ev, std::vector<uint32_t>& out);

    uint64_t events() const;     // events matched so far
    uint64_t confirmed() const;  // rule conditions evaluated (after gate and prefilter)
    uint64_t scanned() const;    // bytes of text the prefilter scanned (both engines)

    struct State;

  private:
    std::unique_ptr<State> st_;
};

// ---------------------------------------------------------------------------
// Correlations
// ---------------------------------------------------------------------------

// One firing of a correlation rule.
struct CorrelationHit {
    uint32_t rule = 0;          // the correlation rule (index into rules())
    int64_t time_unix_ms = 0;   // time of the detection that completed it
    int64_t first_unix_ms = 0;  // earliest detection in the window
    std::vector<std::pair<std::string, std::string>> group;  // group-by field, value
    double value = 0;     // the aggregate compared with the condition
    uint64_t events = 0;  // detections in the window
    std::string source;   // file and record of the completing detection
    uint64_t record_id = 0;
    std::string computer, channel, event_id;  // of the completing detection
};

// Collects detections of the rules that feed correlations (from any number
// of files and threads), then runs every correlation over them in time order.
class CorrelationState {
  public:
    explicit CorrelationState(std::shared_ptr<const CompiledRuleSet> rules);
    ~CorrelationState();
    CorrelationState(CorrelationState&&) noexcept;

    bool empty() const;  // the rule set has no correlation
    // True when detection rule `rule` feeds some correlation.
    bool wants(uint32_t rule) const;
    // Records a detection (copies only the fields correlations need).
    void add(uint32_t rule, const Event& ev, Diagnostics& diags);
    // Moves another state's detections into this one.
    void merge(CorrelationState& other);
    // Runs the correlations (chains in dependency order) and returns their
    // hits sorted by time.
    std::vector<CorrelationHit> run(Diagnostics& diags);

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace sigil
