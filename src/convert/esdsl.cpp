// convert/esdsl.cpp — Elasticsearch Query DSL (JSON): bool must / should /
// must_not over term, wildcard, prefix, regexp, range, exists and terms
// queries, with `case_insensitive` set for Sigma's default matching; the
// ecs-windows mapping by default.
#include "convert/es_family.h"

namespace sigil {
namespace {

/* Unlike the query-string targets, the DSL states case handling per query:
 * term/wildcard/prefix/regexp take `case_insensitive: true` unless the
 * predicate is `cased` (Elasticsearch 7.10+), so the meaning does not depend
 * on the index's analyzers. Wildcard values escape literal `*`, `?` and `\`
 * with a backslash. Null (absent or null) is must_not exists. CIDR networks
 * use a term query, which an `ip` field matches by range.
 */
class EsDslTarget : public Target {
  public:
    std::string name() const override { return "esdsl"; }
    std::vector<std::string> formats() const override { return {"default", "json"}; }
    std::vector<std::string> default_pipelines() const override { return {"ecs-windows"}; }

    TargetOutput convert(const ProcessedRule& pr) const override {
        TargetOutput o;
        for (auto& c : pr.rule.conditions) {
            std::string q = "{\"query\":";
            ConvertError err;
            if (!node(c, pr, q, err)) {
                o.error = err;
                return o;
            }
            q += '}';
            o.queries.push_back(std::move(q));
        }
        return o;
    }

  private:
    /* The DSL is written as compact JSON text directly (the same bytes a JSON
     * tree would dump: keys in insertion order, no spaces), which is several
     * times cheaper than building and serializing a tree per predicate. */
    static void str(std::string& o, const std::string& s) { json_quote_to(o, s); }
    // {"KIND":{"FIELD":{"value":V[,"case_insensitive":true]}}} with V already JSON.
    static void leaf(std::string& o, const char* kind, const std::string& f, const std::string& v,
                     bool cased) {
        o += "{\"";
        o += kind;
        o += "\":{";
        str(o, f);
        o += ":{\"value\":";
        o += v;
        if (!cased) o += ",\"case_insensitive\":true";
        o += "}}}";
    }
    static void exists(std::string& o, const std::string& f) {
        o += "{\"exists\":{\"field\":";
        str(o, f);
        o += "}}";
    }
    static void must_not_exists(std::string& o, const std::string& f) {
        o += "{\"bool\":{\"must_not\":[";
        exists(o, f);
        o += "]}}";
    }
    static std::string wild(const Pattern& pat) {
        std::string s;
        for (auto& p : pat) {
            if (p.kind == PatternPart::Any)
                s += '*';
            else if (p.kind == PatternPart::One)
                s += '?';
            else
                for (char c : p.text) {
                    if (c == '*' || c == '?' || c == '\\') s += '\\';
                    s += c;
                }
        }
        return s;
    }

