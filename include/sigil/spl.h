// sigil/spl.h — the Splunk front-end: SPL queries (and Anvilogic's Snowflake
// SQL) into pipeline stages and IR predicates, and the loaders for
// splunk/security_content and Anvilogic Armory detection YAML files.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sigil/ir.h"

namespace sigil {

namespace spl {
struct MappedText;  // a text with the file position of each character (internal)
}

// A search macro (security_content macros/*.yml): `name` or `name(a,b)` whose
// definition may use the arguments as `$a$`.
struct SplMacro {
    std::string name;
    std::vector<std::string> args;
    std::string definition;
    SourceLoc loc;                                  // the definition scalar
    std::shared_ptr<const spl::MappedText> mapped;  // definition with per-character positions
};

// Macros by name and arity (Splunk's `name(N)` stanza naming).
class SplMacroTable {
  public:
    void add(SplMacro m);
    const SplMacro* find(std::string_view name, size_t arity) const;
    size_t size() const { return macros_.size(); }
    const std::map<std::string, SplMacro, std::less<>>& all() const { return macros_; }

  private:
    std::map<std::string, SplMacro, std::less<>> macros_;
};

// A bare search term of a search stage: a token Splunk matches against the
// raw event text rather than a field ("<EventID>7045<", TERM(...), word).
struct SplSearchTerm {
    size_t stage = 0;  // 1-based stage number
    std::string term;  // as written (quotes kept)
    SourceLoc loc;
};

// One parsed query.
struct SplQuery {
    std::vector<Stage> stages;
    ExprPtr condition;  // conjunction of the filtering stages' expressions (True if none)
    std::vector<SplSearchTerm> search_terms;
    std::vector<std::string> macros;           // macros kept as named units (no definition)
    std::vector<std::string> expanded_macros;  // macros replaced by their definitions
    std::string datamodel;                     // tstats/from/datamodel: "Endpoint.Processes"
    std::string nodename;                      // tstats `where nodename=...`
    std::string table;                         // Snowflake: the table selected from
};

struct SplParseOptions {
    const SplMacroTable* macros = nullptr;  // definitions to expand (none: all kept as units)
    std::string rule;                       // rule name for diagnostics
    bool check_regex = true;                // compile regexes with RE2 and report failures
};

// Parses one SPL query. `at` is where the text starts; positions inside are
// found by counting lines and columns in `text`.
SplQuery parse_spl(std::string_view text, const SourceLoc& at, const SplParseOptions& opt,
                   Diagnostics& diags);

// Parses one Snowflake SQL query (`select ... from T where ...`): the WHERE
// clause becomes the condition, as a single "select" stage.
SplQuery parse_snowflake_sql(std::string_view text, const SourceLoc& at, const SplParseOptions& opt,
                             Diagnostics& diags);

struct SplLoadStats {
    size_t files = 0;              // YAML files read
    size_t rules_loaded = 0;       // detections turned into rules
    size_t rules_failed = 0;       // detection documents rejected (no usable query)
    size_t ssc_rules = 0;          // splunk/security_content detections
    size_t armory_rules = 0;       // Armory rules (SPL and SQL)
    size_t armory_sql_rules = 0;   // of which Snowflake SQL
    size_t with_predicates = 0;    // rules whose condition has at least one predicate
    size_t macros = 0;             // macro definitions loaded
    size_t data_sources = 0;       // data source documents loaded
    size_t skipped_documents = 0;  // YAML documents that are none of the above
};

// A security_content data source (data_sources/*.yml): where its events live.
struct SplDataSource {
    std::string name, source, sourcetype;
};

struct SplCollection {
    std::vector<Rule> rules;
    Diagnostics diagnostics;
    SplLoadStats stats;
    SplMacroTable macros;
    std::map<std::string, SplDataSource, std::less<>> data_sources;  // by name
};

// Loads one YAML file's text: a security_content detection (`search:`), an
// Armory rule (`logic:` + `logic_format:`), a macro (`definition:`) or a data
// source. Macros must be loaded before the detections that use them.
void load_splunk_text(std::string_view text, const std::string& path, SplCollection& out);

// Reads files and directories (recursively, *.yml / *.yaml). Macro and data
// source documents are loaded first, then the detections. When a path lies in
// a security_content checkout (a `detections` folder), the sibling `macros/` and
// `data_sources/` folders are loaded as well.
void load_splunk_paths(const std::vector<std::string>& paths, SplCollection& out);
// The same with `threads` workers (0: one per core, at most 8). The result
// does not depend on the thread count.
void load_splunk_paths(const std::vector<std::string>& paths, SplCollection& out, unsigned threads);

// The search terms a loaded rule keeps in its `search_terms` custom attributes
// (one attribute per term, value "<stage>\t<term>").
std::vector<SplSearchTerm> spl_search_terms(const Rule& r);

}  // namespace sigil
