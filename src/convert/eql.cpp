// convert/eql.cpp — Elastic EQL (`any where ...`): `:` and `like~` compare
// case-insensitively, `==` / `like` case-sensitively; regexes use Lucene
// syntax (`regex`, `regex~` for the i flag); ecs-windows mapping by default.
#include "convert/target.h"

namespace sigil {
namespace {

class EqlTarget : public TextTarget {
  public:
    EqlTarget() {
        d.and_token = "and";
        d.or_token = "or";
        d.not_token = "not";
        d.str_quote = "\"";
        d.escape_char = "\\";
        d.add_escaped = "\\";
        d.wildcard_multi = "*";
        d.wildcard_single = "?";
        d.escape_wildcards_in_exact = true;
        d.field_quote = "`";
        d.field_plain_pattern = "[A-Za-z_@][A-Za-z0-9_.@]*";
        d.eq_expression = "{field}:{value}";
        d.wildcard_expression = "{field} like~ {value}";
        d.cs_eq_expression = "{field} == {value}";
        d.cs_wildcard_expression = "{field} like {value}";
        d.num_eq_expression = "{field} == {value}";
        d.re_flavor = TextDialect::ReFlavor::Lucene;
        d.re_expression = "{field} regex {regex}";
        d.re_ci_expression = "{field} regex~ {regex}";
        d.re_flag_prefix = false;
        d.cidr_expression = "cidrMatch({field}, \"{value}\")";
        d.compare_expression = "{field} {op} {value}";
        d.null_expression = "?{field} == null";
        d.exists_expression = "?{field} != null";
        d.not_exists_expression = "?{field} == null";
        d.fieldref_expression = "{field1} == {field2}";
        d.cs_fieldref_expression = "{field1} == {field2}";
        d.in_expression = "{field} like~ ({list})";
        d.in_allow_wildcards = true;
        d.in_allow_numbers = false;
        d.query_expression = "any where {query}";
    }
    std::string name() const override { return "eql"; }
    std::vector<std::string> default_pipelines() const override { return {"ecs-windows"}; }

  protected:
    // EQL regex strings are ordinary strings: escape `\` and `"`.
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
        out = fill(ci ? d.re_ci_expression : d.re_expression,
                   {{"field", field(p.field)}, {"regex", q}});
        return true;
    }
};

}  // namespace

std::unique_ptr<Target> make_eql_target() {
    return std::make_unique<EqlTarget>();
}

}  // namespace sigil
