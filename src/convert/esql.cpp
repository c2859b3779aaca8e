// convert/esql.cpp — Elasticsearch ES|QL (`from * ... | where ...`). ES|QL
// string comparisons are case-sensitive, so Sigma's default insensitive
// matching compares TO_LOWER(field) with the lowercased value; `cased` uses the
// plain operators. Regexes are Lucene syntax (`rlike`).
#include "convert/target.h"

namespace sigil {
namespace {

class EsqlTarget : public TextTarget {
  public:
    EsqlTarget() {
        d.and_token = "and";
        d.or_token = "or";
        d.not_token = "not";
        d.not_operand = "coalesce({expr}, false)";
        d.str_quote = "\"";
        d.escape_char = "\\";
        d.add_escaped = "\\";
        d.wildcard_multi = "*";
        d.wildcard_single = "?";
        d.wildcard_escape = "\\\\";  // a pattern escape inside a string literal
        d.escape_wildcards_in_exact = false;
        d.field_quote = "`";
        d.field_plain_pattern = "[A-Za-z_@][A-Za-z0-9_.@]*";
        d.plain_is_case_insensitive = false;
        d.ci_field_wrap = "to_lower({field})";
        d.eq_expression = "{field}=={value}";
        d.wildcard_expression = "{field} like {value}";
        d.startswith_expression = "starts_with({field}, {value})";
        d.endswith_expression = "ends_with({field}, {value})";
        d.string_ops_take_literal = true;
        d.num_eq_expression = "{field}=={value}";
        d.re_flavor = TextDialect::ReFlavor::Lucene;
        d.re_expression = "{field} rlike {regex}";
        d.cidr_expression = "cidr_match({field}, \"{value}\")";
        d.compare_expression = "{field}{op}{value}";
        d.null_expression = "{field} is null";
        d.exists_expression = "{field} is not null";
        d.not_exists_expression = "{field} is null";
        d.fieldref_expression = "to_lower({field1})==to_lower({field2})";
        d.cs_fieldref_expression = "{field1}=={field2}";  // string == is case-sensitive
        d.in_expression = "{field} in ({list})";
        d.in_allow_wildcards = false;
        d.query_expression = "from {index} metadata _id, _index, _version | where {query}";
    }
    std::string name() const override { return "esql"; }
    std::vector<std::string> default_pipelines() const override { return {"ecs-windows"}; }
    std::vector<std::string> option_names() const override { return {"index"}; }

  protected:
    /* ES|QL string literals escape `\` and `"`; inside a LIKE pattern the
     * backslash is also the pattern escape, so a literal backslash is `\\`
     * in the source text and a literal `*` / `?` is `\*` / `\?`. */
    bool value(const Pattern& pat, std::string& out, ConvertError&) const override {
        bool wild = has_wildcards(pat);
        std::string v;
        for (auto& part : pat) {
            if (part.kind == PatternPart::Any) {
                v += '*';
            } else if (part.kind == PatternPart::One) {
                v += '?';
            } else {
                for (char c : part.text) {
                    if (c == '\\')
                        v += wild ? "\\\\\\\\" : "\\\\";
                    else if (wild && (c == '*' || c == '?')) {
                        v += "\\\\";
                        v += c;
                    } else if (c == '"')
                        v += "\\\"";
                    else
                        v += c;
                }
            }
        }
        out = "\"" + v + "\"";
        return true;
    }
    bool render_regex(const Pred& p, bool negated, std::string& out,
                      ConvertError& err) const override {
        std::string re;
        bool ci = false;
        if (!regex_text(p, re, err, ci)) return false;
        std::string q = "\"";
        for (char c : re) {
            if (c == '\\' || c == '"') q += '\\';
            q += c;
        }
        q += '"';
        out = fill(d.re_expression, {{"field", field(p.field)}, {"regex", q}});
        return true;
    }
};

}  // namespace

std::unique_ptr<Target> make_esql_target() {
    return std::make_unique<EsqlTarget>();
}

}  // namespace sigil
