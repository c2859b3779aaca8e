// convert/target.h — the back-end interface every target implements, the
// knobs of the shared text-query core (TextDialect, modelled on pySigma's
// TextQueryBackend class variables) and helpers the targets share: value
// patterns, regex translation, CIDR expansion.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sigil/convert.h"
#include "sigil/ir.h"
#include "sigil/pipeline.h"

namespace sigil {

// A conversion failure for one rule: a stable code and a message naming the
// feature (the caller adds the rule).
struct ConvertError {
    std::string code;     // e.g. "convert.unsupported.regex"
    std::string message;  // e.g. "regular expressions are not supported by grep"
};

// What a target produces for one rule.
struct TargetOutput {
    std::vector<std::string> queries;  // one per condition, final text for the format
    std::optional<ConvertError> error;
};

class Target {
  public:
    virtual ~Target() = default;
    virtual std::string name() const = 0;
    virtual std::vector<std::string> formats() const { return {"default", "json"}; }
    virtual std::vector<std::string> default_pipelines() const { return {}; }
    // Options this target accepts (`-O key=value`).
    virtual std::vector<std::string> option_names() const { return {}; }
    void set_options(const std::map<std::string, std::string>& o) { options_ = o; }

    // One query per condition of the processed rule (before format framing).
    virtual TargetOutput convert(const ProcessedRule& pr) const = 0;
    // Per-rule framing of the queries for a format (saved search, watch, ...);
    // the queries are moved in, so the default returns them without copies.
    virtual std::vector<std::string> format_rule(const ProcessedRule& pr,
                                                 std::vector<std::string> queries,
                                                 const std::string& format) const;
    // The whole output from every formatted rule item (views into the
    // results, so the corpus output is not copied item by item first).
    virtual std::string finalize_output(const std::vector<std::string_view>& items,
                                        const std::string& format) const;

  protected:
    std::string option(const std::string& key, const std::string& dflt) const {
        auto it = options_.find(key);
        return it == options_.end() ? dflt : it->second;
    }
    std::map<std::string, std::string> options_;
};

std::unique_ptr<Target> make_target(const std::string& name);

// ---------------------------------------------------------------------------
// Value patterns: a string predicate's value as literal runs and wildcards.
// ---------------------------------------------------------------------------

struct PatternPart {
    enum Kind : uint8_t { Lit, Any, One } kind = Lit;
    std::string text;  // Lit only
};
using Pattern = std::vector<PatternPart>;

// Eq/Contains/StartsWith/EndsWith/Glob string predicate → pattern.
Pattern pattern_of(const Pred& p);
Pattern parse_glob(const std::string& canonical);
bool has_wildcards(const Pattern& pat);
// Shape of a pattern for choosing a template.
enum class Shape { Exact, Prefix, Suffix, Contains, Glob };
Shape shape_of(const Pattern& pat, std::string& literal);  // literal set unless Glob
// A pattern as a regular expression body (PCRE syntax, unanchored parts).
std::string pattern_to_regex(const Pattern& pat, bool anchored);
std::string regex_escape(const std::string& s);
void regex_escape_to(std::string& out, std::string_view s);  // appends regex_escape(s)

// ---------------------------------------------------------------------------
// Regular expressions
// ---------------------------------------------------------------------------

// Translates an RE2/PCRE-syntax regex with search semantics into a Lucene
// regexp (whole-term match), folding the `i` flag into bracket classes.
// Returns false with `err` set for constructs Lucene cannot express.
bool regex_to_lucene(const std::string& re, uint8_t flags, std::string& out, std::string& err);

// CIDR → OR of prefix predicates (IPv4); false for IPv6 or invalid networks.
bool cidr_to_prefixes(const std::string& cidr, std::vector<std::string>& prefixes,
                      std::string& err);

// `{name}` substitution in a template (no escapes; unknown names left as is).
std::string fill(const std::string& tpl,
                 std::initializer_list<std::pair<const char*, std::string_view>> vars);

std::string json_quote(const std::string& s);              // "…" with JSON escaping
void json_quote_to(std::string& out, std::string_view s);  // appends json_quote(s)

// ---------------------------------------------------------------------------
// The text-query core
// ---------------------------------------------------------------------------

struct TextDialect {
    // Boolean structure.
    std::string or_token = "OR", and_token = "AND", not_token = "NOT";
    std::string token_separator = " ";
    std::string not_separator = " ";  // between not_token and its operand
    // Wraps a NOT's operand, e.g. "coalesce({expr}, 0)" where three-valued
    // logic would turn NOT of a null comparison into null (SQL, ES|QL).
    std::string not_operand;
    std::string group_expression = "({expr})";
    bool parenthesize = false;      // group every non-leaf child
    bool or_binds_tighter = false;  // Splunk: NOT > OR > AND
    // Long AND/OR chains are grouped in chunks of this many operands so parsers
    // with an expression depth limit (SQLite: 1000) accept them; 0 = never.
    size_t chunk_operands = 0;

