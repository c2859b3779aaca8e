// spl/pipeline.cpp — SPL queries into stages: splitting at pipes, the search
// language (terms, field=value, IN, TERM/CASE, boolean operators), and the
// commands that filter events (search, where, regex, tstats/mstats where).
// Every other command becomes a stage with its text.
#include <algorithm>
#include <cmath>
#include <set>

#include "spl/internal.h"

namespace sigil::spl {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_cmd_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Splunk commands (search reference, ES, MLTK and common add-ons). A command
// not listed is still a stage, with spl.command.unknown.
const std::set<std::string, std::less<>>& known_commands() {
    static const std::set<std::string, std::less<>> k = {
        "abstract",
        "accum",
        "addcoltotals",
        "addinfo",
        "addtotals",
        "analyzefields",
        "anomalies",
        "anomalousvalue",
        "anomalydetection",
        "append",
        "appendcols",
        "appendpipe",
        "apply",
        "arules",
        "associate",
        "audit",
        "autoregress",
        "bin",
        "bucket",
        "bucketdir",
        "chart",
        "cluster",
        "cofilter",
        "collect",
        "concurrency",
        "contingency",
        "convert",
        "correlate",
        "ctable",
        "datamodel",
        "datamodelsimple",
        "dbinspect",
        "dbxquery",
        "dedup",
        "delete",
        "delta",
        "diff",
        "entitymerge",
        "erex",
        "eval",
        "eventcount",
        "eventstats",
        "extract",
        "fieldformat",
        "fields",
        "fieldsummary",
        "filldown",
        "fillnull",
        "findtypes",
        "fit",
        "folderize",
        "foreach",
        "format",
        "from",
        "fromjson",
        "gauge",
        "gentimes",
        "geom",
        "geomfilter",
        "geostats",
        "head",
        "highlight",
        "history",
        "iconify",
        "inputcsv",
        "inputintelligence",
        "inputlookup",
        "iplocation",
        "join",
        "kmeans",
        "kv",
        "kvform",
        "loadjob",
        "localize",
        "localop",
        "lookup",
        "makecontinuous",
        "makemv",
        "makeresults",
        "map",
        "mcollect",
        "metadata",
        "metasearch",
        "meventcollect",
        "mpreview",
        "msearch",
        "mstats",
        "multikv",
        "multisearch",
        "mvcombine",
        "mvexpand",
        "nomv",
        "outlier",
        "outputcsv",
        "outputlookup",
        "outputtext",
        "overlap",
        "pivot",
        "predict",
        "rangemap",
        "rare",
        "redistribute",
        "regex",
        "reltime",
        "rename",
        "replace",
        "require",
        "rest",
        "return",
        "reverse",
        "rex",
        "rtorder",
        "run",
        "savedsearch",
        "score",
        "script",
        "scrub",
        "search",
        "searchtxn",
        "selfjoin",
        "sendalert",
        "sendemail",
        "set",
        "setfields",
        "sichart",
        "sirare",
        "sistats",
        "sitimechart",
        "sitop",
        "sort",
        "spath",
        "stats",
        "strcat",
        "streamstats",
        "summary",
        "table",
        "tags",
        "tail",
        "timechart",
        "timewrap",
        "tojson",
        "top",
        "transaction",
        "transpose",
        "trendline",
        "tscollect",
        "tstats",
        "typeahead",
        "typelearner",
        "typer",
        "union",
        "uniq",
        "untable",
        "walklex",
        "where",
        "x11",
        "xmlkv",
        "xmlunescape",
        "xpath",
        "xyseries",
        "ldapsearch",
        "ldapfilter",
        "ldapgroup",
        "ldapfetch",
        "mvfilter",
        "macro",
        "collapse",
        "makejson",
        "distinct",
        "mvzip",
        "summarize",
        "deduplicate",
        "sample",
        "score",
        "makecontinuous",
        // Splunk ES / UBA / add-ons met in detections
        "risk",
        "sendalert",
        "notable",
        "ess_content_importer",
        "xsfindbestconcept",
        "xswhere",
        "ut_parse",
        "ut_parse_extended",
        "ut_shannon",
        "ut_levenshtein",
        "ut_bayesian",
        "ut_countset",
        "ut_suites",
        "ut_meaning",
        "lookup_update",
        "fetch_ta_versions",
        "base64",
        "b64",
        "avlbase64",
        "avl_base64",
        "decrypt",
        "cefkv",
        "dnslookup",
        "urlparse",
        "whois",
        "extractfields",
        "mvappend",
        "shannon",
        "entropy",
        "url",
        "ip",
        "rest_search",
        "kvstore",
        "inputintelligence",
        "sim",
        "anomalydetectionrule",
        "ml",
        "mlspl",
        "summary_index",
        "stats2",
        "fieldmerge",
        "percentile",
        "eventstats2",
        "jsonkv",
        "xpathkv",
        "jdbc",
        "ta_to_json",
        "fieldinfo",
    };
    return k;
}

// Commands that, written first in a subsearch, start it without a pipe.
bool generating(std::string_view c) {
    static const char* g[] = {"inputlookup", "tstats",    "rest",        "makeresults",
                              "metadata",    "datamodel", "from",        "mstats",
                              "loadjob",     "inputcsv",  "savedsearch", "eventcount",
                              "dbinspect",   "gentimes",  "multisearch"};
    for (const char* s : g)
        if (iequals(c, s)) return true;
    return false;
}

const char* canonical(const std::string& c) {
    if (c == "bin") return "bucket";  // the two are one command; catalogs show "bucket"
    return nullptr;
}

bool is_time_modifier(std::string_view f) {
    static const char* t[] = {"earliest",           "latest",
                              "_index_earliest",    "_index_latest",
                              "index_earliest",     "index_latest",
                              "starttime",          "endtime",
                              "timeformat",         "starttimeu",
                              "endtimeu",           "starthoursago",
                              "endhoursago",        "startdaysago",
                              "enddaysago",         "startminutesago",
                              "endminutesago",      "searchtimespanhours",
                              "searchtimespandays", "searchtimespanminutes"};
    for (const char* s : t)
        if (iequals(f, s)) return true;
    return false;
}

double parse_double(const std::string& s, bool& ok) {
    ok = false;
    if (s.empty() || s.size() > 64) return 0;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    ok = end && *end == 0;
    return v;
}

// ---------------------------------------------------------------------------
// The search language
// ---------------------------------------------------------------------------

/* Search-language grammar, as Splunk evaluates it (OR binds tighter than
 * AND, which is usually implicit):
 *
 *   and     := or ( [AND] or )*
 *   or      := not ( OR not )*
 *   not     := NOT not | primary
 *   primary := '(' and ')' | '[' subsearch ']' | `macro`
 *            | field (=|!=|<|<=|>|>=) value | field IN '(' value* ')'
 *            | TERM(...) | CASE(...) | word | "phrase"
 *
 * Boolean operators are upper case only; `or` is a search term. Time
 * modifiers (earliest=, latest=, ...) are not conditions on events and
 * become True. Subsearches and macros without a definition are unknown.
 */
struct SearchParser {
    Lexer& lx;
    Ctx& ctx;
    size_t stage;
    const std::vector<std::string_view>& stops;
    const Expanded& x;
    int depth = 0;

