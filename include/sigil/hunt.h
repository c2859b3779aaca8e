// sigil/hunt.h — running a compiled rule set over log files (JSON lines,
// JSON documents, EVTX) on several threads: detections with the facts a
// timeline needs, correlation hits, and the read/compile diagnostics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sigil/engine.h"
#include "sigil/event.h"
#include "sigil/ir.h"
#include "sigil/jsonl.h"
#include "sigil/rules.h"

namespace sigil {

struct LogReadOptions {
    JsonLayout json_layout = JsonLayout::Auto;
};

struct LogReadStats {
    uint64_t events = 0;
    uint64_t bad_records = 0;  // documents or records that could not be read
    uint64_t bytes = 0;
    bool file_ok = true;
    bool stopped = false;
};

// True when this build reads .evtx files.
bool evtx_supported();

// Files named directly are taken as they are; directories are walked
// (recursively, sorted) for *.evtx, *.json, *.jsonl and *.ndjson. Missing
// paths are diagnostics ("hunt.path.missing").
void collect_log_files(const std::vector<std::string>& paths, std::vector<std::string>& files,
                       Diagnostics& diags);

// Reads one file: .evtx with the EVTX reader, anything else as JSON.
LogReadStats read_log_file(const std::string& path, const EventSink& sink, Diagnostics& diags,
                           const LogReadOptions& opts = {});

// Loads rules as load_rules() does, through a cache of the parsed rule set
// in `cache_dir` (a file named after a hash of `paths`), keyed by the sigil
// version and binary and every rule file's path and content: when nothing
// changed, no YAML is parsed. An empty `cache_dir`, a rule set with Splunk
// files, or any unreadable/mismatching cache falls back to parsing (and
// rewrites the cache, atomically). See docs/engine.md.
struct RuleCacheStats {
    bool used = false;    // the cache applied to this rule set
    bool hit = false;     // rules came from the cache
    bool stored = false;  // the cache was (re)written
    // When `used`: the rule set's key (sigil version, every rule file's path
    // and bytes) and the cache file; EngineOptions::tables_key/tables_file
    // can build on them.
    uint64_t key = 0;
    std::string file;
};
RuleCacheStats load_rules_cached(const std::vector<std::string>& paths,
                                 const std::string& cache_dir, RuleSet& out);

// Applies processing pipelines (`-p`: built-in names or pySigma YAML files,
// merged by priority) to `rules` in place, as before a conversion: field
// names, log sources, added conditions, placeholders. Rules the pipelines
// reject are removed (warnings name them; count in *rejected). Returns false
// (with errors) when a pipeline cannot be found or has items that only shape
// query text (postprocessing, finalizers, query_expression_placeholders).
bool apply_hunt_pipelines(const std::vector<std::string>& names, std::vector<Rule>& rules,
                          Diagnostics& diags, size_t* rejected = nullptr);

// informational 0, low 1, medium 2, high 3, critical 4; anything else -1.
int level_rank(std::string_view level);

// One detection (a rule matching one event) or one correlation hit.
struct HuntHit {
    uint32_t rule = 0;  // index into the rule set's rules()
    bool correlation = false;
    int64_t time_unix_ms = 0;
    std::string timestamp;  // ISO 8601 UTC from time_unix_ms, else as written, else ""
    std::string computer, channel, event_id;
    std::string source;      // file
    uint64_t record_id = 0;  // EVTX record number or JSON line
    std::string details;     // "Field: value ¦ ..." of the fields the rule names
    std::string event_json;  // the whole event (HuntOptions::keep_events)
};

struct HuntOptions {
    unsigned threads = 1;
    LogReadOptions read;
    int min_level = -1;             // hits of rules below this level are not reported
    bool keep_events = false;       // fill HuntHit::event_json
    size_t max_detail_value = 256;  // characters per value in details
    // Called from the calling thread about ten times a second while files are read.
    std::function<void(uint64_t files_done, uint64_t files, uint64_t events, uint64_t bytes)>
        progress;
    const std::atomic<bool>* cancel = nullptr;  // set → stop reading, keep what was found
};

struct HuntResult {
    std::vector<HuntHit> hits;  // sorted by time, then file and record
    Diagnostics diagnostics;
    uint64_t files = 0, files_failed = 0, events = 0, bad_records = 0, bytes = 0;
    uint64_t confirmed = 0;  // rule conditions evaluated after gate and prefilter
    bool cancelled = false;
};

HuntResult hunt(std::shared_ptr<const CompiledRuleSet> rules, const std::vector<std::string>& files,
                const HuntOptions& opts);

}  // namespace sigil
