// convert/grep.cpp — grep -P: one Perl regex per rule that selects matching
// lines. Default format: field-aware over JSON lines (one compact JSON object
// per event, `"Field":value`); `-O mode=plain`: values anywhere in the line,
// field names ignored, as in the seeds.
#include "convert/target.h"

namespace sigil {
namespace {

/* Every node renders to a zero-width assertion evaluated at the start of the
 * line, so AND/OR/NOT compose without caring about match positions:
 *   predicate  (?=.*X)     X = the predicate's text pattern
 *   and        (?:A B ...) (concatenated lookaheads)
 *   or         (?:A|B|...)
 *   not        (?!A)
 * and the command is `grep -P -i '^R'` (the -i implements Sigma's default
 * case-insensitivity; `cased` values are wrapped in (?-i:...)).
 *
 * In JSON-lines mode X is anchored to the field: `"F":"<value>"` with the
 * value written as it appears inside a JSON string (backslash and quote
 * escaped, then regex-escaped); `*` becomes any run of JSON string
 * characters `(?:[^"\\]|\\.)*` and `?` one character, so a wildcard never
 * runs past the closing quote. Numbers match `"F":4688` or `"F":"4688"`
 * followed by `,` or `}`; null is `(?!.*"F":(?!null[,}]))` (absent or null);
 * exists is `(?=.*"F":)`. User regexes would have to see unescaped text, so
 * they are only supported in plain mode.
 */
const char* kJsonChar = "(?:[^\"\\\\]|\\\\.)";

std::string json_inner(const std::string& s) {
    std::string q = json_quote(s);
    return q.substr(1, q.size() - 2);
}

class GrepTarget : public Target {
  public:
    std::string name() const override { return "grep"; }
    std::vector<std::string> formats() const override { return {"default", "json"}; }
    std::vector<std::string> option_names() const override { return {"mode"}; }

    TargetOutput convert(const ProcessedRule& pr) const override {
        plain_ = option("mode", "json") == "plain";
        TargetOutput o;
        for (auto& c : pr.rule.conditions) {
            std::string r;
            ConvertError err;
            if (!render(c, pr, r, err)) {
                o.error = err;
                return o;
            }
            o.queries.push_back(r);
        }
        return o;
    }

    std::vector<std::string> format_rule(const ProcessedRule&, std::vector<std::string> qs,
                                         const std::string&) const override {
        std::vector<std::string> out;
        for (auto& q : qs) {
            std::string sh;
            for (char c : q) {
                if (c == '\'')
                    sh += "'\\''";
                else
                    sh += c;
            }
            out.push_back("grep -P -i '^" + sh + "'");
        }
        return out;
    }

  private:
    mutable bool plain_ = false;

    std::string value_regex(const Pattern& pat, bool json) const {
        std::string o, q;
        for (auto& part : pat) {
            if (part.kind == PatternPart::Lit) {
                if (json) {
                    q.clear();
                    json_quote_to(q, part.text);
                    regex_escape_to(o, std::string_view(q).substr(1, q.size() - 2));
                } else {
                    regex_escape_to(o, part.text);
                }
            } else if (part.kind == PatternPart::Any) {
                if (json) o += kJsonChar;
                o += json ? "*" : ".*";
            } else {
                o += json ? kJsonChar : ".";
            }
        }
        return o;
    }