    SourceLoc loc(uint32_t off) const { return x.loc(off); }

    bool is_stop(const Token& t) const {
        if (t.kind != Tok::Word || !t.wild.empty()) return false;
        for (auto s : stops)
            if (iequals(t.text, s)) return true;
        return false;
    }
    static bool is_word(const Token& t, const char* w) {
        return t.kind == Tok::Word && t.text == w && t.wild.empty();
    }
    bool ends(const Token& t) const {
        return t.kind == Tok::End || t.kind == Tok::Pipe || t.kind == Tok::RParen ||
               t.kind == Tok::RBracket || is_stop(t);
    }

    void term(uint32_t b, uint32_t e) {
        std::string s = collapse_ws(std::string_view(x.text).substr(b, e - b));
        if (s.empty() || s == "*") return;
        ctx.query->search_terms.push_back({stage, s, loc(b)});
    }

    ExprPtr parse_and() {
        std::vector<ExprPtr> items;
        if (++depth > 200) {
            ctx.diag(Severity::Error, "spl.syntax.too_deep", "search expression nests too deeply",
                     loc(uint32_t(lx.pos())));
            lx.seek(lx.end());
            return nullptr;
        }
        for (;;) {
            Token t = lx.peek(LexMode::Search);
            if (ends(t)) break;
            if (is_word(t, "AND")) {
                lx.next(LexMode::Search);
                continue;
            }
            if (is_word(t, "OR")) {
                ctx.diag(Severity::Warning, "spl.syntax.unexpected", "OR without a left operand",
                         loc(t.b));
                lx.next(LexMode::Search);
                continue;
            }
            size_t before = lx.pos();
            items.push_back(parse_or());
            if (lx.pos() == before) {  // no progress: drop one token
                Token bad = lx.next(LexMode::Search);
                ctx.diag(Severity::Warning, "spl.syntax.unexpected",
                         "unexpected `" + bad.text + "` in search", loc(bad.b));
            }
        }
        --depth;
        if (items.empty()) return Expr::make_true();
        return and_of(std::move(items));
    }

