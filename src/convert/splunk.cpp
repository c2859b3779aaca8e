// convert/splunk.cpp — Splunk SPL search target: a search-language dialect of
// the text core, regexes as trailing `| regex` commands, and a `| where`
// fallback for what the search language cannot say (regexes under OR/NOT,
// `?` wildcards, field references); formats: default, savedsearches.
#include "convert/target.h"

namespace sigil {
namespace {

/* Splunk eval (`| where`) dialect. Every string test becomes match() with an
 * anchored regex built from the Sigma pattern, `(?i)` unless `cased`; the
 * test is guarded by isnotnull() so a missing field is false and NOT of it
 * is true, as in Sigma (match() on a null field would make NOT null too).
 */
class SplunkEval : public TextTarget {
  public:
    SplunkEval() {
        d.and_token = "AND";
        d.or_token = "OR";
        d.not_token = "NOT";
        d.field_quote = "'";
        d.field_plain_pattern = "[A-Za-z_][A-Za-z0-9_]*";
        d.str_quote = "\"";
        d.add_escaped = "\\";
        d.num_eq_expression = "{field}={value}";
        d.bool_true = "\"true\"";
        d.bool_false = "\"false\"";
        d.re_expression = "(isnotnull({field}) AND match({field}, \"{regex}\"))";
        d.re_escape_chars = "\"";
        d.re_escape_escape_char = true;
        d.cidr_expression = "cidrmatch(\"{value}\", '{field}')";
        d.null_expression = "isnull({field})";
        d.exists_expression = "isnotnull({field})";
        d.not_exists_expression = "isnull({field})";
        d.compare_expression = "{field}{op}{value}";
        d.fieldref_expression = "lower({field1})=lower({field2})";
        d.fieldref_contains_expression = "like(lower({field1}), \"%\".lower({field2}).\"%\")";
        d.fieldref_startswith_expression = "like(lower({field1}), lower({field2}).\"%\")";
        d.fieldref_endswith_expression = "like(lower({field1}), \"%\".lower({field2}))";
        // eval comparisons of strings are case-sensitive; substr with a negative
        // start counts from the end. No case-sensitive `contains` form.
        d.cs_fieldref_expression = "{field1}={field2}";
        d.cs_fieldref_startswith_expression = "substr({field1}, 1, len({field2}))={field2}";
        d.cs_fieldref_endswith_expression = "substr({field1}, -len({field2}))={field2}";
    }
    std::string name() const override { return "splunk"; }

  protected:
    bool render_string(const Pred& p, std::string& out, ConvertError&) const override {
        std::string re = (p.cased ? "" : "(?i)") + pattern_to_regex(pattern_of(p), true);
        std::string f = field(p.field);
        out = "(isnotnull(" + f + ") AND match(" + f + ", \"" + escape_regex(re) + "\"))";
        return true;
    }
    bool render_keyword(const Pred& p, std::string& out, ConvertError& err) const override {
        std::string re;
        if (p.op == Op::Regex) {
            bool ci;
            if (!regex_text(p, re, err, ci)) return false;
        } else {
            re = (p.cased ? "" : "(?i)") + pattern_to_regex(pattern_of(p), p.op == Op::Glob);
        }
        out = "match(_raw, \"" + escape_regex(re) + "\")";
        return true;
    }
};

class SplunkTarget : public TextTarget {
  public:
    SplunkTarget() {
        d.and_token = "";  // implicit AND
        d.or_token = "OR";
        d.or_binds_tighter = true;
        d.not_token = "NOT";
        d.str_quote = "\"";
        d.escape_char = "\\";
        d.add_escaped = "\\";
        d.wildcard_multi = "*";
        d.wildcard_single = "";
        d.eq_expression = "{field}={value}";
        d.cs_eq_expression = "{field}=CASE({value})";
        d.cs_wildcard_expression = "{field}=CASE({value})";
        d.num_eq_expression = "{field}={value}";
        d.bool_true = "\"true\"";
        d.bool_false = "\"false\"";
        d.deferred_re_expression = "\n| regex {field}=\"{regex}\"";
        d.deferred_not_re_expression = "\n| regex {field}!=\"{regex}\"";
        d.re_escape_chars = "\"";
        d.re_escape_escape_char = true;
        d.cidr_expression = "{field}=\"{value}\"";
        d.compare_expression = "{field}{op}{value}";
        d.null_expression = "NOT {field}=*";
        d.exists_expression = "{field}=*";
        d.not_exists_expression = "NOT {field}=*";
        d.in_expression = "{field} IN ({list})";
        d.in_allow_wildcards = true;
        d.kw_str_expression = "{value}";
        d.kw_num_expression = "{value}";
    }
    std::string name() const override { return "splunk"; }
    std::vector<std::string> formats() const override {
        return {"default", "json", "savedsearches"};
    }
    std::vector<std::string> default_pipelines() const override { return {"splunk-windows"}; }

