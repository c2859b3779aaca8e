// convert/sql.cpp — SQL WHERE clauses over a table with one column per field,
// in the sqlite (default) and postgres dialects (`-O dialect=postgres`, or the
// targets sqlite/postgres).
#include <algorithm>
#include <cctype>

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
 *   - CIDR networks expand to LIKE prefixes (IPv4);
 *   - PostgreSQL text holds no NUL character: a value with one (e.g. a
 *     UTF-16 `wide` value) is an unsupported feature there.
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
        TargetOutput out = TextTarget::convert(pr);
        // PostgreSQL text cannot hold a NUL character, nor can a statement:
        // such a value can never be stated, so the rule is not converted.
        if (pg_ && !out.error)
            for (auto& q : out.queries)
                if (q.find('\0') != std::string::npos) {
                    out.queries.clear();
                    out.error = unsupported(name_, "a NUL character in a value");
                    break;
                }
        return out;
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

    /* PostgreSQL's regex engine allows repetition counts up to 255 only
     * (`{1,256}` and `{1000,}` are errors there). Scans the pattern for
     * bounds `{m}`, `{m,}`, `{m,n}` outside bracket expressions and escapes,
     * and returns the first count over 255, or -1. */
    static long over_dupmax(const std::string& re) {
        for (size_t i = 0; i < re.size(); ++i) {
            char c = re[i];
            if (c == '\\') {
                ++i;
            } else if (c == '[') {
                size_t j = i + 1;
                if (j < re.size() && re[j] == '^') ++j;
                if (j < re.size() && re[j] == ']') ++j;
                for (; j < re.size() && re[j] != ']'; ++j)
                    if (re[j] == '\\') ++j;
                i = j;
            } else if (c == '{') {
                size_t j = i + 1;
                long m = -1, n = -1;
                auto num = [&](long& v) {
                    size_t s = j;
                    v = 0;
                    while (j < re.size() && std::isdigit((unsigned char)re[j]) && v < 100000)
                        v = v * 10 + (re[j++] - '0');
                    if (j == s) v = -1;
                };
                num(m);
                if (m < 0) continue;
                if (j < re.size() && re[j] == ',') {
                    ++j;
                    num(n);
                }
                if (j < re.size() && re[j] == '}' && std::max(m, n) > 255) return std::max(m, n);
            }
        }
        return -1;
    }

    /* Sigma regexes have RE2/PCRE semantics: without the s flag `.` does not
     * match a line break. In PostgreSQL's default mode it does, so for
     * postgres every `.` outside bracket expressions becomes `[^\n]`
     * (escapes and bracket contents are copied as they are). */
    static std::string pg_dot(const std::string& re) {
        std::string o;
        o.reserve(re.size() + 8);
        for (size_t i = 0; i < re.size(); ++i) {
            char c = re[i];
            if (c == '\\' && i + 1 < re.size()) {
                o += c;
                o += re[++i];
            } else if (c == '[') {
                size_t j = i + 1;
                if (j < re.size() && re[j] == '^') ++j;
                if (j < re.size() && re[j] == ']') ++j;
                for (; j < re.size() && re[j] != ']'; ++j)
                    if (re[j] == '\\') ++j;
                o.append(re, i, std::min(j, re.size() - 1) - i + 1);
                i = j;
            } else if (c == '.') {
                o += "[^\\n]";
            } else {
                o += c;
            }
        }
        return o;
    }

    // Field references honour `cased`: compared as they are, else lower-cased.
    bool render_pred(const Pred& p, bool negated, Ctx& c, std::string& out,
                     ConvertError& err) const override {
        if (!p.cased || p.is_keyword() ||
            (p.op != Op::FieldRef && p.op != Op::FieldRefContains &&
             p.op != Op::FieldRefStartsWith && p.op != Op::FieldRefEndsWith))
            return TextTarget::render_pred(p, negated, c, out, err);
        std::string a = field(p.field), b = field(p.value.s);
        switch (p.op) {
            case Op::FieldRef:
                out = a + " = " + b;
                break;
            case Op::FieldRefContains:
                out = pg_ ? "strpos(" + a + ", " + b + ") > 0" : "instr(" + a + ", " + b + ") > 0";
                break;
            case Op::FieldRefStartsWith:
                out = pg_ ? "starts_with(" + a + ", " + b + ")"
                          : "substr(" + a + ", 1, length(" + b + ")) = " + b;
                break;
            default:
                out = pg_ ? "right(" + a + ", length(" + b + ")) = " + b
                          : "substr(" + a + ", -length(" + b + ")) = " + b;
                break;
        }
        return true;
    }

    bool render_regex(const Pred& p, bool, std::string& out, ConvertError& err) const override {
        std::string re;
        bool ci = false;
        if (!regex_text(p, re, err, ci)) return false;
        if (pg_) re = pg_dot(re);
        if (pg_ && over_dupmax(re) >= 0) {
            err = unsupported(name_, "a regex repetition count over 255 ({" +
                                         std::to_string(over_dupmax(re)) + "})");
            return false;
        }
        out = fill(ci ? d.re_ci_expression : d.re_expression,
                   {{"field", field(p.field)}, {"regex", quote(re)}});
        return true;
    }

    /* The comparison is written straight into `out`: the quoted field, the
     * operator, and the pattern as a quoted literal (quotes doubled) in one
     * pass over the value, without intermediate strings. */
    bool render_string(const Pred& p, std::string& out, ConvertError&) const override {
        Pattern pat = pattern_of(p);
        bool wild = has_wildcards(pat);
        size_t n = 0;
        for (auto& part : pat) n += part.text.size() + 1;
        out = field(p.field);
        out.reserve(out.size() + 2 * n + 24);
        auto lit_char = [&](char c) {
            if (c == '\'') out += '\'';
            out += c;
        };
        if (p.cased && !wild) {
            out += " = '";
            if (!pat.empty())
                for (char c : pat[0].text) lit_char(c);
            out += '\'';
            return true;
        }
        if (p.cased && !pg_) {
            out += " GLOB '";
            for (auto& part : pat) {
                if (part.kind == PatternPart::Any)
                    out += '*';
                else if (part.kind == PatternPart::One)
                    out += '?';
                else
                    for (char c : part.text) {
                        if (c == '*' || c == '?' || c == '[') {
                            out += '[';
                            out += c;
                            out += ']';
                        } else {
                            lit_char(c);
                        }
                    }
            }
            out += '\'';
            return true;
        }
        out += p.cased ? " LIKE '" : (pg_ ? " ILIKE '" : " LIKE '");
        for (auto& part : pat) {
            if (part.kind == PatternPart::Any)
                out += '%';
            else if (part.kind == PatternPart::One)
                out += '_';
            else
                for (char c : part.text) {
                    if (c == '%' || c == '_' || c == '\\') out += '\\';
                    lit_char(c);
                }
        }
        out += "' ESCAPE '\\'";
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