    ExprPtr parse_or() {
        std::vector<ExprPtr> alts{parse_not()};
        while (is_word(lx.peek(LexMode::Search), "OR")) {
            lx.next(LexMode::Search);
            Token t = lx.peek(LexMode::Search);
            if (ends(t)) {
                ctx.diag(Severity::Warning, "spl.syntax.unexpected", "OR without a right operand",
                         loc(t.b));
                break;
            }
            alts.push_back(parse_not());
        }
        if (alts.size() == 1) return alts[0];
        return or_of(std::move(alts));
    }

    ExprPtr parse_not() {
        Token t = lx.peek(LexMode::Search);
        if (is_word(t, "NOT")) {
            lx.next(LexMode::Search);
            if (ends(lx.peek(LexMode::Search))) {
                ctx.diag(Severity::Warning, "spl.syntax.unexpected", "NOT without an operand",
                         loc(t.b));
                return Expr::make_true();
            }
            if (++depth > 200) return nullptr;
            ExprPtr e = not_of(parse_not());
            --depth;
            return e;
        }
        return parse_primary();
    }

    // TERM(...) / CASE(...) starting at the directive word `w`.
    ExprPtr directive(const Token& w, const std::string& field, bool record) {
        size_t open = w.e;
        size_t close = lx.match_close(open);  // one past ')'
        size_t ib = open + 1, ie = close > ib ? close - 1 : ib;
        if (close > lx.end() || x.text[close - 1] != ')') {
            ctx.diag(Severity::Warning, "spl.syntax.unbalanced_paren", w.text + "( is never closed",
                     loc(w.b));
            ie = lx.end();
        }
        lx.seek(close);
        bool cased = iequals(w.text, "CASE");
        if (record) term(w.b, uint32_t(close));
        // the inside: one term, possibly field=value
        Lexer in(x, ib, ie);
        Token a = in.next(LexMode::Search);
        Token op = in.peek(LexMode::Search);
        if (field.empty() && a.kind == Tok::Word && op.kind == Tok::Cmp) {
            in.next(LexMode::Search);
            Token v = in.next(LexMode::Value);
            ExprPtr e = search_value_pred(a.text == "_raw" ? "" : a.text, v.text, v.wild, cased,
                                          v.kind == Tok::String, loc(a.b));
            return op.text == "!=" ? not_of(e) : e;
        }
        std::string text;
        std::vector<uint32_t> wild;
        // whole inside as one value (TERM keeps minor breakers together)
        Lexer all(x, ib, ie);
        for (Token t = all.next(LexMode::Value); t.kind != Tok::End; t = all.next(LexMode::Value)) {
            if (!text.empty()) text += ' ';
            for (auto p : t.wild) wild.push_back(uint32_t(text.size() + p));
            text += t.text;
        }
        return search_value_pred(field, text, wild, cased, true, loc(w.b));
    }

    ExprPtr field_term(const Token& f, const Token& op) {
        std::string field = f.text == "_raw" ? std::string() : f.text;
        Token v = lx.next(LexMode::Value);
        if (v.kind != Tok::Word && v.kind != Tok::String) {
            ctx.diag(Severity::Warning, "spl.syntax.missing_value",
                     "`" + f.text + op.text + "` has no value", loc(f.b));
            if (v.kind != Tok::End) lx.seek(v.b);
            return nullptr;
        }
        if (is_time_modifier(f.text)) return Expr::make_true();
        if (iequals(f.text, "nodename")) {
            ctx.query->nodename = v.text;
            return Expr::make_true();
        }
        ExprPtr e;
        if (v.kind == Tok::Word && (v.text == "CASE" || v.text == "TERM") && v.e < x.text.size() &&
            x.text[v.e] == '(') {
            e = directive(v, field, false);
            if (field.empty()) term(f.b, uint32_t(lx.pos()));
        } else if (op.text == "=" || op.text == "==" || op.text == "!=") {
            e = search_value_pred(field, v.text, v.wild, false, v.kind == Tok::String, loc(f.b));
            if (field.empty() && e && e->kind != ExprKind::True) term(f.b, v.e);
        } else {
            bool ok;
            double d = parse_double(v.text, ok);
            if (!ok || !v.wild.empty()) {
                ctx.diag(Severity::Info, "spl.compare.non_numeric",
                         "`" + f.text + op.text + v.text +
                             "` orders text; only numeric comparisons become predicates",
                         loc(f.b));
                return nullptr;
            }
            Pred p;
            p.field = field;
            p.op = op.text == "<"    ? Op::Lt
                   : op.text == "<=" ? Op::Lte
                   : op.text == ">"  ? Op::Gt
                                     : Op::Gte;
            // An integer only when written as one and it fits in int64.
            int64_t whole = 0;
            p.value = exact_int64(d, whole) && v.text.find_first_of(".eE") == std::string::npos
                          ? Value::integer(whole)
                          : Value::real(d);
            p.loc = loc(f.b);
            e = Expr::make_pred(std::move(p));
        }
        return op.text == "!=" ? not_of(e) : e;
    }

