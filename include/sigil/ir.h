// sigil/ir.h — the predicate IR: rules, log sources, boolean expressions over
// predicates, correlations, and the diagnostics every front-end reports.
// This is the one place meaning lives; front-ends produce it, back-ends read it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigil {

// ---------------------------------------------------------------------------
// Source locations and diagnostics
// ---------------------------------------------------------------------------

// A position in an input file, 1-based; line 0 means "whole file".
struct SourceLoc {
    std::shared_ptr<const std::string> file;  // shared by every location of one file
    uint32_t line = 0;
    uint32_t col = 0;

    std::string str() const;  // "path:line:col" (or "path" when line is 0)
};

enum class Severity : uint8_t { Error, Warning, Info };
const char* severity_name(Severity s);

// A problem found in user input. `code` is stable (documented in docs/diagnostics.md).
struct Diagnostic {
    Severity severity = Severity::Error;
    std::string code;     // e.g. "sigma.modifier.unknown"
    std::string message;  // one sentence, names the offending thing
    SourceLoc loc;
    std::string rule;  // rule title or id when known, for reports
};

using Diagnostics = std::vector<Diagnostic>;

// ---------------------------------------------------------------------------
// Values and predicates
// ---------------------------------------------------------------------------

enum class ValueKind : uint8_t { Null, Bool, Int, Float, String };

// A scalar from a rule. Strings are plain literals except for Op::Glob, where
// the text uses the canonical glob escaping (see Pred).
// d as an int64_t when it is a whole number within int64's range; false for
// fractions, NaN, infinities and wholes beyond 2^63 (converting those is
// undefined behaviour: fuzz/spl_query, fuzz/spl_yaml).
bool exact_int64(double d, int64_t& out);

struct Value {
    ValueKind kind = ValueKind::Null;
    bool b = false;
    int64_t i = 0;
    double f = 0;
    std::string s;

    static Value null() { return {}; }
    static Value boolean(bool v) {
        Value x;
        x.kind = ValueKind::Bool;
        x.b = v;
        return x;
    }
    static Value integer(int64_t v) {
        Value x;
        x.kind = ValueKind::Int;
        x.i = v;
        return x;
    }
    static Value real(double v) {
        Value x;
        x.kind = ValueKind::Float;
        x.f = v;
        return x;
    }
    static Value string(std::string v) {
        Value x;
        x.kind = ValueKind::String;
        x.s = std::move(v);
        return x;
    }
    bool is_number() const { return kind == ValueKind::Int || kind == ValueKind::Float; }
    double number() const { return kind == ValueKind::Int ? double(i) : f; }
    // Text form: strings as-is, numbers in shortest decimal form, bools true/false, null "null".
    std::string text() const;
    bool operator==(const Value& o) const;
};

// What a predicate tests. For string operators the value is compared with the
// event's field value as text.
//   Eq          whole value equals (strings: literal; numbers: numeric equality
//               or the decimal text; bool; Null = field absent or null)
//   Contains / StartsWith / EndsWith   literal substring / prefix / suffix
//   Glob        wildcard match of the whole value: `*` any run, `?` one
//               character; `\*` `\?` `\\` are literal (canonical escaping, no
//               other backslash escapes appear)
//   Regex       value.s is a regular expression (RE2 syntax; search semantics),
//               flags in Pred::re_flags
//   Cidr        value.s is a network "a.b.c.d/n" or IPv6 "x::/n"
//   Exists      value.b: true = field present (any value), false = absent
//   Lt Lte Gt Gte   numeric comparison; non-numeric event values never match
//   FieldRef*   value.s names another field; equal / contains / starts / ends
// Keyword predicates have an empty field: they search every field of the event.
enum class Op : uint8_t {
    Eq,
    Contains,
    StartsWith,
    EndsWith,
    Glob,
    Regex,
    Cidr,
    Exists,
    Lt,
    Lte,
    Gt,
    Gte,
    FieldRef,
    FieldRefContains,
    FieldRefStartsWith,
    FieldRefEndsWith,
};
const char* op_name(Op op);

// Part of a timestamp a predicate compares (Sigma's time modifiers).
enum class TimePart : uint8_t { None, Minute, Hour, Day, Week, Month, Year };
const char* time_part_name(TimePart t);

enum ReFlag : uint8_t { ReIgnoreCase = 1, ReMultiLine = 2, ReDotAll = 4 };

struct Pred {
    std::string field;  // empty: keyword search over the whole event
    Op op = Op::Eq;
    Value value;
    bool cased = false;  // case-sensitive string match (Sigma `cased`)
    uint8_t re_flags = 0;
    TimePart time_part = TimePart::None;  // compare this part of a timestamp field
    // The value holds `%name%` placeholders (Sigma `expand`) that a pipeline must
    // resolve; `\%` is a literal percent. Executors reject unresolved ones.
    bool placeholders = false;
    SourceLoc loc;