    // Field names: characters escaped with field_escape, and a quote put
    // around names that do not fully match field_plain_pattern (RE2).
    std::string field_escape_chars;
    std::string field_escape = "\\";
    std::string field_quote;
    std::string field_plain_pattern;

    // String values.
    enum class Quote { Always, Never, UnlessWildcard } quote_mode = Quote::Always;
    std::string str_quote = "\"";
    std::string escape_char = "\\";
    std::string add_escaped;  // characters escaped with escape_char in literal runs
    // Literal characters equal to a target wildcard get wildcard_escape (default:
    // escape_char); in exact values only when escape_wildcards_in_exact.
    std::string wildcard_escape = "\\";
    bool escape_wildcards_in_exact = true;
    std::string wildcard_multi = "*", wildcard_single = "?";  // empty: unsupported
    bool lowercase_values = false;                            // e.g. SQL LIKE with lower()
    std::string wildcard_field_suffix;  // appended to the field when a value has wildcards

    // String expressions, {field} {value}; empty startswith/endswith/contains
    // fall back to eq_expression with the wildcards written into the value.
    // When `*_literal` is true the template takes the bare literal (no wildcard).
    std::string eq_expression = "{field}={value}";
    std::string wildcard_expression;  // values with wildcards (default: eq_expression)
    std::string startswith_expression, endswith_expression, contains_expression;
    bool string_ops_take_literal = false;
    // Case: whether the plain expressions above match case-insensitively.
    bool plain_is_case_insensitive = true;
    // For targets whose plain matching is case-sensitive: wrap the field
    // (e.g. "TO_LOWER({field})") and lowercase the value to match insensitively.
    std::string ci_field_wrap;
    // Case-sensitive (`cased`) expressions; empty = fall back as described above.
    std::string cs_eq_expression, cs_wildcard_expression, cs_startswith_expression,
        cs_endswith_expression, cs_contains_expression;

    // Numbers and booleans.
    std::string num_eq_expression = "{field}={value}";
    std::string bool_eq_expression;  // default: num_eq_expression
    std::string bool_true = "true", bool_false = "false";
    bool bool_supported = true;
    bool quote_numbers = false;

    // Regular expressions: {field} {regex}.
    enum class ReFlavor { Pcre, Lucene, Posix } re_flavor = ReFlavor::Pcre;
    std::string re_expression, not_re_expression;
    std::string re_ci_expression;  // used for flag i when re_flag_prefix is false
    bool re_flag_prefix = true;    // prepend (?ims)
    std::string re_escape_chars;   // characters escaped with re_escape_char in {regex}
    std::string re_escape_char = "\\";
    bool re_escape_escape_char = false;  // also double the escape char itself
    // Deferred regex (Splunk `| regex`): only for top-level conjuncts.
    std::string deferred_re_expression, deferred_not_re_expression;