    ExprPtr in_list(const Token& f) {
        lx.next(LexMode::Search);  // IN
        Token lp = lx.next(LexMode::Search);
        (void)lp;
        std::vector<ExprPtr> alts;
        std::string field = f.text == "_raw" ? std::string() : f.text;
        for (;;) {
            Token v = lx.next(LexMode::Value);
            if (v.kind == Tok::RParen) break;
            if (v.kind == Tok::Comma) continue;
            if (v.kind == Tok::End || v.kind == Tok::Pipe) {
                ctx.diag(Severity::Warning, "spl.syntax.unbalanced_paren",
                         "IN list is never closed", loc(f.b));
                if (v.kind == Tok::Pipe) lx.seek(v.b);
                break;
            }
            if (v.kind != Tok::Word && v.kind != Tok::String) {
                ctx.diag(Severity::Warning, "spl.syntax.unexpected",
                         "unexpected `" + v.text + "` in IN list", loc(v.b));
                continue;
            }
            if (v.kind == Tok::Word && (v.text == "TERM" || v.text == "CASE") && v.e < lx.end() &&
                x.text[v.e] == '(') {
                alts.push_back(directive(v, field, false));
                continue;
            }
            alts.push_back(
                search_value_pred(field, v.text, v.wild, false, v.kind == Tok::String, loc(v.b)));
        }
        if (alts.empty()) return Expr::make_false();
        return or_of(std::move(alts));
    }

