// spl/expr.cpp — eval/where and SQL expression trees: the parser, and the
// lowering of boolean expressions to IR predicates (match → Regex, like →
// Contains/Glob, cidrmatch → Cidr, isnull → Eq null, comparisons → Eq/Lt/...).
// Also the value classification shared with the search language.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <re2/re2.h>

#include <cmath>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

#include "spl/internal.h"

namespace sigil::spl {

// ---------------------------------------------------------------------------
// Combinators over "maybe unknown" expressions (null = unknown)
// ---------------------------------------------------------------------------

ExprPtr and_of(std::vector<ExprPtr> kids) {
    std::vector<ExprPtr> out;
    bool any_known = false;
    for (auto& k : kids) {
        if (!k) continue;
        any_known = true;
        if (k->kind == ExprKind::True) continue;
        if (k->kind == ExprKind::And) {
            for (auto& g : k->kids) out.push_back(g);
        } else {
            out.push_back(k);
        }
    }
    if (!any_known) return nullptr;
    if (out.empty()) return Expr::make_true();
    return Expr::make_and(std::move(out));
}

ExprPtr or_of(std::vector<ExprPtr> kids) {
    std::vector<ExprPtr> out;
    for (auto& k : kids) {
        if (!k) return nullptr;
        if (k->kind == ExprKind::True) return k;
        if (k->kind == ExprKind::False) continue;
        if (k->kind == ExprKind::Or) {
            for (auto& g : k->kids) out.push_back(g);
        } else {
            out.push_back(k);
        }
    }
    if (out.empty()) return Expr::make_false();
    return Expr::make_or(std::move(out));
}

ExprPtr not_of(ExprPtr k) {
    if (!k) return nullptr;
    if (k->kind == ExprKind::True) return Expr::make_false();
    if (k->kind == ExprKind::False) return Expr::make_true();
    return Expr::make_not(std::move(k));
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

std::string glob_escape(std::string_view s) {
    std::string r;
    r.reserve(s.size() + 4);
    for (char c : s) {
        if (c == '*' || c == '?' || c == '\\') r += '\\';
        r += c;
    }
    return r;
}

// A decimal integer literal that fits in int64 (no leading zeros but "0").
static bool as_int(std::string_view s, int64_t& out) {
    size_t i = 0;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i >= s.size() || s.size() - i > 18) return false;
    if (s[i] == '0' && s.size() - i > 1) return false;
    int64_t v = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = neg ? -v : v;
    return true;
}

static bool as_number(std::string_view s, double& out) {
    if (s.empty() || s.size() > 64) return false;
    std::string t(s);
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    return end && *end == 0 && std::isfinite(out);
}

static ExprPtr mk(const std::string& field, Op op, Value v, bool cased, const SourceLoc& loc) {
    Pred p;
    p.field = field;
    p.op = op;
    p.value = std::move(v);
    p.cased = cased;
    p.loc = loc;
    return Expr::make_pred(std::move(p));
}

/* Search values. In the search language only `*` is a wildcard. A value
 * without wildcards is equality (a whole decimal integer becomes a number, so
 * EventCode=4688 and EventCode="4688" agree with Sigma's EventID: 4688); one
 * literal run with wildcards only at its ends is Contains / StartsWith /
 * EndsWith; a lone `*` means "the field exists" (or, as a bare term,
 * anything); every other shape is a Glob with canonical escaping. Bare terms
 * (keyword predicates) match inside the raw event, so they are Contains. */
ExprPtr search_value_pred(const std::string& field, const std::string& text,
                          const std::vector<uint32_t>& wild, bool cased, bool quoted,
                          const SourceLoc& loc) {
    bool keyword = field.empty();
    if (wild.empty()) {
        int64_t iv;
        if (!keyword && as_int(text, iv)) return mk(field, Op::Eq, Value::integer(iv), false, loc);
        return mk(field, keyword ? Op::Contains : Op::Eq, Value::string(text), cased, loc);
    }
    // split into literal runs between wildcards
    std::vector<std::string> runs;
    std::string cur;
    size_t w = 0;
    bool lead = false, trail = false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (w < wild.size() && wild[w] == i) {
            ++w;
            if (i == 0) lead = true;
            if (i + 1 == text.size()) trail = true;
            if (!cur.empty()) runs.push_back(cur);
            cur.clear();
            continue;
        }
        cur += text[i];
    }
    if (!cur.empty()) runs.push_back(cur);
    if (runs.empty()) {
        if (keyword) return Expr::make_true();
        return mk(field, Op::Exists, Value::boolean(true), false, loc);
    }
    if (runs.size() == 1) {
        if (keyword || (lead && trail))
            return mk(field, Op::Contains, Value::string(runs[0]), cased, loc);
        if (trail) return mk(field, Op::StartsWith, Value::string(runs[0]), cased, loc);
        if (lead) return mk(field, Op::EndsWith, Value::string(runs[0]), cased, loc);
    }
    std::string g;
    if (keyword && !lead) g += '*';
    w = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (w < wild.size() && wild[w] == i) {
            ++w;
            if (g.empty() || g.back() != '*' || (g.size() >= 2 && g[g.size() - 2] == '\\'))
                g += '*';
            continue;
        }
        char c = text[i];
        if (c == '*' || c == '?' || c == '\\') g += '\\';
        g += c;
    }
    if (keyword && !trail) g += '*';
    (void)quoted;
    return mk(field, Op::Glob, Value::string(g), cased, loc);
}

