// convert/sql.cpp — SQL WHERE clauses over a table with one column per field,
// in the sqlite (default) and postgres dialects (`-O dialect=postgres`, or the
// targets sqlite/postgres).
#include "convert/target.h"

namespace sigil {
namespace {

/* Meaning-preserving SQL:
 *   - case-insensitive strings use LIKE (ASCII-insensitive in SQLite) or
 *     ILIKE (PostgreSQL) with `%`/`_` wildcards and ESCAPE '\'; `cased`
 *     uses `=`, GLOB (SQLite, `[*]` style escapes) or LIKE (PostgreSQL);
 *   - string literals double the quote; identifiers are always double-quoted
 *     (field names such as User or Group are keywords);
 *   - a missing field is a NULL column: Sigma's null is IS NULL and a NOT
 *     wraps its operand in coalesce(…, false) so NOT of an unknown
 *     comparison is true, as in Sigma's two-valued logic;
 *   - regexes: REGEXP (SQLite, needs a regexp() function; `(?i)` flags) or
 *     `~` / `~*` (PostgreSQL);
 *   - CIDR networks expand to LIKE prefixes (IPv4).
 */
class SqlTarget : public TextTarget {
  public:
    explicit SqlTarget(std::string name, bool pg) : name_(std::move(name)), pg_(pg) { setup(); }
    std::string name() const override { return name_; }
    std::vector<std::string> option_names() const override { return {"table", "dialect"}; }

    TargetOutput convert(const ProcessedRule& pr) const override {
        bool pg = option("dialect", pg_ ? "postgres" : "sqlite") == "postgres";
        if (pg != pg_) {
            SqlTarget other(name_, pg);
            other.set_options(options_);
            return other.convert(pr);
        }
        return TextTarget::convert(pr);
    }

  private:
    void setup() {
        d.and_token = "AND";
        d.or_token = "OR";
        d.not_token = "NOT";
        d.chunk_operands = 100;
        d.not_operand = pg_ ? "coalesce({expr}, false)" : "coalesce({expr}, 0)";
        d.field_quote = "\"";
        d.field_plain_pattern = "";  // always quote
        d.str_quote = "'";
        // numbers match numeric values and their decimal text (docs/ir.md)
        d.num_eq_expression = pg_ ? "{field} = '{value}'" : "{field} IN ({value}, '{value}')";
        d.bool_eq_expression = "lower({field}) = {value}";
        d.bool_true = "'true'";
        d.bool_false = "'false'";
        if (pg_) {
            d.re_flavor = TextDialect::ReFlavor::Posix;
            d.re_expression = "{field} ~ {regex}";
            d.re_ci_expression = "{field} ~* {regex}";
            d.re_flag_prefix = false;
        } else {
            d.re_expression = "{field} REGEXP {regex}";
        }
        d.compare_expression = pg_ ? "CASE WHEN {field} ~ '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$' THEN "
                                     "{field}::numeric END {op} {value}"
                                   : "((typeof({field}) IN ('integer', 'real') OR trim({field}) "
                                     "GLOB '[0-9]*') AND CAST({field} AS REAL) {op} {value})";
        d.null_expression = "{field} IS NULL";
        d.exists_expression = "{field} IS NOT NULL";
        d.not_exists_expression = "{field} IS NULL";
        d.fieldref_expression = "lower({field1}) = lower({field2})";
        if (pg_) {
            d.fieldref_contains_expression = "strpos(lower({field1}), lower({field2})) > 0";
            d.fieldref_startswith_expression = "starts_with(lower({field1}), lower({field2}))";
            d.fieldref_endswith_expression =
                "right(lower({field1}), length({field2})) = lower({field2})";
        } else {
            d.fieldref_contains_expression = "instr(lower({field1}), lower({field2})) > 0";
            d.fieldref_startswith_expression =
                "substr(lower({field1}), 1, length({field2})) = lower({field2})";
            d.fieldref_endswith_expression =
                "substr(lower({field1}), -length({field2})) = lower({field2})";
        }
        d.query_expression = "SELECT * FROM {table} WHERE {query}";
    }

    static std::string quote(const std::string& s) {
        std::string o = "'";
        for (char c : s) {
            if (c == '\'') o += '\'';
            o += c;
        }
        return o + "'";
    }

    std::string literal(const std::string& s) const override { return quote(s); }

    bool render_regex(const Pred& p, bool, std::string& out, ConvertError& err) const override {
        std::string re;
        bool ci = false;
        if (!regex_text(p, re, err, ci)) return false;
        out = fill(ci ? d.re_ci_expression : d.re_expression,
                   {{"field", field(p.field)}, {"regex", quote(re)}});
        return true;
    }

    bool render_string(const Pred& p, std::string& out, ConvertError&) const override {
        Pattern pat = pattern_of(p);
        std::string f = field(p.field);
        bool wild = has_wildcards(pat);
        if (p.cased && !wild) {
            out = f + " = " + quote(pat.empty() ? "" : pat[0].text);
            return true;
        }
        if (p.cased && !pg_) {
            std::string g;
            for (auto& part : pat) {
                if (part.kind == PatternPart::Any)
                    g += '*';
                else if (part.kind == PatternPart::One)
                    g += '?';
                else
                    for (char c : part.text) {
                        if (c == '*' || c == '?' || c == '[') {
                            g += '[';
                            g += c;
                            g += ']';
                        } else {
                            g += c;
                        }
                    }
            }
            out = f + " GLOB " + quote(g);
            return true;
        }
        std::string l;
        for (auto& part : pat) {
            if (part.kind == PatternPart::Any)
                l += '%';
            else if (part.kind == PatternPart::One)
                l += '_';
            else
                for (char c : part.text) {
                    if (c == '%' || c == '_' || c == '\\') l += '\\';
                    l += c;
                }
        }
        const char* op = p.cased ? " LIKE " : (pg_ ? " ILIKE " : " LIKE ");
        out = f + op + quote(l) + " ESCAPE '\\'";
        return true;
    }

    std::string name_;
    bool pg_;
};

}  // namespace

std::unique_ptr<Target> make_sql_target(const std::string& name) {
    return std::make_unique<SqlTarget>(name, name == "postgres");
}

}  // namespace sigil