    ExprPtr parse_primary() {
        Token t = lx.peek(LexMode::Search);
        switch (t.kind) {
            case Tok::LParen: {
                lx.next(LexMode::Search);
                ExprPtr e = parse_and();
                Token r = lx.peek(LexMode::Search);
                if (r.kind == Tok::RParen) {
                    lx.next(LexMode::Search);
                } else {
                    ctx.diag(Severity::Warning, "spl.syntax.unbalanced_paren",
                             "`(` is never closed", loc(t.b));
                }
                return e;
            }
            case Tok::LBracket: {
                size_t close = lx.match_close(t.b);
                size_t ie = close > t.b + 1 && x.text[close - 1] == ']' ? close - 1 : close;
                Ctx sub = ctx;
                sub.depth = ctx.depth + 1;
                if (sub.depth <= 8) parse_pipeline(x, t.b + 1, ie, sub);
                lx.seek(close);
                ctx.diag(Severity::Info, "spl.search.subsearch",
                         "a subsearch supplies part of this search; it is not expressed as "
                         "predicates",
                         loc(t.b));
                return nullptr;
            }
            case Tok::Macro:
                lx.next(LexMode::Search);
                return nullptr;
            case Tok::Comma:
                lx.next(LexMode::Search);
                return Expr::make_true();
            case Tok::String: {
                lx.next(LexMode::Search);
                Token op = lx.peek(LexMode::Search);
                if (op.kind == Tok::Cmp) {
                    lx.next(LexMode::Search);
                    return field_term(t, op);
                }
                term(t.b, t.e);
                return search_value_pred("", t.text, t.wild, false, true, loc(t.b));
            }
            case Tok::Word: {
                if ((t.text == "TERM" || t.text == "CASE") && t.e < lx.end() &&
                    x.text[t.e] == '(') {
                    lx.next(LexMode::Search);
                    return directive(t, "", true);
                }
                lx.next(LexMode::Search);
                Token op = lx.peek(LexMode::Search);
                if (op.kind == Tok::Cmp) {
                    lx.next(LexMode::Search);
                    return field_term(t, op);
                }
                if (op.kind == Tok::Word && iequals(op.text, "IN") && op.wild.empty()) {
                    size_t save = lx.pos();
                    lx.next(LexMode::Search);
                    bool paren = lx.peek(LexMode::Search).kind == Tok::LParen;
                    lx.seek(save);
                    if (paren) return in_list(t);
                }
                if (t.text == "*") return Expr::make_true();
                term(t.b, t.e);
                return search_value_pred("", t.text, t.wild, false, false, loc(t.b));
            }
            case Tok::Cmp: {
                lx.next(LexMode::Search);
                ctx.diag(Severity::Warning, "spl.syntax.unexpected",
                         "comparison `" + t.text + "` without a field", loc(t.b));
                Token v = lx.peek(LexMode::Value);
                if (v.kind == Tok::Word || v.kind == Tok::String) lx.next(LexMode::Value);
                return nullptr;
            }
            default:
                return nullptr;  // ends() handles the rest
        }
    }
};

// ---------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------

struct StageRange {
    size_t b = 0, e = 0;
    bool piped = false;
    size_t pipe = 0;  // position of the pipe
};

// Splits [b, e) at pipes outside quotes, brackets and backtick units.
std::vector<StageRange> split_stages(const Expanded& x, size_t b, size_t e, Ctx& ctx) {
    std::vector<StageRange> out;
    const std::string& t = x.text;
    int depth = 0;
    StageRange cur{b, b, false, b};
    for (size_t i = b; i < e; ++i) {
        char c = t[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < e && t[j] != '"') j += (t[j] == '\\' && j + 1 < e) ? 2 : 1;
            if (j >= e) {
                ctx.diag(Severity::Warning, "spl.syntax.unbalanced_quote",
                         "a double quote is never closed", x.loc(i));
            }
            i = j;
            continue;
        }
        if (c == '\\') {  // escapes the next character (\" is not a quote)
            ++i;
            continue;
        }
        if (c == '`') {
            size_t z = t.find('`', i + 1);
            if (z != std::string::npos && z < e) i = z;
            continue;
        }
        if (c == '[') ++depth;
        if (c == ']' && depth > 0) --depth;
        if (c == '|' && depth == 0) {
            cur.e = i;
            out.push_back(cur);
            cur = StageRange{i + 1, i + 1, true, i};
        }
    }
    cur.e = e;
    out.push_back(cur);
    if (depth > 0)
        ctx.diag(Severity::Warning, "spl.syntax.unbalanced_bracket",
                 "a `[` subsearch is never closed", x.loc(b));
    return out;
}

struct PipelineParser {
    const Expanded& x;
    Ctx& ctx;
    EvalEnv env;
    bool top;

    SourceLoc loc(size_t off) const { return x.loc(off); }

    std::string stage_text(size_t first, size_t last, bool piped) const {
        std::string_view slice;
        const ExpandedChar& a = x.src[first];
        const ExpandedChar& z = x.src[last];
        bool expanded_view = false;
        if (a.inv && a.inv == z.inv && a.inv <= x.invocations.size()) {
            const auto& inv = x.invocations[a.inv - 1];
            size_t ib = inv.b, ie = inv.e;
            while (ib < ie && is_space(x.text[ib])) ++ib;
            while (ie > ib && is_space(x.text[ie - 1])) --ie;
            if (ib < ie && x.text[ib] == '|') ++ib;
            while (ib < ie && is_space(x.text[ib])) ++ib;
            expanded_view = !(first <= ib && last + 1 >= ie);
        }
        if (expanded_view || a.top_e <= a.top_b || z.top_e < a.top_b ||
            z.top_e > x.original.size()) {
            slice = std::string_view(x.text).substr(first, last + 1 - first);
        } else {
            slice = std::string_view(x.original).substr(a.top_b, z.top_e - a.top_b);
        }
        std::string s = collapse_ws(slice);
        return piped ? "| " + s : s;
    }

