// spl/internal.h — pieces shared by the SPL front-end's files: positioned
// text, macro expansion, the SPL lexer, the eval/SQL expression tree and its
// lowering to IR predicates. Not part of the public API.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sigil/ir.h"
#include "sigil/spl.h"

namespace sigil::spl {

// ---------------------------------------------------------------------------
// Positioned text
// ---------------------------------------------------------------------------

struct CharLoc {
    uint32_t line = 0, col = 0;
};

// A text with the file position of every byte (and one past the end).
struct MappedText {
    std::string text;
    std::shared_ptr<const std::string> file;
    std::vector<CharLoc> locs;  // text.size() + 1 entries
    SourceLoc at(size_t off) const;
};

// Positions by counting lines and columns from `start`.
MappedText map_plain(std::string_view text, const SourceLoc& start);

// Positions of a YAML scalar's value inside the raw file bytes [raw_b, raw_e)
// (quotes, folding and escapes included), starting at line/col (1-based).
MappedText map_yaml_scalar(std::string value, std::string_view raw, size_t raw_b, size_t raw_e,
                           uint32_t line, uint32_t col, std::shared_ptr<const std::string> file);

// ---------------------------------------------------------------------------
// Macro expansion
// ---------------------------------------------------------------------------

// Where a character of the expanded query comes from.
struct ExpandedChar {
    uint32_t line = 0, col = 0;
    uint32_t file = 0;              // index into Expanded::files
    uint32_t top_b = 0, top_e = 0;  // the span of the original query it stands for
    uint32_t inv = 0;               // 1 + index of the top-level macro invocation, or 0
};

// The query after macro expansion and comment removal.
struct Expanded {
    std::string text;
    std::vector<ExpandedChar> src;  // text.size() + 1 entries
    std::vector<std::shared_ptr<const std::string>> files;
    std::string original;  // the query as written
    struct Invocation {
        uint32_t b = 0, e = 0;  // range in `text`
    };
    std::vector<Invocation> invocations;

    SourceLoc loc(size_t off) const;
    void push(char c, const ExpandedChar& from);
};

// Parsing context shared by all stages of one query.
struct Ctx {
    const SplParseOptions* opt = nullptr;
    Diagnostics* diags = nullptr;
    SplQuery* query = nullptr;
    int depth = 0;     // subsearch nesting
    size_t stage = 0;  // 1-based number of the top-level stage being parsed

    void diag(Severity s, const char* code, std::string msg, const SourceLoc& loc) const;
};

Expanded expand_macros(const MappedText& q, Ctx& ctx);

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

enum class Tok : uint8_t {
    End,
    Word,    // search word / eval identifier or number
    String,  // "..." (text unescaped)
    Field,   // eval 'quoted field'
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Cmp,    // = == != < <= > >=
    Arith,  // + - * / % .
    Macro,  // `name(args)` kept as a unit
    Pipe,
};

// Search-language words and strings know which `*` are wildcards.
struct Token {
    Tok kind = Tok::End;
    uint32_t b = 0, e = 0;       // range in the expanded text
    std::string text;            // unescaped (strings, words); operator text
    std::vector<uint32_t> wild;  // positions in `text` of wildcard `*` (search mode)
    bool number = false;         // eval mode: a numeric literal
};

enum class LexMode : uint8_t {
    Search,  // search language: * - / . are word characters, OR/AND/NOT upper case
    Value,   // value after a comparison in search language: = < > ! , allowed
    Eval,    // eval/where/SQL expressions
};

class Lexer {
  public:
    Lexer(const Expanded& x, size_t b, size_t e) : x_(x), pos_(b), end_(e) {}
    Token next(LexMode m);
    Token peek(LexMode m);
    size_t pos() const { return pos_; }
    size_t end() const { return end_; }
    void seek(size_t p) { pos_ = p; }
    void skip_ws();
    bool at_end() {
        skip_ws();
        return pos_ >= end_;
    }
    // The position just after the bracket/paren matching the one at `open`
    // (quotes respected); `end` when unbalanced.
    size_t match_close(size_t open) const;
    const Expanded& text() const { return x_; }
    bool sql = false;  // SQL strings: single quotes, '' and backslash escapes