/* like() / LIKE / ILIKE patterns: `%` is any run and `_` any one character.
 * The same shapes as search values apply, with `_` forcing a Glob (`?`). */
static ExprPtr like_pred(const std::string& field, const std::string& pat, bool cased,
                         const SourceLoc& loc) {
    bool has_under = pat.find('_') != std::string::npos;
    std::vector<uint32_t> wild;
    std::string text;
    if (!has_under) {
        for (char c : pat) {
            if (c == '%')
                wild.push_back(uint32_t(text.size())), text += '*';
            else
                text += c;
        }
        if (wild.empty()) return mk(field, Op::Eq, Value::string(text), cased, loc);
        return search_value_pred(field, text, wild, cased, true, loc);
    }
    std::string g;
    for (char c : pat) {
        if (c == '%') {
            if (g.empty() || g.back() != '*' || (g.size() >= 2 && g[g.size() - 2] == '\\'))
                g += '*';
        } else if (c == '_') {
            g += '?';
        } else {
            if (c == '*' || c == '?' || c == '\\') g += '\\';
            g += c;
        }
    }
    return mk(field, Op::Glob, Value::string(g), cased, loc);
}

namespace {

struct RegexCheck {
    enum Kind : uint8_t { Ok, PcreOnly, Invalid } kind = Ok;
    std::string message;
};

/* Regex validation compiles each pattern with RE2 (the IR's dialect) and,
 * when RE2 refuses it, with PCRE2 (Splunk's dialect) to tell "needs PCRE"
 * from "broken". Corpora repeat patterns across rule variants, so results
 * are cached process-wide (patterns only; bounded size). */
RegexCheck check_regex(const std::string& re) {
    static std::mutex mu;
    static std::unordered_map<std::string, RegexCheck> cache;
    {
        std::lock_guard<std::mutex> g(mu);
        auto it = cache.find(re);
        if (it != cache.end()) return it->second;
    }
    RegexCheck c;
    RE2::Options o;
    o.set_log_errors(false);
    RE2 r(re, o);
    if (!r.ok()) {
        int err = 0;
        PCRE2_SIZE off = 0;
        pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re.data()), re.size(), 0,
                                         &err, &off, nullptr);
        if (code) {
            pcre2_code_free(code);
            c.kind = RegexCheck::PcreOnly;
            c.message = r.error();
        } else {
            PCRE2_UCHAR buf[256];
            pcre2_get_error_message(err, buf, sizeof buf);
            c.kind = RegexCheck::Invalid;
            c.message = reinterpret_cast<char*>(buf);
        }
    }
    std::lock_guard<std::mutex> g(mu);
    if (cache.size() > 100000) cache.clear();
    cache.emplace(re, c);
    return c;
}

}  // namespace

ExprPtr regex_pred(const std::string& field, std::string re, const SourceLoc& loc, Ctx& ctx) {
    uint8_t flags = 0;
    if (re.rfind("(?i)", 0) == 0) {
        flags |= ReIgnoreCase;
        re.erase(0, 4);
    }
    if (ctx.opt && ctx.opt->check_regex) {
        RegexCheck c = check_regex(re);
        if (c.kind == RegexCheck::PcreOnly)
            ctx.diag(Severity::Info, "spl.regex.pcre_only",
                     "regex /" + re + "/ is valid PCRE but not RE2 (" + c.message + ")", loc);
        else if (c.kind == RegexCheck::Invalid)
            ctx.diag(Severity::Warning, "spl.regex.invalid",
                     "regex /" + re + "/ does not compile: " + c.message, loc);
    }
    Pred p;
    p.field = field;
    p.op = Op::Regex;
    p.value = Value::string(std::move(re));
    p.re_flags = flags;
    p.loc = loc;
    return Expr::make_pred(std::move(p));
}

// ---------------------------------------------------------------------------
// Expression parser (Pratt-style precedence climbing)
// ---------------------------------------------------------------------------