    bool pred(const Pred& p, const ProcessedRule& pr, std::string& out, ConvertError& err) const {
        if (p.placeholders) {
            err = {"convert.placeholder.unresolved",
                   "unresolved placeholder in value '" + p.value.text() + "'"};
            return false;
        }
        if (p.time_part != TimePart::None || pr.query_expressions.count(&p)) {
            err = unsupported("esdsl", "timestamp parts and query expressions");
            return false;
        }
        if (p.is_keyword()) {
            if (p.op == Op::Regex) {
                err = unsupported("esdsl", "keyword regular expressions");
                return false;
            }
            Pattern pat = pattern_of(p);
            std::string v;
            for (auto& x : pat) {
                if (x.kind != PatternPart::Lit) {
                    v += x.kind == PatternPart::Any ? "*" : "?";
                    continue;
                }
                for (char c : x.text) {
                    if (std::string_view("+-=&|><!(){}[]^\"~*?:\\/ ").find(c) !=
                        std::string_view::npos)
                        v += '\\';
                    v += c;
                }
            }
            out += "{\"query_string\":{\"query\":";
            str(out, "*" + v + "*");
            out += ",\"analyze_wildcard\":true}}";
            return true;
        }
        const std::string& f = p.field;
        switch (p.op) {
            case Op::Eq:
                switch (p.value.kind) {
                    case ValueKind::Null:
                        must_not_exists(out, f);
                        return true;
                    case ValueKind::Bool:
                        leaf(out, "term", f, p.value.b ? "true" : "false", true);
                        return true;
                    case ValueKind::Int:
                        leaf(out, "term", f, std::to_string(p.value.i), true);
                        return true;
                    case ValueKind::Float:
                        leaf(out, "term", f, nlohmann::json(p.value.f).dump(), true);
                        return true;
                    case ValueKind::String:
                        leaf(out, "term", f, json_quote(p.value.s), p.cased);
                        return true;
                }
                return false;
            case Op::StartsWith:
                leaf(out, "prefix", f, json_quote(p.value.text()), p.cased);
                return true;
            case Op::Contains:
            case Op::EndsWith:
            case Op::Glob: {
                Pattern pat = pattern_of(p);
                if (!has_wildcards(pat))
                    leaf(out, "term", f, json_quote(pat.empty() ? "" : pat[0].text), p.cased);
                else
                    leaf(out, "wildcard", f, json_quote(wild(pat)), p.cased);
                return true;
            }
            case Op::Regex: {
                std::string re, why;
                uint8_t flags = p.re_flags & ~ReIgnoreCase;
                if (!regex_to_lucene(p.value.s, flags, re, why)) {
                    err = {"convert.unsupported.regex", why + " (esdsl)"};
                    return false;
                }
                out += "{\"regexp\":{";
                str(out, f);
                out += ":{\"value\":";
                str(out, re);
                out += ",\"flags\":\"NONE\"";
                if (p.re_flags & ReIgnoreCase) out += ",\"case_insensitive\":true";
                out += "}}}";
                return true;
            }
            case Op::Cidr:
                out += "{\"term\":{";
                str(out, f);
                out += ':';
                str(out, p.value.s);
                out += "}}";
                return true;
            case Op::Exists:
                if (p.value.kind != ValueKind::Bool || p.value.b)
                    exists(out, f);
                else
                    must_not_exists(out, f);
                return true;
            case Op::Lt:
            case Op::Lte:
            case Op::Gt:
            case Op::Gte: {
                const char* k = p.op == Op::Lt    ? "lt"
                                : p.op == Op::Lte ? "lte"
                                : p.op == Op::Gt  ? "gt"
                                                  : "gte";
                out += "{\"range\":{";
                str(out, f);
                out += ":{\"";
                out += k;
                out += "\":";
                out += p.value.kind == ValueKind::Int ? std::to_string(p.value.i)
                                                      : nlohmann::json(p.value.number()).dump();
                out += "}}}";
                return true;
            }
            default:
                break;
        }
        err = unsupported("esdsl", std::string("field references (") + op_name(p.op) + ")");
        return false;
    }

    bool node(const ExprPtr& e, const ProcessedRule& pr, std::string& out,
              ConvertError& err) const {
        switch (e->kind) {
            case ExprKind::Pred:
                return pred(*e->pred, pr, out, err);
            case ExprKind::Not:
                out += "{\"bool\":{\"must_not\":[";
                if (!node(e->kids[0], pr, out, err)) return false;
                out += "]}}";
                return true;
            case ExprKind::And:
            case ExprKind::Or: {
                out +=
                    e->kind == ExprKind::And ? "{\"bool\":{\"must\":[" : "{\"bool\":{\"should\":[";
                for (size_t i = 0; i < e->kids.size(); ++i) {
                    if (i) out += ',';
                    if (!node(e->kids[i], pr, out, err)) return false;
                }
                out += e->kind == ExprKind::And ? "]}}" : "],\"minimum_should_match\":1}}";
                return true;
            }
            case ExprKind::True:
                out += "{\"match_all\":{}}";
                return true;
            case ExprKind::False:
                out += "{\"match_none\":{}}";
                return true;
        }
        return false;
    }
};

}  // namespace

std::unique_ptr<Target> make_esdsl_target() {
    return std::make_unique<EsDslTarget>();
}

}  // namespace sigil
