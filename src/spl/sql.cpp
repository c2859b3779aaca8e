// spl/sql.cpp — Armory's Snowflake rules: `select ... from T where ...`. The
// WHERE clause goes through the shared expression parser in its SQL dialect
// (ILIKE, LIKE, RLIKE/REGEXP, regexp_like, IN, IS [NOT] NULL, BETWEEN) and is
// lowered to IR like an SPL where clause. Time-window terms (`event_time >
// dateadd(...)`, `$latest$`) are not conditions on events and become True.
#include "spl/internal.h"

namespace sigil::spl {

SplQuery parse_sql_mapped(const MappedText& m, const SplParseOptions& opt, Diagnostics& diags) {
    SplQuery q;
    Ctx ctx;
    ctx.opt = &opt;
    ctx.diags = &diags;
    ctx.query = &q;
    ctx.stage = 1;

    Expanded x;
    x.original = m.text;
    x.text = m.text;
    x.files.push_back(m.file);
    x.src.resize(m.text.size() + 1);
    for (size_t i = 0; i <= m.text.size(); ++i) {
        const CharLoc& c = i < m.locs.size() ? m.locs[i] : m.locs.back();
        x.src[i].line = c.line;
        x.src[i].col = c.col;
        x.src[i].top_b = uint32_t(i);
        x.src[i].top_e = uint32_t(i + 1);
    }

    Stage st;
    st.command = "select";
    st.text = collapse_ws(m.text);
    Lexer lx(x, 0, x.text.size());
    lx.sql = true;
    lx.skip_ws();
    st.loc = x.loc(lx.pos());

    Token t = lx.next(LexMode::Eval);
    if (t.kind != Tok::Word || !iequals(t.text, "select")) {
        ctx.diag(Severity::Error, "spl.sql.syntax", "SQL query does not start with SELECT",
                 x.loc(t.b));
        q.stages.push_back(std::move(st));
        q.condition = Expr::make_true();
        return q;
    }
    // skip the select list up to a top-level FROM
    bool from = false;
    for (int guard = 0; guard < 100000; ++guard) {
        t = lx.next(LexMode::Eval);
        if (t.kind == Tok::End) break;
        if (t.kind == Tok::LParen) {
            lx.seek(lx.match_close(t.b));
            continue;
        }
        if (t.kind == Tok::Word && iequals(t.text, "from")) {
            from = true;
            break;
        }
    }
    if (!from) {
        ctx.diag(Severity::Error, "spl.sql.syntax", "SQL query has no FROM clause", st.loc);
        q.stages.push_back(std::move(st));
        q.condition = Expr::make_true();
        return q;
    }
    Token table = lx.next(LexMode::Eval);
    if (table.kind == Tok::Word || table.kind == Tok::Field) q.table = table.text;
    ExprPtr cond;
    for (int guard = 0; guard < 100000; ++guard) {
        t = lx.next(LexMode::Eval);
        if (t.kind == Tok::End) break;
        if (t.kind == Tok::LParen) {
            lx.seek(lx.match_close(t.b));
            continue;
        }
        if (t.kind != Tok::Word) continue;
        std::string kw = lower_ascii(t.text);
        if (kw == "join" || kw == "union" || kw == "lateral") {
            ctx.diag(Severity::Warning, "spl.sql.unsupported",
                     "SQL " + t.text + " is not expressed as predicates", x.loc(t.b));
            continue;
        }
        if (kw.size() > 5 && kw.rfind("where", 0) == 0 && !cond) {
            // `whereevent_time > ...`: a space lost in the rule text
            ctx.diag(Severity::Warning, "spl.sql.syntax",
                     "`" + t.text + "` read as WHERE " + t.text.substr(5), x.loc(t.b));
            lx.seek(t.b + 5);
            kw = "where";
        }
        if (kw == "where" || kw == "having" || kw == "qualify") {
            ENodePtr n = parse_eval_expr(lx, ctx, Dialect::Sql);
            if (!n) break;
            ExprPtr e = lower_bool(n, x, ctx, Dialect::Sql, nullptr, "sql");
            if (kw != "where") {
                ctx.diag(Severity::Info, "spl.sql.aggregate",
                         "SQL " + t.text + " filters aggregated rows; kept in the condition",
                         x.loc(t.b));
            }
            cond = cond ? and_of({cond, e}) : e;
            continue;
        }
        // group by / order by / limit: not conditions
    }
    if (cond && cond->kind != ExprKind::True) st.expr = cond;
    q.stages.push_back(std::move(st));
    q.condition = cond ? cond : Expr::make_true();
    return q;
}

}  // namespace sigil::spl

namespace sigil {

SplQuery parse_snowflake_sql(std::string_view text, const SourceLoc& at, const SplParseOptions& opt,
                             Diagnostics& diags) {
    return spl::parse_sql_mapped(spl::map_plain(text, at), opt, diags);
}

}  // namespace sigil