namespace {

struct EParser {
    Lexer& lx;
    Ctx& ctx;
    Dialect d;
    bool failed = false;
    int depth = 0;
    size_t nodes = 0;
    static constexpr size_t kMaxNodes = 20000;

    LexMode mode() const { return LexMode::Eval; }
    Token peek() { return lx.peek(mode()); }
    Token next() { return lx.next(mode()); }

    bool peek_word(std::string_view w) {
        Token t = peek();
        return t.kind == Tok::Word && !t.number && iequals(t.text, w);
    }

    void fail(const Token& t, const std::string& what) {
        if (!failed)
            ctx.diag(Severity::Warning, "spl.expr.syntax",
                     what + (t.kind == Tok::End ? " at the end of the expression"
                                                : " near `" + t.text + "`"),
                     lx.text().loc(t.b));
        failed = true;
    }

    ENodePtr node(ENode::Kind k, std::string text, std::vector<ENodePtr> kids, uint32_t b,
                  uint32_t e) {
        if (++nodes > kMaxNodes) {
            if (!failed)
                ctx.diag(Severity::Error, "spl.expr.too_large",
                         "expression has more than 20000 parts", lx.text().loc(b));
            failed = true;
            return nullptr;
        }
        auto n = std::make_shared<ENode>();
        n->kind = k;
        n->text = std::move(text);
        n->kids = std::move(kids);
        n->b = b;
        n->e = e;
        return n;
    }

    // AND/OR/XOR chains become one n-ary node, so long rules do not make
    // deep trees (lowering and destruction recurse on depth).
    ENodePtr chain(const char* kw, const char* op, ENodePtr (EParser::*sub)()) {
        ENodePtr l = (this->*sub)();
        if (!l || !peek_word(kw)) return l;
        std::vector<ENodePtr> kids{l};
        while (peek_word(kw)) {
            next();
            ENodePtr r = (this->*sub)();
            if (!r) return nullptr;
            kids.push_back(r);
        }
        uint32_t b = kids.front()->b, e = kids.back()->e;
        return node(ENode::Binary, op, std::move(kids), b, e);
    }
    ENodePtr parse_or() { return chain("OR", "or", &EParser::parse_xor); }
    ENodePtr parse_xor() { return chain("XOR", "xor", &EParser::parse_and); }
    ENodePtr parse_and() { return chain("AND", "and", &EParser::parse_not); }
    ENodePtr parse_not() {
        Token t = peek();
        if ((t.kind == Tok::Word && !t.number && iequals(t.text, "NOT")) ||
            (t.kind == Tok::Arith && t.text == "!")) {
            next();
            if (++depth > 200) {
                fail(t, "expression nests too deeply");
                return nullptr;
            }
            ENodePtr k = parse_not();
            --depth;
            if (!k) return nullptr;
            return node(ENode::Unary, "not", {k}, t.b, k->e);
        }
        return parse_cmp();
    }

    ENodePtr parse_list(uint32_t b) {
        // after IN: ( a, b, ... )
        Token lp = next();
        if (lp.kind != Tok::LParen) {
            fail(lp, "expected `(` after IN");
            return nullptr;
        }
        std::vector<ENodePtr> items;
        if (peek().kind == Tok::RParen) {
            Token rp = next();
            return node(ENode::Call, "__list", {}, b, rp.e);
        }
        for (;;) {
            ENodePtr it = parse_or();
            if (!it) return nullptr;
            items.push_back(it);
            Token t = next();
            if (t.kind == Tok::Comma) continue;
            if (t.kind == Tok::RParen) return node(ENode::Call, "__list", std::move(items), b, t.e);
            fail(t, "expected `,` or `)` in IN list");
            return nullptr;
        }
    }

