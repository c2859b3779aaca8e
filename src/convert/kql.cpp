// convert/kql.cpp — Kibana Query Language: `field:"exact"`, unquoted escaped
// wildcard terms, `field:*` existence, lowercase boolean operators.
#include "convert/target.h"

namespace sigil {
namespace {

class KqlTarget : public TextTarget {
  public:
    KqlTarget() {
        d.and_token = "and";
        d.or_token = "or";
        d.not_token = "not";
        d.parenthesize = true;
        d.quote_mode = TextDialect::Quote::UnlessWildcard;
        d.str_quote = "\"";
        d.wildcard_multi = "*";
        d.wildcard_single = "";
        d.field_escape_chars = " \\():<>\"*";
        d.eq_expression = "{field}:{value}";
        d.num_eq_expression = "{field}:{value}";
        d.null_expression = "not {field}:*";
        d.exists_expression = "{field}:*";
        d.not_exists_expression = "not {field}:*";
        d.compare_expression = "{field} {op} {value}";
        d.in_expression = "{field}:({list})";
        d.list_separator = " or ";
        d.in_allow_wildcards = true;
        d.kw_str_expression = "{value}";
        d.kw_num_expression = "{value}";
    }
    std::string name() const override { return "kql"; }
    std::vector<std::string> default_pipelines() const override { return {"ecs-windows"}; }

  protected:
    /* KQL escaping differs inside and outside quotes: a quoted value only
     * needs `\` and `"` escaped (and `*` is literal there); an unquoted
     * wildcard term needs `\ ( ) : < > " *` and whitespace escaped, and the
     * words and/or/not would be operators, so a literal run equal to one of
     * them is escaped too.
     */
    bool value(const Pattern& pat, std::string& out, ConvertError& err) const override {
        bool wild = has_wildcards(pat);
        std::string v;
        for (auto& part : pat) {
            if (part.kind == PatternPart::Any) {
                v += '*';
            } else if (part.kind == PatternPart::One) {
                err = unsupported(name(), "single-character wildcard '?'");
                return false;
            } else {
                std::string_view esc = wild ? "\\():<>\"* \t{}" : "\\\"";
                for (char c : part.text) {
                    if (esc.find(c) != std::string_view::npos) v += '\\';
                    v += c;
                }
            }
        }
        out = wild ? v : "\"" + v + "\"";
        return true;
    }
};

}  // namespace

std::unique_ptr<Target> make_kql_target() {
    return std::make_unique<KqlTarget>();
}

}  // namespace sigil