    // Parses brackets inside a non-search stage as subsearches (diagnostics only).
    // Parses brackets inside a non-search stage as subsearches. Returns the
    // conjunction of their conditions (null when none): for join/append the
    // stage's expr, describing the other events it combines with.
    ExprPtr subsearches(size_t b, size_t e) {
        if (ctx.depth >= 8) return nullptr;
        Lexer lx(x, b, e);
        std::vector<ExprPtr> conds;
        for (size_t i = b; i < e; ++i) {
            char c = x.text[i];
            if (c == '\\') {
                ++i;
                continue;
            }
            if (c == '"') {
                size_t j = i + 1;
                while (j < e && x.text[j] != '"') j += (x.text[j] == '\\' && j + 1 < e) ? 2 : 1;
                i = j;
                continue;
            }
            if (c == '[') {
                size_t close = lx.match_close(i);
                size_t ie = close > i + 1 && x.text[close - 1] == ']' ? close - 1 : close;
                Ctx sub = ctx;
                sub.depth = ctx.depth + 1;
                auto stages = parse_pipeline(x, i + 1, ie, sub);
                for (auto& s : stages)
                    if (s.expr && is_filter(s.command)) conds.push_back(s.expr);
                i = close - 1;
            }
        }
        if (conds.empty()) return nullptr;
        return and_of(std::move(conds));
    }

    static bool is_filter(const std::string& c) {
        return c == "search" || c == "where" || c == "regex" || c == "tstats" || c == "mstats";
    }

    ExprPtr search_body(size_t b, size_t e, size_t stage_no) {
        Lexer lx(x, b, e);
        std::vector<ExprPtr> parts;
        static const std::vector<std::string_view> none;
        for (int guard = 0; guard < 10000; ++guard) {
            parts.push_back(parse_search_expr(lx, ctx, stage_no, none));
            Token t = lx.peek(LexMode::Search);
            if (t.kind == Tok::End) break;
            lx.next(LexMode::Search);
            ctx.diag(Severity::Warning, "spl.syntax.unexpected",
                     "unexpected `" + t.text + "` in search", loc(t.b));
        }
        return and_of(std::move(parts));
    }

    // Macros without a definition written after an expression (Armory's
    // `hec_collect`) are reported once already; skip them.
    static void skip_macros(Lexer& lx) {
        while (lx.peek(LexMode::Eval).kind == Tok::Macro) lx.next(LexMode::Eval);
    }

    ExprPtr where_body(size_t b, size_t e) {
        Lexer lx(x, b, e);
        if (lx.at_end()) {
            ctx.diag(Severity::Warning, "spl.where.empty", "where without an expression", loc(b));
            return nullptr;
        }
        ENodePtr n = parse_eval_expr(lx, ctx, Dialect::Eval);
        if (!n) return nullptr;
        skip_macros(lx);
        if (!lx.at_end()) {
            Token t = lx.peek(LexMode::Eval);
            ctx.diag(Severity::Warning, "spl.expr.syntax",
                     "unexpected `" + t.text + "` after the where expression", loc(t.b));
        }
        return lower_bool(n, x, ctx, Dialect::Eval, &env, "where");
    }

    void eval_body(size_t b, size_t e) {
        Lexer lx(x, b, e);
        for (int guard = 0; guard < 10000 && !lx.at_end(); ++guard) {
            skip_macros(lx);
            if (lx.at_end()) return;
            Token name = lx.next(LexMode::Eval);
            if (name.kind != Tok::Word && name.kind != Tok::Field && name.kind != Tok::String) {
                ctx.diag(Severity::Warning, "spl.expr.syntax",
                         "eval expects `field = expression`, found `" + name.text + "`",
                         loc(name.b));
                return;
            }
            Token eq = lx.next(LexMode::Eval);
            if (eq.kind != Tok::Cmp || eq.text != "=") {
                ctx.diag(Severity::Warning, "spl.expr.syntax",
                         "eval expects `=` after `" + name.text + "`", loc(eq.b));
                return;
            }
            ENodePtr v = parse_eval_expr(lx, ctx, Dialect::Eval);
            if (!v) return;
            env[name.text] = v;
            skip_macros(lx);
            Token c = lx.peek(LexMode::Eval);
            if (c.kind == Tok::Comma) {
                lx.next(LexMode::Eval);
                continue;
            }
            if (c.kind != Tok::End) {
                ctx.diag(Severity::Warning, "spl.expr.syntax",
                         "unexpected `" + c.text + "` after an eval assignment", loc(c.b));
                return;
            }
        }
    }