    ENodePtr parse_cmp() {
        ENodePtr l = parse_add();
        if (!l) return nullptr;
        for (int guard = 0; guard < 4; ++guard) {
            Token t = peek();
            bool neg = false;
            if (t.kind == Tok::Cmp) {
                next();
                ENodePtr r = parse_add();
                if (!r) return nullptr;
                std::string op = t.text == "==" ? "=" : t.text;
                l = node(ENode::Binary, op, {l, r}, l->b, r->e);
                if (!l) return nullptr;
                continue;
            }
            if (t.kind != Tok::Word || t.number) return l;
            size_t save = lx.pos();
            if (iequals(t.text, "NOT")) {
                next();
                t = peek();
                neg = true;
                if (t.kind != Tok::Word ||
                    !(iequals(t.text, "LIKE") || iequals(t.text, "ILIKE") ||
                      iequals(t.text, "IN") || iequals(t.text, "RLIKE") ||
                      iequals(t.text, "REGEXP") || iequals(t.text, "BETWEEN"))) {
                    lx.seek(save);
                    return l;
                }
            }
            std::string kw = lower_ascii(t.text);
            ENodePtr r;
            if (kw == "like" || kw == "ilike" || kw == "rlike" || kw == "regexp") {
                next();
                r = parse_add();
                if (!r) return nullptr;
                // SQL: LIKE ... ESCAPE '\'
                if (d == Dialect::Sql && peek_word("ESCAPE")) {
                    next();
                    next();
                }
                l = node(ENode::Binary, kw, {l, r}, l->b, r->e);
                if (!l) return nullptr;
            } else if (kw == "in") {
                next();
                r = parse_list(t.b);
                if (!r) return nullptr;
                l = node(ENode::Binary, "in", {l, r}, l->b, r->e);
                if (!l) return nullptr;
            } else if (kw == "between" && d == Dialect::Sql) {
                next();
                ENodePtr lo = parse_add();
                if (!lo || !peek_word("AND")) {
                    fail(peek(), "expected AND in BETWEEN");
                    return nullptr;
                }
                next();
                ENodePtr hi = parse_add();
                if (!hi) return nullptr;
                l = node(ENode::Call, "__between", {l, lo, hi}, l->b, hi->e);
                if (!l) return nullptr;
            } else if (kw == "is" && d == Dialect::Sql) {
                next();
                bool isnot = false;
                if (peek_word("NOT")) {
                    next();
                    isnot = true;
                }
                Token n = next();
                if (n.kind != Tok::Word || !(iequals(n.text, "NULL") || iequals(n.text, "TRUE") ||
                                             iequals(n.text, "FALSE"))) {
                    fail(n, "expected NULL after IS");
                    return nullptr;
                }
                std::string f = iequals(n.text, "NULL") ? (isnot ? "isnotnull" : "isnull")
                                                        : "__is_" + lower_ascii(n.text);
                l = node(ENode::Call, f, {l}, l->b, n.e);
                if (!l) return nullptr;
                if (isnot && f.rfind("__is_", 0) == 0) {
                    l = node(ENode::Unary, "not", {l}, l->b, n.e);
                    if (!l) return nullptr;
                }
                continue;
            } else {
                if (neg) lx.seek(save);
                return l;
            }
            if (neg) l = node(ENode::Unary, "not", {l}, l->b, l->e);
            if (!l) return nullptr;
        }
        return l;
    }

    ENodePtr parse_add() {
        ENodePtr l = parse_mul();
        while (l) {
            Token t = peek();
            if (t.kind != Tok::Arith ||
                !(t.text == "+" || t.text == "-" || t.text == "." || t.text == "||"))
                break;
            next();
            ENodePtr r = parse_mul();
            if (!r) return nullptr;
            l = node(ENode::Binary, t.text, {l, r}, l->b, r->e);
        }
        return l;
    }
    ENodePtr parse_mul() {
        ENodePtr l = parse_unary();
        while (l) {
            Token t = peek();
            if (t.kind != Tok::Arith || !(t.text == "*" || t.text == "/" || t.text == "%")) break;
            next();
            ENodePtr r = parse_unary();
            if (!r) return nullptr;
            l = node(ENode::Binary, t.text, {l, r}, l->b, r->e);
        }
        return l;
    }
    ENodePtr parse_unary() {
        Token t = peek();
        if (t.kind == Tok::Arith && (t.text == "-" || t.text == "+")) {
            next();
            if (++depth > 200) {
                fail(t, "expression nests too deeply");
                return nullptr;
            }
            ENodePtr k = parse_unary();
            --depth;
            if (!k) return nullptr;
            if (k->kind == ENode::Num && t.text == "-") {
                auto n = std::make_shared<ENode>(*k);
                n->num = -n->num;
                n->i = -n->i;
                n->b = t.b;
                return n;
            }
            return node(ENode::Unary, t.text, {k}, t.b, k->e);
        }
        ENodePtr p = parse_primary();
        // SQL casts: x::string
        while (p && d == Dialect::Sql && peek().kind == Tok::Arith && peek().text == "::") {
            next();
            Token ty = next();
            if (ty.kind != Tok::Word) {
                fail(ty, "expected a type after ::");
                return nullptr;
            }
        }
        return p;
    }