  private:
    Token scan(LexMode m);
    const Expanded& x_;
    size_t pos_, end_;
    // one-token lookahead cache
    bool peeked_ = false, peek_sql_ = false;
    LexMode peek_mode_ = LexMode::Search;
    size_t peek_pos_ = 0, peek_after_ = 0;
    Token peek_tok_;
};

// Unescapes an SPL double-quoted string body: `\\` and `\"` lose the
// backslash, other backslashes stay.
std::string unescape_spl(std::string_view s);

// ---------------------------------------------------------------------------
// Expression trees (eval/where and SQL) and their lowering to IR
// ---------------------------------------------------------------------------

struct ENode;
using ENodePtr = std::shared_ptr<const ENode>;

struct ENode {
    enum Kind : uint8_t { Field, Str, Num, Bool, Null, Call, Unary, Binary, Placeholder } kind;
    std::string text;  // field name, string value, function name (lower case), operator
    double num = 0;
    bool is_int = false;
    int64_t i = 0;
    std::vector<ENodePtr> kids;
    uint32_t b = 0, e = 0;  // range in the expanded text
};

enum class Dialect : uint8_t { Eval, Sql };

// Parses an eval expression from the lexer; stops before a top-level `,` or
// end. Returns null (with a diagnostic) on a syntax error.
ENodePtr parse_eval_expr(Lexer& lx, Ctx& ctx, Dialect d);

// Eval definitions seen in earlier stages: field -> expression.
using EvalEnv = std::unordered_map<std::string, ENodePtr>;

// Lowers a boolean expression to IR. Returns null for "unknown": a part that
// no predicate can express. Unknown parts of a conjunction are dropped (the
// condition becomes wider than the rule, never narrower) and each gets a
// diagnostic; inside Or/Not an unknown part makes the whole unknown.
ExprPtr lower_bool(const ENodePtr& n, const Expanded& x, Ctx& ctx, Dialect d, const EvalEnv* env,
                   const char* where);

// Combinators that treat null as unknown.
ExprPtr and_of(std::vector<ExprPtr> kids);
ExprPtr or_of(std::vector<ExprPtr> kids);
ExprPtr not_of(ExprPtr k);

// Builds the predicate for an SPL search value (with wildcard positions).
// `field` empty = keyword. Case-insensitive unless `cased`.
ExprPtr search_value_pred(const std::string& field, const std::string& text,
                          const std::vector<uint32_t>& wild, bool cased, bool quoted,
                          const SourceLoc& loc);

// Regex predicate; strips a leading (?i) into the flag; validates the pattern.
ExprPtr regex_pred(const std::string& field, std::string re, const SourceLoc& loc, Ctx& ctx);

// Canonical glob text of a literal (escapes * ? \).
std::string glob_escape(std::string_view s);

// Parses a search-language expression from the lexer until the end, a `|`
// at depth 0 or a stop word. Records search terms for `stage`.
ExprPtr parse_search_expr(Lexer& lx, Ctx& ctx, size_t stage,
                          const std::vector<std::string_view>& stop_words);

// Parses a whole pipeline (top-level or subsearch) in [b, e) of the expanded text.
std::vector<Stage> parse_pipeline(const Expanded& x, size_t b, size_t e, Ctx& ctx);

// The whole query front-ends on positioned text (the loaders use these).
SplQuery parse_spl_mapped(const MappedText& m, const SplParseOptions& opt, Diagnostics& diags);
SplQuery parse_sql_mapped(const MappedText& m, const SplParseOptions& opt, Diagnostics& diags);

std::string lower_ascii(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string collapse_ws(std::string_view s);

}  // namespace sigil::spl