    ExprPtr regex_body(size_t b, size_t e) {
        Lexer lx(x, b, e);
        Token a = lx.next(LexMode::Search);
        std::string field;
        std::string op = "=";
        Token val = a;
        if (a.kind == Tok::Word) {
            Token o = lx.next(LexMode::Search);
            if (o.kind != Tok::Cmp || (o.text != "=" && o.text != "!=")) {
                ctx.diag(Severity::Warning, "spl.regex.syntax",
                         "regex expects field=\"pattern\" or field!=\"pattern\"", loc(a.b));
                return nullptr;
            }
            field = a.text == "_raw" ? "" : a.text;
            op = o.text;
            lx.skip_ws();
            size_t vb = lx.pos();
            if (vb < e && x.text[vb] == '"') {
                // the pattern: a quoted string, unescaped like every SPL string
                Lexer sl(x, vb, e);
                val = sl.next(LexMode::Eval);
                lx.seek(sl.pos());
            } else {
                val.kind = Tok::Word;
                val.b = uint32_t(vb);
                size_t z = vb;
                while (z < e && !is_space(x.text[z])) ++z;
                val.text = x.text.substr(vb, z - vb);
                lx.seek(z);
            }
        } else if (a.kind == Tok::String) {
            Lexer sl(x, a.b, e);
            val = sl.next(LexMode::Eval);
            lx.seek(sl.pos());
        } else {
            ctx.diag(Severity::Warning, "spl.regex.syntax", "regex without a pattern", loc(b));
            return nullptr;
        }
        if (!lx.at_end())
            ctx.diag(Severity::Warning, "spl.regex.syntax",
                     "unexpected text after the regex pattern", loc(lx.pos()));
        ExprPtr p = regex_pred(field, val.text, loc(a.b), ctx);
        return op == "!=" ? not_of(p) : p;
    }

    // tstats / mstats: options and functions, FROM datamodel=X, WHERE ..., BY ...
    ExprPtr tstats_body(size_t b, size_t e, size_t stage_no) {
        Lexer lx(x, b, e);
        ExprPtr where;
        static const std::vector<std::string_view> stops = {"by", "groupby"};
        for (int guard = 0; guard < 100000; ++guard) {
            Token t = lx.next(LexMode::Search);
            if (t.kind == Tok::End) break;
            if (t.kind == Tok::LParen || t.kind == Tok::LBracket) {
                lx.seek(lx.match_close(t.b));
                continue;
            }
            if (t.kind != Tok::Word || !t.wild.empty()) continue;
            if (iequals(t.text, "from")) {
                Token d = lx.next(LexMode::Search);
                if (d.kind == Tok::Word && iequals(d.text, "datamodel")) {
                    Token o = lx.peek(LexMode::Search);
                    if (o.kind == Tok::Cmp) lx.next(LexMode::Search);
                    Token v = lx.next(LexMode::Value);
                    if (v.kind == Tok::Word || v.kind == Tok::String) ctx.query->datamodel = v.text;
                } else if (d.kind == Tok::Word) {
                    // datamodel:X or a tscollect namespace
                    std::string s = d.text;
                    if (s.rfind("datamodel:", 0) == 0) s = s.substr(10);
                    ctx.query->datamodel = s;
                }
                continue;
            }
            if (iequals(t.text, "where")) {
                ExprPtr w = parse_search_expr(lx, ctx, stage_no, stops);
                where = where ? and_of({where, w}) : w;
                continue;
            }
            if (iequals(t.text, "by") || iequals(t.text, "groupby")) break;
        }
        return where;
    }

    void datamodel_cmd(size_t b, size_t e) {
        // `| datamodel Endpoint Processes search` / `| from datamodel:Endpoint.Processes`
        Lexer lx(x, b, e);
        Token a = lx.next(LexMode::Search);
        if (a.kind != Tok::Word) return;
        std::string s = a.text;
        if (s.rfind("datamodel:", 0) == 0) s = s.substr(10);
        if (iequals(a.text, "datamodel")) {
            Token c = lx.next(LexMode::Search);
            if (c.kind == Tok::Cmp) c = lx.next(LexMode::Value);
            s = c.text;
        }
        Token n = lx.next(LexMode::Search);
        if (n.kind == Tok::Word && !iequals(n.text, "search") && !iequals(n.text, "flat") &&
            s.find('.') == std::string::npos)
            s += "." + n.text;
        if (!s.empty() && s.front() == '"') s = s.substr(1);
        if (ctx.query->datamodel.empty()) ctx.query->datamodel = s;
    }