    // CIDR: {field} {value}; empty = expand IPv4 networks into prefixes.
    std::string cidr_expression;

    // Comparisons: {field} {op} {value}.
    std::string compare_expression = "{field}{op}{value}";
    std::string lt = "<", lte = "<=", gt = ">", gte = ">=";

    // Field references: {field1} {field2}; empty = unsupported.
    std::string fieldref_expression, fieldref_contains_expression, fieldref_startswith_expression,
        fieldref_endswith_expression;
    // Case-sensitive field references (`fieldref|cased`); empty while the plain
    // template exists = an error (the plain ones compare case-insensitively).
    std::string cs_fieldref_expression, cs_fieldref_contains_expression,
        cs_fieldref_startswith_expression, cs_fieldref_endswith_expression;

    // Null (absent or null) and existence: {field}.
    std::string null_expression, exists_expression, not_exists_expression;

    // In-lists: {field} {list}; empty = never.
    std::string in_expression, cs_in_expression;
    std::string list_separator = ", ";
    bool in_allow_wildcards = false;
    bool in_allow_numbers = true;

    // Keywords (predicates without a field): {value} / {regex}; empty = unsupported.
    std::string kw_str_expression, kw_num_expression, kw_re_expression;
    bool kw_substring_wildcards = false;  // render keyword values as *value*

    // The query frame: {query}, {table} and other options.
    std::string query_expression = "{query}";
};

// A target built on the text core. Subclasses set the dialect and may
// override any step.
class TextTarget : public Target {
  public:
    TargetOutput convert(const ProcessedRule& pr) const override;

  protected:
    TextDialect d;
    mutable std::shared_ptr<re2::RE2> field_plain_re_;  // compiled field_plain_pattern
    struct CharClass {
        uint8_t value[256] = {};      // value(): 1 = escape with escape_char, 2 = wildcard char
        uint8_t field[256] = {};      // field(): 1 = escape with field_escape
        std::string and_sep, or_sep;  // tok(and_token), tok(or_token)
    };
    mutable std::shared_ptr<const CharClass> char_class_;  // built on first use
    mutable std::once_flag char_class_once_;
    const CharClass& char_class() const;

    struct Ctx {
        const ProcessedRule* pr = nullptr;
        std::vector<std::string> deferred;
    };
    // Renders an expression; false with err set when some part cannot be expressed.
    virtual bool render(const ExprPtr& e, Ctx& c, std::string& out, ConvertError& err,
                        int parent_prec) const;
    virtual bool render_pred(const Pred& p, bool negated, Ctx& c, std::string& out,
                             ConvertError& err) const;
    virtual bool render_string(const Pred& p, std::string& out, ConvertError& err) const;
    virtual bool render_regex(const Pred& p, bool negated, std::string& out,
                              ConvertError& err) const;
    virtual bool render_keyword(const Pred& p, std::string& out, ConvertError& err) const;
    virtual bool render_in_list(const ExprPtr& e, Ctx& c, std::string& out) const;
    virtual std::string frame(const ProcessedRule& pr, const std::string& query,
                              const std::vector<std::string>& deferred) const;

    virtual std::string field(const std::string& name) const;
    // A string value (pattern) rendered with quoting/escaping; false on an
    // unsupported wildcard.
    virtual bool value(const Pattern& pat, std::string& out, ConvertError& err) const;
    virtual std::string literal(const std::string& s) const;  // quoted, escaped literal
    virtual std::string escape_regex(const std::string& re) const;
    std::string number(const Value& v) const;

    // Translated regex (flavor and flags) or false.
    bool regex_text(const Pred& p, std::string& out, ConvertError& err, bool& ci_flag) const;
    std::string group(const std::string& s) const {
        return fill(d.group_expression, {{"expr", s}});
    }
    std::string tok(const std::string& t) const {
        return d.token_separator + t + d.token_separator;
    }
};

ConvertError unsupported(const std::string& target, const std::string& feature);

}  // namespace sigil
