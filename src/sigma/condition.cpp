// sigma/condition.cpp — the Sigma condition grammar: tokenizer and recursive-
// descent parser from a condition string to an IR expression.
#include <algorithm>

#include "sigma/sigma_internal.h"

namespace sigil::sigma {

namespace {

struct Token {
    enum Kind { Word, LParen, RParen, Pipe, End, Bad } kind;
    std::string text;
    size_t pos;
};

/* Tokenizing whole words (COND-IDENT-OPERATOR-PREFIX): a word is a run of
 * [A-Za-z0-9_*-] and operators are recognized only as whole, lowercase words,
 * so `notice`, `not_x` and `sel ordinal` are identifiers, not operators.
 */
std::vector<Token> tokenize(const std::string& s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (std::isspace((unsigned char)c)) {
            ++i;
        } else if (c == '(') {
            out.push_back({Token::LParen, "(", i++});
        } else if (c == ')') {
            out.push_back({Token::RParen, ")", i++});
        } else if (c == '|') {
            out.push_back({Token::Pipe, "|", i++});
        } else if (std::isalnum((unsigned char)c) || c == '_' || c == '*' || c == '-') {
            size_t b = i;
            while (i < s.size() && (std::isalnum((unsigned char)s[i]) || s[i] == '_' ||
                                    s[i] == '*' || s[i] == '-'))
                ++i;
            out.push_back({Token::Word, s.substr(b, i - b), b});
        } else {
            out.push_back({Token::Bad, std::string(1, c), i++});
        }
    }
    out.push_back({Token::End, "", s.size()});
    return out;
}

bool glob_match(const std::string& pat, const std::string& s) {
    // '*' only (COND-1OF-PATTERN); iterative with backtracking to the last star
    size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    while (t < s.size()) {
        if (p < pat.size() && pat[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pat.size() && pat[p] == s[t]) {
            ++p;
            ++t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pat.size() && pat[p] == '*') ++p;
    return p == pat.size();
}

/* Grammar (COND-PRECEDENCE), least to most binding:
 *   or_expr   := and_expr ("or" and_expr)*
 *   and_expr  := not_expr ("and" not_expr)*
 *   not_expr  := "not" not_expr | primary
 *   primary   := "(" or_expr ")" | quantifier "of" (pattern | "them") | identifier
 *   quantifier:= "1" | "any" | "all"
 * A quantified pattern that matches no identifier is dropped as a neutral term
 * (COND-PATTERN-NOMATCH, as pySigma) with a warning; `null` results propagate
 * that: and/or skip them, not of nothing is nothing. Nesting is bounded so a
 * hostile 100,000-deep condition ends in a diagnostic, not a stack overflow.
 */
struct Parser {
    const std::vector<Token>& toks;
    const std::string& text;
    const YamlNode& at;
    const std::vector<SearchIdentifier>& idents;
    DocContext& ctx;
    std::set<std::string>& used;
    size_t i = 0;
    int depth = 0;
    bool err = false;
    static constexpr int kMaxDepth = 256;

    const Token& peek() const { return toks[i]; }
    bool word(const char* w) const { return toks[i].kind == Token::Word && toks[i].text == w; }
    void fail(const std::string& code, const std::string& msg) {
        if (err) return;
        err = true;
        SourceLoc l = ctx.loc(at);
        size_t off = toks[std::min(i, toks.size() - 1)].pos;
        // A one-line plain or quoted scalar maps offsets to columns exactly.
        if (text.find('\n') == std::string::npos) l.col += uint32_t(off);
        ctx.report_at(
            Severity::Error, code,
            msg + " (in condition '" + excerpt(text) + "' at offset " + std::to_string(off) + ")",
            l);
    }
    static bool is_reserved(const std::string& w) {
        return w == "and" || w == "or" || w == "not" || w == "of" || w == "them";
    }
    // Result: {ok, expr}; expr null = neutral (dropped).
    ExprPtr parse_or(bool& neutral) {
        std::vector<ExprPtr> kids;
        bool any = false;
        for (;;) {
            bool n = false;
            ExprPtr e = parse_and(n);
            if (err) return nullptr;
            if (!n) {
                kids.push_back(e);
                any = true;
            }
            if (!word("or")) break;
            ++i;
        }
        neutral = !any;
        return any ? Expr::make_or(std::move(kids)) : nullptr;
    }
    ExprPtr parse_and(bool& neutral) {
        std::vector<ExprPtr> kids;
        bool any = false;
        for (;;) {
            bool n = false;
            ExprPtr e = parse_not(n);
            if (err) return nullptr;
            if (!n) {
                kids.push_back(e);
                any = true;
            }
            if (!word("and")) break;
            ++i;
        }
        neutral = !any;
        return any ? Expr::make_and(std::move(kids)) : nullptr;
    }
    ExprPtr parse_not(bool& neutral) {
        if (word("not")) {
            ++i;
            if (++depth > kMaxDepth) {
                fail("sigma.condition.too_deep", "condition nests deeper than 256 levels");
                return nullptr;
            }
            ExprPtr e = parse_not(neutral);
            --depth;
            if (err || neutral) return nullptr;
            return Expr::make_not(e);
        }
        return parse_primary(neutral);
    }
    ExprPtr parse_primary(bool& neutral) {
        neutral = false;
        const Token& t = peek();
        if (t.kind == Token::LParen) {
            ++i;
            if (++depth > kMaxDepth) {
                fail("sigma.condition.too_deep", "condition nests deeper than 256 levels");
                return nullptr;
            }
            ExprPtr e = parse_or(neutral);
            --depth;
            if (err) return nullptr;
            if (peek().kind != Token::RParen) {
                fail("sigma.condition.syntax", "missing ')'");
                return nullptr;
            }
            ++i;
            return e;
        }
        if (t.kind == Token::Pipe) {
            fail("sigma.condition.aggregation",
                 "the '|' aggregation syntax of Sigma v1 is not supported; write a correlation "
                 "rule instead");
            return nullptr;
        }
        if (t.kind != Token::Word) {
            fail("sigma.condition.syntax",
                 t.kind == Token::End ? "condition ends where an identifier was expected"
                                      : "unexpected '" + t.text + "'");
            return nullptr;
        }
        // quantifier?
        if (toks[i + 1].kind == Token::Word && toks[i + 1].text == "of") {
            std::string q = t.text;
            if (q != "1" && q != "any" && q != "all") {
                fail("sigma.condition.quantifier",
                     "'" + q + " of' is not supported; use '1 of', 'any of' or 'all of'");
                return nullptr;
            }
            i += 2;
            const Token& p = peek();
            if (p.kind != Token::Word || (is_reserved(p.text) && p.text != "them")) {
                fail("sigma.condition.syntax", "'" + q + " of' needs a pattern or 'them'");
                return nullptr;
            }
            ++i;
            return quantified(q == "all", p.text, neutral);
        }
        if (is_reserved(t.text)) {
            fail("sigma.condition.syntax", "unexpected '" + t.text + "'");
            return nullptr;
        }
        ++i;
        for (auto& id : idents)
            if (id.name == t.text) {
                used.insert(id.name);
                if (id.failed) return Expr::make_true();  // already reported
                if (!id.expr) {
                    fail("sigma.condition.empty_identifier",
                         "search identifier '" + t.text + "' is empty and cannot be used");
                    return nullptr;
                }
                return id.expr;
            }
        std::string hint;
        std::string low = t.text;
        std::transform(low.begin(), low.end(), low.begin(), ::tolower);
        if (low == "and" || low == "or" || low == "not" || low == "of" || low == "them")
            hint = " (operators are lowercase: '" + low + "')";
        if (t.text.find('*') != std::string::npos)
            hint = " (a pattern needs a quantifier: '1 of " + t.text + "')";
        --i;  // point the diagnostic at the identifier itself
        fail("sigma.condition.undefined", "undefined search identifier '" + t.text + "'" + hint);
        return nullptr;
    }
    // COND-1OF-*, COND-ALLOF-*, COND-THEM-UNDERSCORE, COND-ALLOF-SINGLE-IDENT
    ExprPtr quantified(bool all, const std::string& pat, bool& neutral) {
        if (pat != "them" && pat.find('-') != std::string::npos && pat.find('*') != std::string::npos) {
            // COND-PATTERN-CHARS: pySigma rejects '-' in patterns; we accept it
        }
        std::vector<const SearchIdentifier*> hit;
        bool them = pat == "them";
        for (auto& id : idents) {
            bool underscore = !id.name.empty() && id.name[0] == '_';
            bool m = them ? !underscore
                          : glob_match(pat, id.name) && (!underscore || pat[0] == '_');
            if (m) hit.push_back(&id);
        }
        if (hit.empty()) {
            ctx.report_at(Severity::Warning, "sigma.validator.dangling_condition",
                          "'" + pat + "' matches no search identifier; the term is dropped",
                          ctx.loc(at));
            neutral = true;
            return nullptr;
        }
        std::vector<ExprPtr> kids;
        for (auto* id : hit) {
            used.insert(id->name);
            if (id->failed) {
                kids.push_back(Expr::make_true());
                continue;
            }
            if (!id->expr) {
                fail("sigma.condition.empty_identifier",
                     "search identifier '" + id->name + "' is empty and cannot be used");
                return nullptr;
            }
            kids.push_back(id->expr);
        }
        return all ? Expr::make_and(std::move(kids)) : Expr::make_or(std::move(kids));
    }
};

}  // namespace

ExprPtr parse_condition(const std::string& text, const YamlNode& at,
                        const std::vector<SearchIdentifier>& idents, DocContext& ctx,
                        std::set<std::string>& used) {
    auto toks = tokenize(text);
    Parser p{toks, text, at, idents, ctx, used};
    if (toks.size() == 1) {
        p.fail("sigma.condition.empty", "the condition is empty");
        return nullptr;
    }
    for (auto& t : toks)
        if (t.kind == Token::Pipe) {
            p.i = size_t(&t - &toks[0]);
            p.fail("sigma.condition.aggregation",
                   "the '|' aggregation syntax of Sigma v1 is not supported; write a correlation "
                   "rule instead");
            return nullptr;
        }
    for (auto& t : toks)
        if (t.kind == Token::Bad) {
            p.i = size_t(&t - &toks[0]);
            p.fail("sigma.condition.syntax", "unexpected character '" + t.text + "'");
            return nullptr;
        }
    bool neutral = false;
    ExprPtr e = p.parse_or(neutral);
    if (p.err) return nullptr;
    if (p.peek().kind != Token::End) {
        p.fail(p.peek().kind == Token::Pipe ? "sigma.condition.aggregation"
                                             : "sigma.condition.syntax",
               p.peek().kind == Token::Pipe
                   ? "the '|' aggregation syntax of Sigma v1 is not supported; write a "
                     "correlation rule instead"
                   : "unexpected '" + p.peek().text + "' after a complete condition");
        return nullptr;
    }
    if (neutral) {
        ctx.report_at(
            Severity::Error, "sigma.condition.nothing",
            "the condition '" + excerpt(text) + "' selects nothing: every term was dropped",
            ctx.loc(at));
        return nullptr;
    }
    return e;
}

}  // namespace sigil::sigma