    std::vector<Stage> run(size_t b, size_t e) {
        std::vector<Stage> stages;
        auto ranges = split_stages(x, b, e, ctx);
        size_t number = 0;
        for (size_t ri = 0; ri < ranges.size(); ++ri) {
            const StageRange& r = ranges[ri];
            size_t sb = r.b, se = r.e;
            while (sb < se && is_space(x.text[sb])) ++sb;
            while (se > sb && is_space(x.text[se - 1])) --se;
            if (sb == se) {
                if (ri == 0 && !r.piped) continue;  // the query starts with a pipe
                ctx.diag(Severity::Warning, "spl.syntax.empty_stage", "empty pipeline stage",
                         loc(r.piped ? r.pipe : sb));
                continue;
            }
            ++number;
            Stage st;
            st.loc = loc(r.piped ? r.pipe : sb);
            st.text = stage_text(sb, se - 1, r.piped);
            size_t cb = sb, ce = sb;
            while (ce < se && is_cmd_char(x.text[ce])) ++ce;
            std::string word = lower_ascii(std::string_view(x.text).substr(cb, ce - cb));
            bool implicit = number == 1 && !r.piped && !(ctx.depth > 0 && generating(word));
            size_t body = ce;
            if (implicit) {
                st.command = "search";
                body = sb;
                if (word == "search" && ce < se && is_space(x.text[ce])) body = ce;
            } else if (x.text[sb] == '`') {
                st.command = "macro";
            } else if (word.empty()) {
                st.command = std::string(1, x.text[sb]);
                ctx.diag(Severity::Warning, "spl.command.unknown",
                         "stage does not start with a command: `" + st.text + "`", st.loc);
            } else {
                const char* c = canonical(word);
                st.command = c ? c : word;
                if (!known_commands().count(word))
                    ctx.diag(Severity::Warning, "spl.command.unknown",
                             "unknown command `" + word + "`", st.loc);
            }
            size_t saved_stage = ctx.stage;
            if (top) ctx.stage = number;
            size_t stage_no = top ? number : ctx.stage;  // subsearch terms: the enclosing stage
            ExprPtr ex, side;  // side: a join/append subsearch's condition (other events)
            const std::string& cmd = st.command;
            if (cmd == "search") {
                ex = search_body(body, se, stage_no);
            } else if (cmd == "where") {
                ex = where_body(body, se);
            } else if (cmd == "regex") {
                ex = regex_body(body, se);
            } else if (cmd == "tstats" || cmd == "mstats") {
                ex = tstats_body(body, se, stage_no);  // its where parses any subsearch
            } else if (cmd == "eval") {
                eval_body(body, se);
            } else if (cmd == "from" || cmd == "datamodel") {
                datamodel_cmd(cmd == "datamodel" ? cb : body, se);
            } else if (cmd != "foreach" && cmd != "map") {
                // foreach/map bodies are templates (<<FIELD>>, $x$), not searches
                ExprPtr sub = subsearches(body, se);
                if (sub && (cmd == "join" || cmd == "append" || cmd == "appendcols" ||
                            cmd == "union" || cmd == "multisearch"))
                    side = sub;
            }
            ctx.stage = saved_stage;
            if (ex && ex->kind != ExprKind::True) st.expr = ex;
            if (side && side->kind != ExprKind::True) st.expr = side;
            stages.push_back(std::move(st));
        }
        return stages;
    }
};

}  // namespace

ExprPtr parse_search_expr(Lexer& lx, Ctx& ctx, size_t stage,
                          const std::vector<std::string_view>& stop_words) {
    SearchParser p{lx, ctx, stage, stop_words, lx.text()};
    return p.parse_and();
}

std::vector<Stage> parse_pipeline(const Expanded& x, size_t b, size_t e, Ctx& ctx) {
    PipelineParser p{x, ctx, {}, ctx.depth == 0};
    return p.run(b, e);
}

SplQuery parse_spl_mapped(const MappedText& m, const SplParseOptions& opt, Diagnostics& diags) {
    SplQuery q;
    Ctx ctx;
    ctx.opt = &opt;
    ctx.diags = &diags;
    ctx.query = &q;
    Expanded x = expand_macros(m, ctx);
    q.stages = parse_pipeline(x, 0, x.text.size(), ctx);
    std::vector<ExprPtr> parts;
    for (auto& s : q.stages)
        if (s.expr && (s.command == "search" || s.command == "where" || s.command == "regex" ||
                       s.command == "tstats" || s.command == "mstats"))
            parts.push_back(s.expr);
    q.condition = and_of(std::move(parts));
    if (!q.condition) q.condition = Expr::make_true();
    return q;
}

}  // namespace sigil::spl

namespace sigil {

SplQuery parse_spl(std::string_view text, const SourceLoc& at, const SplParseOptions& opt,
                   Diagnostics& diags) {
    return spl::parse_spl_mapped(spl::map_plain(text, at), opt, diags);
}

}  // namespace sigil