    ENodePtr parse_primary() {
        Token t = next();
        switch (t.kind) {
            case Tok::String: {
                auto n = node(ENode::Str, t.text, {}, t.b, t.e);
                return n;
            }
            case Tok::Field:
                return node(ENode::Field, t.text, {}, t.b, t.e);
            case Tok::LParen: {
                if (++depth > 200) {
                    fail(t, "expression nests too deeply");
                    return nullptr;
                }
                ENodePtr e = parse_or();
                --depth;
                if (!e) return nullptr;
                Token r = next();
                if (r.kind != Tok::RParen) {
                    fail(r, "expected `)`");
                    return nullptr;
                }
                auto g = std::make_shared<ENode>(*e);  // the group spans its parentheses
                g->b = t.b;
                g->e = r.e;
                return g;
            }
            case Tok::Word: {
                if (t.number) {
                    auto n = std::make_shared<ENode>();
                    n->kind = ENode::Num;
                    n->text = t.text;
                    n->b = t.b;
                    n->e = t.e;
                    n->is_int = as_int(t.text, n->i);
                    as_number(t.text, n->num);
                    return n;
                }
                if (t.text.size() > 2 && t.text.front() == '$' && t.text.back() == '$')
                    return node(ENode::Placeholder, t.text, {}, t.b, t.e);
                if (peek().kind == Tok::LParen) {
                    Token lp = next();
                    std::vector<ENodePtr> args;
                    if (peek().kind == Tok::RParen) {
                        Token rp = next();
                        return node(ENode::Call, lower_ascii(t.text), {}, t.b, rp.e);
                    }
                    if (++depth > 200) {
                        fail(t, "expression nests too deeply");
                        return nullptr;
                    }
                    for (;;) {
                        // SQL: count(*) / dateadd(hour, ...)
                        Token s = peek();
                        ENodePtr a;
                        if (s.kind == Tok::Arith && s.text == "*") {
                            next();
                            a = node(ENode::Field, "*", {}, s.b, s.e);
                        } else {
                            a = parse_or();
                        }
                        if (!a) return nullptr;
                        args.push_back(a);
                        Token c = next();
                        if (c.kind == Tok::Comma) continue;
                        if (c.kind == Tok::RParen) {
                            --depth;
                            return node(ENode::Call, lower_ascii(t.text), std::move(args), t.b,
                                        c.e);
                        }
                        fail(c, "expected `,` or `)` in the arguments of " + t.text + "()");
                        (void)lp;
                        return nullptr;
                    }
                }
                if (d == Dialect::Sql) {
                    if (iequals(t.text, "NULL")) return node(ENode::Null, "null", {}, t.b, t.e);
                    if (iequals(t.text, "TRUE") || iequals(t.text, "FALSE")) {
                        auto n = node(ENode::Bool, lower_ascii(t.text), {}, t.b, t.e);
                        return n;
                    }
                }
                return node(ENode::Field, t.text, {}, t.b, t.e);
            }
            default:
                fail(t, "unexpected token");
                return nullptr;
        }
    }
};

}  // namespace

ENodePtr parse_eval_expr(Lexer& lx, Ctx& ctx, Dialect d) {
    EParser p{lx, ctx, d};
    return p.parse_or();
}

// ---------------------------------------------------------------------------
// Lowering to IR
// ---------------------------------------------------------------------------

namespace {

struct Lowering {
    const Expanded& x;
    Ctx& ctx;
    Dialect d;
    const EvalEnv* env;
    const char* where;

    SourceLoc loc(const ENodePtr& n) const { return x.loc(n->b); }

    std::string snippet(const ENodePtr& n) const {
        std::string s = collapse_ws(std::string_view(x.text).substr(n->b, n->e - n->b));
        if (s.size() > 80) s = s.substr(0, 77) + "...";
        return s;
    }

    bool quiet = false;  // trial lowering: no diagnostics

    ExprPtr unknown(const ENodePtr& n, const char* why) {
        if (quiet) return nullptr;
        ctx.diag(Severity::Info, "spl.expr.unsupported",
                 std::string(where) + ": `" + snippet(n) + "` " + why +
                     "; the condition is left wider than the rule",
                 loc(n));
        return nullptr;
    }

    static bool is_literal(const ENodePtr& n) {
        return n->kind == ENode::Str || n->kind == ENode::Num || n->kind == ENode::Bool ||
               n->kind == ENode::Null ||
               (n->kind == ENode::Call && n->text == "null" && n->kids.empty());
    }

    static Value literal(const ENodePtr& n) {
        switch (n->kind) {
            case ENode::Str:
                return Value::string(n->text);
            case ENode::Num:
                return n->is_int ? Value::integer(n->i) : Value::real(n->num);
            case ENode::Bool:
                return Value::boolean(n->text == "true");
            default:
                return Value::null();
        }
    }