    bool is_keyword() const { return field.empty(); }
    uint64_t hash() const;                 // structural; ignores loc
    bool same_logic(const Pred& o) const;  // structural equality; ignores loc
    std::string str() const;               // printer: `Image endswith "\\cmd.exe"`
};

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

enum class ExprKind : uint8_t { And, Or, Not, Pred, True, False };

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
    ExprKind kind = ExprKind::True;
    std::vector<ExprPtr> kids;         // And/Or: 0..n, Not: exactly 1
    std::shared_ptr<const Pred> pred;  // kind == Pred
    uint64_t hash = 0;                 // structural hash, set by the constructors

    static ExprPtr make_true();
    static ExprPtr make_false();
    static ExprPtr make_pred(Pred p);
    static ExprPtr make_not(ExprPtr e);
    static ExprPtr make_and(std::vector<ExprPtr> kids);
    static ExprPtr make_or(std::vector<ExprPtr> kids);
};

// Structural equality (uses hashes first, then compares).
bool same_logic(const ExprPtr& a, const ExprPtr& b);

// Normal form: nested And/Or flattened, True/False folded, double negation
// removed, duplicate children dropped, children ordered by hash. Two
// expressions with the same logic written differently normalize to equal trees.
ExprPtr normalize(const ExprPtr& e);

// Printer: a readable, parseable-by-humans form, e.g.
//   (EventID = 4688 and Image endswith "\\psexesvc.exe") and not (User = "SYSTEM")
std::string to_string(const ExprPtr& e);

// Collects every predicate of an expression, in order.
void collect_preds(const ExprPtr& e, std::vector<const Pred*>& out);

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

struct LogSource {
    std::string category, product, service, definition;
    std::vector<std::pair<std::string, std::string>> custom;  // other keys
    bool empty() const { return category.empty() && product.empty() && service.empty(); }
    // A contains B when every attribute set in A equals B's (LOG-CONTAINMENT).
    bool contains(const LogSource& b) const;
};

enum class RuleKind : uint8_t { Detection, Correlation, Filter };
enum class RuleSource : uint8_t { Sigma, SplunkSecurityContent, Armory };
const char* rule_source_name(RuleSource s);

enum class CmpOp : uint8_t { Gt, Gte, Lt, Lte, Eq, Neq };
const char* cmp_op_name(CmpOp op);

// A Sigma correlation (CORR-*). References are resolved after loading.
struct Correlation {
    enum class Type : uint8_t {
        EventCount,
        ValueCount,
        Temporal,
        TemporalOrdered,
        ValueSum,
        ValueAvg,
        ValuePercentile,
        ValueMedian
    };
    Type type = Type::EventCount;
    std::vector<std::string> rules;  // ids or names as written
    std::vector<std::string> group_by;
    uint64_t timespan_seconds = 0;
    std::string timespan_text;                        // as written, e.g. "90m"
    std::vector<std::pair<CmpOp, double>> condition;  // ANDed; empty for defaulted temporal
    std::vector<std::string> condition_fields;        // value_* types
    std::optional<double> percentile;
    std::string extended_condition;  // temporal: boolean expression over rule names
    // alias -> (rule name/id -> field)
    std::map<std::string, std::map<std::string, std::string>> aliases;
    bool generate = false;
    static const char* type_name(Type t);
};

// One pipeline stage of a pipeline language (SPL): its command and text, plus
// the predicates it applies when it is a filtering stage.
struct Stage {
    std::string command;  // "search", "tstats", "where", "stats", "rename", ...
    std::string text;     // normalized text of the stage
    ExprPtr expr;         // filtering logic of this stage, if any
    SourceLoc loc;
};

struct RelatedRule {
    std::string id;
    std::string type;
};

struct Rule {
    RuleKind kind = RuleKind::Detection;
    RuleSource source = RuleSource::Sigma;
    SourceLoc loc;  // the document's start

    // identity and metadata
    std::string id, name, title, description, status, level, author, license, taxonomy;
    std::string date, modified;
    std::vector<std::string> tags, references, falsepositives, fields, scope;
    std::vector<RelatedRule> related;
    std::vector<std::pair<std::string, std::string>> custom;  // other top-level keys (flow text)

    LogSource logsource;

    // Detection: the named search identifiers (after modifiers), and one expression
    // per entry of the condition list (DET-CONDITION-LIST: results are ORed).
    std::vector<std::pair<std::string, ExprPtr>> detections;
    std::vector<ExprPtr> conditions;
    std::vector<std::string> condition_text;  // as written

    // Filter documents: the rules they apply to ("any" = empty + filter_any).
    std::vector<std::string> filter_rules;
    bool filter_any = false;

    std::vector<Stage> stages;  // pipeline languages
    std::optional<Correlation> correlation;

    // The whole detection as one expression (OR of conditions).
    ExprPtr expr() const;
};

}  // namespace sigil