    bool pred(const Pred& p, const ProcessedRule& pr, std::string& out, ConvertError& err) const {
        if (p.placeholders) {
            err = {"convert.placeholder.unresolved",
                   "unresolved placeholder in value '" + p.value.text() + "'"};
            return false;
        }
        if (p.time_part != TimePart::None || pr.query_expressions.count(&p)) {
            err = unsupported("grep", "timestamp parts and query expressions");
            return false;
        }
        auto cs = [&](const std::string& x) { return p.cased ? "(?-i:" + x + ")" : x; };
        bool plain = plain_;
        if (p.is_keyword() && !plain_) {
            // a keyword searches values only: text after a `:` (optionally
            // inside the opening quote) that never crosses a closing quote
            if (p.op == Op::Regex) {
                err = unsupported("grep", "keyword regular expressions over JSON lines");
                return false;
            }
            Pattern pat = pattern_of(p);
            std::string lit;
            for (auto& part : pat)
                if (part.kind == PatternPart::Lit) lit = part.text;
            if (p.op != Op::Glob) pat = Pattern{{PatternPart::Lit, lit}};
            out += "(?=.*:\"?(?:[^\"\\\\]|\\\\.)*?" + cs(value_regex(pat, true)) + ")";
            return true;
        }
        std::string key = "\"" + regex_escape(json_inner(p.field)) + "\":";
        switch (p.op) {
            case Op::Eq:
                if (p.value.kind == ValueKind::Null) {
                    if (plain) break;
                    out += "(?!.*" + key + "(?!null[,}]))";
                    return true;
                }
                if (p.value.is_number() || p.value.kind == ValueKind::Bool) {
                    std::string t = regex_escape(p.value.text());
                    out += plain ? "(?=.*" + t + ")"
                                 : "(?=.*" + key + "(?:" + t + "[,}]|\"" + t + "\"))";
                    return true;
                }
                [[fallthrough]];
            case Op::Contains:
            case Op::StartsWith:
            case Op::EndsWith:
            case Op::Glob: {
                Pattern pat = pattern_of(p);
                if (plain) {
                    out += "(?=.*" + cs(value_regex(pat, !plain_)) + ")";
                } else {
                    out += "(?=.*" + key + "\"" + cs(value_regex(pat, true)) + "\")";
                }
                return true;
            }
            case Op::Exists:
                if (plain) break;
                out += (p.value.kind != ValueKind::Bool || p.value.b) ? "(?=.*" + key + ")"
                                                                      : "(?!.*" + key + ")";
                return true;
            case Op::Regex: {
                if (!plain_) {
                    err = unsupported(
                        "grep", "regular expressions over JSON-escaped text (use -O mode=plain)");
                    return false;
                }
                std::string f = "(?";
                if (!(p.re_flags & ReIgnoreCase)) f += "-i";
                if (p.re_flags & ReDotAll) f += "s";
                out += "(?=.*" + f + ":" + p.value.s + "))";
                return true;
            }
            case Op::Cidr: {
                std::vector<std::string> pf;
                std::string why;
                if (!cidr_to_prefixes(p.value.s, pf, why)) {
                    err = unsupported("grep", why);
                    return false;
                }
                std::string alt;
                for (auto& x : pf) {
                    if (!alt.empty()) alt += '|';
                    alt += x[0] == '=' ? regex_escape(x.substr(1)) + "\"" : regex_escape(x);
                }
                out += plain ? "(?=.*(?:" + alt + "))" : "(?=.*" + key + "\"(?:" + alt + "))";
                return true;
            }
            default:
                break;
        }
        err = unsupported("grep", std::string(op_name(p.op)) + (plain ? " in plain mode" : ""));
        return false;
    }

    /* Appends the node's assertion to `out`: the whole rule is written into
     * one string, children in place, instead of each node returning its own
     * text for the parent to copy. */
    bool render(const ExprPtr& e, const ProcessedRule& pr, std::string& out,
                ConvertError& err) const {
        switch (e->kind) {
            case ExprKind::Pred:
                return pred(*e->pred, pr, out, err);
            case ExprKind::Not:
                out += "(?!";
                if (!render(e->kids[0], pr, out, err)) return false;
                out += ')';
                return true;
            case ExprKind::And:
            case ExprKind::Or:
                out += "(?:";
                for (size_t i = 0; i < e->kids.size(); ++i) {
                    if (i && e->kind == ExprKind::Or) out += '|';
                    if (!render(e->kids[i], pr, out, err)) return false;
                }
                out += ')';
                return true;
            case ExprKind::True:
                return true;
            case ExprKind::False:
                out += "(?!)";
                return true;
        }
        return false;
    }
};

}  // namespace

std::unique_ptr<Target> make_grep_target() {
    return std::make_unique<GrepTarget>();
}

}  // namespace sigil