    // Resolves a field reference through earlier eval definitions that are
    // plain renames or case folds.
    ENodePtr resolve(const ENodePtr& n, int depth = 0) const {
        if (!env || depth > 8 || n->kind != ENode::Field) return n;
        auto it = env->find(n->text);
        if (it == env->end() || !it->second) return n;
        const ENodePtr& def = it->second;
        if (def->kind == ENode::Field && def->text != n->text) return resolve(def, depth + 1);
        if (def->kind == ENode::Call && (def->text == "lower" || def->text == "upper") &&
            def->kids.size() == 1 && def->kids[0]->kind == ENode::Field)
            return def;
        return n;
    }

    // A field, possibly inside lower()/upper() (which makes the match
    // case-insensitive). Returns false for anything else.
    bool field_of(ENodePtr n, std::string& field, bool& folded) const {
        folded = false;
        n = resolve(n);
        for (int i = 0; i < 4; ++i) {
            if (n->kind == ENode::Field) {
                if (n->text == "*") return false;
                field = n->text;
                return true;
            }
            if (n->kind == ENode::Call && n->kids.size() == 1 &&
                (n->text == "lower" || n->text == "upper" || n->text == "tostring" ||
                 n->text == "to_varchar" || n->text == "trim")) {
                if (n->text == "lower" || n->text == "upper") folded = true;
                n = resolve(n->kids[0]);
                continue;
            }
            return false;
        }
        return false;
    }

    static bool is_time_expr(const ENodePtr& n, int depth = 0) {
        if (depth > 64) return false;
        if (n->kind == ENode::Placeholder) return true;
        if (n->kind == ENode::Call) {
            static const char* fns[] = {"now",          "relative_time", "time",
                                        "dateadd",      "sysdate",       "current_timestamp",
                                        "current_date", "to_timestamp",  "date_part",
                                        "timeadd",      "getdate",       "timestampadd",
                                        "strptime"};
            for (const char* f : fns)
                if (n->text == f) return true;
        }
        for (auto& k : n->kids)
            if (is_time_expr(k, depth + 1)) return true;
        return false;
    }

    static std::string flip(const std::string& op) {
        if (op == "<") return ">";
        if (op == ">") return "<";
        if (op == "<=") return ">=";
        if (op == ">=") return "<=";
        return op;
    }

    ExprPtr eq(const std::string& f, const Value& v, bool cased, const SourceLoc& l) {
        if (v.kind == ValueKind::String) return mk(f, Op::Eq, v, cased, l);
        return mk(f, Op::Eq, v, false, l);
    }

    ExprPtr cmp(const ENodePtr& n) {
        std::string op = n->text;
        ENodePtr a = n->kids[0], b = n->kids[1];
        if (is_time_expr(a) || is_time_expr(b)) return Expr::make_true();  // time window
        std::string fa, fb;
        bool folda = false, foldb = false;
        bool a_field = field_of(a, fa, folda), b_field = field_of(b, fb, foldb);
        if (!a_field && b_field && is_literal(a)) {
            std::swap(a, b);
            std::swap(fa, fb);
            std::swap(folda, foldb);
            std::swap(a_field, b_field);
            op = flip(op);
        }
        // eval x=if(c, A, B) followed by where x=A
        if (ExprPtr e = via_if(a, op, b)) return e;
        if (!a_field) return unknown(n, "compares a computed value");
        SourceLoc l = loc(n);
        if (b_field) {
            if (op == "=" || op == "!=") {
                Pred p;
                p.field = fa;
                p.op = Op::FieldRef;
                p.value = Value::string(fb);
                p.cased = !(folda && foldb);
                p.loc = l;
                ExprPtr e = Expr::make_pred(std::move(p));
                return op == "=" ? e : not_of(e);
            }
            return unknown(n, "compares two fields by order");
        }
        if (!is_literal(b)) return unknown(n, "compares with a computed value");
        Value v = literal(b);
        bool cased = !folda;
        if (op == "=") return eq(fa, v, cased, l);
        if (op == "!=") return not_of(eq(fa, v, cased, l));
        double num;
        Value nv;
        if (v.is_number()) {
            nv = v;
        } else if (v.kind == ValueKind::String && as_number(v.s, num)) {
            int64_t iv;
            nv = as_int(v.s, iv) ? Value::integer(iv) : Value::real(num);
        } else {
            return unknown(n, "orders by a non-numeric value");
        }
        Op o = op == "<" ? Op::Lt : op == "<=" ? Op::Lte : op == ">" ? Op::Gt : Op::Gte;
        return mk(fa, o, nv, false, l);
    }

