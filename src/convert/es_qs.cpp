// convert/es_qs.cpp — es-qs: Elasticsearch query_string queries with the
// winlogbeat field mapping by default (the seeds' es-qs), plus the shared
// query-string dialect of the Elasticsearch family and its JSON writer.
#include "convert/es_family.h"

namespace sigil {

/* Query-string escaping: Lucene's reserved characters
 * + - = & | > < ! ( ) { } [ ] ^ " ~ * ? : \ / and the space get a backslash,
 * inside quotes as well (query_string unescapes them there too), so one rule
 * serves quoted exact values and unquoted wildcard terms. Values with
 * wildcards stay unquoted (quotes would make `*` literal) and, in the legacy
 * style, go to the field's `.keyword` sub-field, where wildcard queries see the
 * whole value instead of analyzed tokens.
 */
EsQueryStringTarget::EsQueryStringTarget(std::string name, bool legacy, std::string list_sep)
    : name_(std::move(name)) {
    d.and_token = "AND";
    d.or_token = "OR";
    d.not_token = "NOT";
    d.parenthesize = true;
    d.str_quote = "\"";
    d.escape_char = "\\";
    d.add_escaped = "+-=&|><!(){}[]^\"~:\\/ ";
    d.wildcard_multi = "*";
    d.wildcard_single = "?";
    d.field_escape_chars = " :()\\/";
    if (legacy) {
        d.quote_mode = TextDialect::Quote::UnlessWildcard;
        d.wildcard_field_suffix = ".keyword";
        d.quote_numbers = true;
    } else {
        d.quote_mode = TextDialect::Quote::Never;
        d.add_escaped += "*?";
    }
    d.eq_expression = "{field}:{value}";
    d.num_eq_expression = "{field}:{value}";
    d.re_expression = "{field}:/{regex}/";
    d.re_flavor = TextDialect::ReFlavor::Lucene;
    d.re_escape_chars = "/";
    d.cidr_expression = "{field}:\"{value}\"";
    d.compare_expression = "{field}:{op}{value}";
    d.null_expression = "NOT _exists_:{field}";
    d.exists_expression = "_exists_:{field}";
    d.not_exists_expression = "NOT _exists_:{field}";
    d.in_expression = "{field}:({list})";
    d.list_separator = list_sep;
    d.in_allow_wildcards = true;
    d.kw_str_expression = "{value}";
    d.kw_num_expression = "{value}";
    d.kw_re_expression = "/{regex}/";
    d.kw_substring_wildcards = true;
}

namespace {
void py_json_rec(const nlohmann::ordered_json& j, int indent, int level, std::string& o) {
    auto nl = [&](int lv) {
        if (indent >= 0) {
            o += '\n';
            o.append(size_t(indent * lv), ' ');
        }
    };
    if (j.is_object()) {
        if (j.empty()) {
            o += "{}";
            return;
        }
        o += '{';
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!first) o += indent >= 0 ? "," : ", ";
            first = false;
            nl(level + 1);
            json_quote_to(o, it.key());
            o += ": ";
            py_json_rec(it.value(), indent, level + 1, o);
        }
        nl(level);
        o += '}';
    } else if (j.is_array()) {
        if (j.empty()) {
            o += "[]";
            return;
        }
        o += '[';
        bool first = true;
        for (auto& x : j) {
            if (!first) o += indent >= 0 ? "," : ", ";
            first = false;
            nl(level + 1);
            py_json_rec(x, indent, level + 1, o);
        }
        nl(level);
        o += ']';
    } else if (j.is_string()) {
        json_quote_to(o, j.get<std::string>());
    } else {
        o += j.dump();
    }
}
}  // namespace

std::string py_json(const nlohmann::ordered_json& j, int indent) {
    std::string o;
    py_json_rec(j, indent, 0, o);
    return o;
}

namespace {
class EsQsTarget : public EsQueryStringTarget {
  public:
    EsQsTarget() : EsQueryStringTarget("es-qs", true, " OR ") {}
    std::vector<std::string> default_pipelines() const override { return {"winlogbeat"}; }
};
}  // namespace

std::unique_ptr<Target> make_es_qs_target() {
    return std::make_unique<EsQsTarget>();
}

}  // namespace sigil