    /* Each condition is first rendered as a plain search. If that fails
     * (a regex below OR/NOT, a `?` wildcard, a field reference), the
     * top-level conjuncts that the search language can express stay in the
     * base search and the others move to one `| where` clause in eval syntax.
     */
    TargetOutput convert(const ProcessedRule& pr) const override {
        TargetOutput o = TextTarget::convert(pr);
        if (!o.error || o.error->code != "convert.unsupported") return o;
        o = {};
        for (auto& cond : pr.rule.conditions) {
            std::vector<ExprPtr> conj;
            if (cond->kind == ExprKind::And)
                conj = cond->kids;
            else
                conj.push_back(cond);
            std::vector<ExprPtr> base_parts, where_parts;
            Ctx c;
            c.pr = &pr;
            std::string base;
            for (auto& k : conj) {
                std::string s;
                ConvertError e;
                Ctx c1 = c;
                if (render(k, c1, s, e, 2))
                    base_parts.push_back(k);
                else
                    where_parts.push_back(k);
            }
            ConvertError err;
            if (!base_parts.empty()) {
                ProcessedRule sub;
                Ctx c2;
                c2.pr = &pr;
                ExprPtr b = base_parts.size() == 1 ? base_parts[0] : Expr::make_and(base_parts);
                if (!render(b, c2, base, err, 0)) {
                    o.error = err;
                    return o;
                }
            } else {
                base = "*";
            }
            std::string where;
            ExprPtr w = where_parts.size() == 1 ? where_parts[0] : Expr::make_and(where_parts);
            if (!eval_.render_expr(w, pr, where, err)) {
                o.error = err;
                return o;
            }
            o.queries.push_back(base + "\n| where " + where);
        }
        return o;
    }

    std::vector<std::string> format_rule(const ProcessedRule& pr, std::vector<std::string> queries,
                                         const std::string& format) const override {
        if (format != "savedsearches") return queries;
        std::vector<std::string> out;
        for (size_t i = 0; i < queries.size(); ++i) {
            std::string title = pr.rule.title.empty() ? pr.rule.id : pr.rule.title;
            if (queries.size() > 1) title += " (" + std::to_string(i + 1) + ")";
            for (auto& ch : title)
                if (ch == '[' || ch == ']' || ch == '\n') ch = ' ';
            std::string q = queries[i];
            // one logical line: continue lines with a trailing backslash
            std::string cont;
            for (char ch : q) {
                if (ch == '\n')
                    cont += " \\\n";
                else
                    cont += ch;
            }
            std::string desc = pr.rule.description;
            for (auto& ch : desc)
                if (ch == '\n' || ch == '\r') ch = ' ';
            out.push_back("[" + title + "]\nsearch = " + cont + "\ndescription = " + desc + "\n");
        }
        return out;
    }

  private:
    struct Eval : SplunkEval {
        bool render_expr(const ExprPtr& e, const ProcessedRule& pr, std::string& out,
                         ConvertError& err) const {
            Ctx c;
            c.pr = &pr;
            return render(e, c, out, err, 0);
        }
    } eval_;
};

}  // namespace

std::unique_ptr<Target> make_splunk_target() {
    return std::make_unique<SplunkTarget>();
}

}  // namespace sigil