    // `x = A` where an earlier eval set x = if(cond, A, B): the condition (or
    // its negation when A is the else value).
    ExprPtr via_if(const ENodePtr& a, const std::string& op, const ENodePtr& b) {
        if (!env || a->kind != ENode::Field || !is_literal(b) || (op != "=" && op != "!="))
            return nullptr;
        auto it = env->find(a->text);
        if (it == env->end() || !it->second) return nullptr;
        const ENodePtr& def = it->second;
        if (def->kind != ENode::Call || def->text != "if" || def->kids.size() != 3) return nullptr;
        if (!is_literal(def->kids[1]) || !is_literal(def->kids[2])) return nullptr;
        Value want = literal(b), t = literal(def->kids[1]), f = literal(def->kids[2]);
        bool is_t = want == t, is_f = want == f;
        if (is_t == is_f) return nullptr;
        bool was = quiet;
        quiet = true;
        ExprPtr c = lower(def->kids[0]);
        quiet = was;
        if (!c) return nullptr;
        bool positive = is_t == (op == "=");
        return positive ? c : not_of(c);
    }

    ExprPtr call(const ENodePtr& n) {
        const std::string& fn = n->text;
        const auto& k = n->kids;
        std::string f;
        bool folded = false;
        SourceLoc l = loc(n);
        if ((fn == "true" || fn == "false") && k.empty())
            return fn == "true" ? Expr::make_true() : Expr::make_false();
        if (fn == "match" || fn == "regexp_like" || fn == "rlike" || fn == "regexp") {
            if (k.size() < 2 || !field_of(k[0], f, folded) || k[1]->kind != ENode::Str)
                return unknown(n, "matches a computed value or pattern");
            return regex(f, k[1]->text, k.size() > 2 && k[2]->kind == ENode::Str ? k[2]->text : "",
                         folded, fn != "match", l);
        }
        if (fn == "like" || fn == "ilike") {
            if (k.size() != 2 || !field_of(k[0], f, folded) || k[1]->kind != ENode::Str)
                return unknown(n, "matches a computed value or pattern");
            return like_pred(f, k[1]->text, !(folded || fn == "ilike"), l);
        }
        if (fn == "cidrmatch") {
            if (k.size() != 2) return unknown(n, "has an unexpected number of arguments");
            if (k[0]->kind == ENode::Str && field_of(k[1], f, folded))
                return mk(f, Op::Cidr, Value::string(k[0]->text), false, l);
            return unknown(n, "tests a computed network");
        }
        if (fn == "isnull" || fn == "isnotnull") {
            if (k.size() != 1 || !field_of(k[0], f, folded))
                return unknown(n, "tests a computed value");
            if (fn == "isnull") return mk(f, Op::Eq, Value::null(), false, l);
            return mk(f, Op::Exists, Value::boolean(true), false, l);
        }
        if (fn == "in") {
            if (k.size() < 2 || !field_of(k[0], f, folded))
                return unknown(n, "tests a computed value");
            std::vector<ExprPtr> alts;
            for (size_t i = 1; i < k.size(); ++i) {
                if (!is_literal(k[i])) return unknown(n, "lists a computed value");
                alts.push_back(eq(f, literal(k[i]), !folded, loc(k[i])));
            }
            return or_of(std::move(alts));
        }
        if ((fn == "contains" || fn == "startswith" || fn == "endswith") && d == Dialect::Sql) {
            if (k.size() != 2 || !field_of(k[0], f, folded) || k[1]->kind != ENode::Str)
                return unknown(n, "tests a computed value");
            Op o = fn == "contains"     ? Op::Contains
                   : fn == "startswith" ? Op::StartsWith
                                        : Op::EndsWith;
            return mk(f, o, Value::string(k[1]->text), !folded, l);
        }
        if (fn == "searchmatch") {
            if (k.size() != 1 || k[0]->kind != ENode::Str)
                return unknown(n, "searches a computed text");
            return searchmatch(k[0], l);
        }
        if (fn == "__between") {
            if (!field_of(k[0], f, folded) || k[1]->kind != ENode::Num || k[2]->kind != ENode::Num)
                return unknown(n, "ranges over computed values");
            return and_of(
                {mk(f, Op::Gte, literal(k[1]), false, l), mk(f, Op::Lte, literal(k[2]), false, l)});
        }
        if (fn == "__is_true" || fn == "__is_false") {
            if (!field_of(k[0], f, folded)) return unknown(n, "tests a computed value");
            return mk(f, Op::Eq, Value::boolean(fn == "__is_true"), false, l);
        }
        return unknown(n, ("calls " + fn + "(), which no predicate expresses").c_str());
    }

    ExprPtr regex(const std::string& f, std::string re, const std::string& params, bool folded,
                  bool whole, const SourceLoc& l) {
        if (whole) {
            // SQL regexp_like/RLIKE match the whole value: anchor the pattern,
            // dropping the `.*` at either end that authors add to search inside.
            auto odd_backslashes_before = [&](size_t pos) {
                size_t n = 0;
                while (pos > n && re[pos - 1 - n] == '\\') ++n;
                return n % 2 == 1;
            };
            bool lead = re.rfind(".*", 0) == 0;
            bool trail = re.size() >= 2 && re.compare(re.size() - 2, 2, ".*") == 0 &&
                         !odd_backslashes_before(re.size() - 2);
            std::string core = re;
            if (lead && trail && re.size() >= 4)
                core = re.substr(2, re.size() - 4);
            else if (lead)
                core = re.substr(2);
            else if (trail)
                core = re.substr(0, re.size() - 2);
            if (lead && trail && re.size() < 4) core.clear();
            bool alt = core.find('|') != std::string::npos;
            std::string out;
            if (!lead) out += "^";
            if (alt && (!lead || !trail))
                out += "(?:" + core + ")";
            else
                out += core;
            if (!trail) out += "$";
            re = out;
        }
        ExprPtr e = regex_pred(f, re, l, ctx);
        uint8_t extra = 0;
        if (folded || params.find('i') != std::string::npos) extra |= ReIgnoreCase;
        if (params.find('s') != std::string::npos) extra |= ReDotAll;
        if (params.find('m') != std::string::npos) extra |= ReMultiLine;
        if (extra) {
            Pred p = *e->pred;
            p.re_flags |= extra;
            e = Expr::make_pred(std::move(p));
        }
        return e;
    }

    ExprPtr searchmatch(const ENodePtr& s, const SourceLoc& l) {
        Expanded sub;
        sub.text = s->text;
        ExpandedChar c;
        c.line = l.line;
        c.col = l.col;
        c.file = 0;
        sub.files.push_back(l.file);
        sub.src.assign(sub.text.size() + 1, c);
        sub.original = sub.text;
        Lexer lx(sub, 0, sub.text.size());
        return parse_search_expr(lx, ctx, ctx.stage, {});
    }

    ExprPtr lower(const ENodePtr& n) {
        switch (n->kind) {
            case ENode::Binary: {
                const std::string& op = n->text;
                if (op == "and" || op == "or") {
                    std::vector<ExprPtr> parts;
                    parts.reserve(n->kids.size());
                    for (auto& k : n->kids) parts.push_back(lower(k));
                    return op == "and" ? and_of(std::move(parts)) : or_of(std::move(parts));
                }
                if (op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=")
                    return cmp(n);
                if (op == "like" || op == "ilike") {
                    std::string f;
                    bool folded;
                    if (!field_of(n->kids[0], f, folded) || n->kids[1]->kind != ENode::Str)
                        return unknown(n, "matches a computed value or pattern");
                    return like_pred(f, n->kids[1]->text, !(folded || op == "ilike"), loc(n));
                }
                if (op == "rlike" || op == "regexp") {
                    std::string f;
                    bool folded;
                    if (!field_of(n->kids[0], f, folded) || n->kids[1]->kind != ENode::Str)
                        return unknown(n, "matches a computed value or pattern");
                    return regex(f, n->kids[1]->text, "", folded, d == Dialect::Sql, loc(n));
                }
                if (op == "in") {
                    std::string f;
                    bool folded;
                    if (!field_of(n->kids[0], f, folded))
                        return unknown(n, "tests a computed value");
                    std::vector<ExprPtr> alts;
                    for (auto& it : n->kids[1]->kids) {
                        std::string g;
                        bool gf;
                        if (is_literal(it)) {
                            alts.push_back(eq(f, literal(it), !folded, loc(it)));
                        } else if (field_of(it, g, gf)) {
                            Pred p;
                            p.field = f;
                            p.op = Op::FieldRef;
                            p.value = Value::string(g);
                            p.cased = !(folded && gf);
                            p.loc = loc(it);
                            alts.push_back(Expr::make_pred(std::move(p)));
                        } else {
                            return unknown(n, "lists a computed value");
                        }
                    }
                    return or_of(std::move(alts));
                }
                return unknown(n, "is not a condition on fields");
            }
            case ENode::Unary:
                if (n->text == "not") return not_of(lower(n->kids[0]));
                return unknown(n, "is not a condition on fields");
            case ENode::Call:
                return call(n);
            case ENode::Bool:
                return n->text == "true" ? Expr::make_true() : Expr::make_false();
            default:
                return unknown(n, "is not a condition on fields");
        }
    }
};

}  // namespace

ExprPtr lower_bool(const ENodePtr& n, const Expanded& x, Ctx& ctx, Dialect d, const EvalEnv* env,
                   const char* where) {
    if (!n) return nullptr;
    Lowering lw{x, ctx, d, env, where};
    return lw.lower(n);
}

}  // namespace sigil::spl
