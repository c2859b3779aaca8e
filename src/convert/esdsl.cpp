// convert/esdsl.cpp — Elasticsearch Query DSL (JSON): bool must / should /
// must_not over term, wildcard, prefix, regexp, range, exists and terms
// queries, with `case_insensitive` set for Sigma's default matching; the
// ecs-windows mapping by default.
#include "convert/es_family.h"

namespace sigil {
namespace {

using J = nlohmann::ordered_json;

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
            J q;
            ConvertError err;
            if (!node(c, pr, q, err)) {
                o.error = err;
                return o;
            }
            J body;
            body["query"] = q;
            o.queries.push_back(body.dump());
        }
        return o;
    }

  private:
    static J ci(J v, bool cased) {
        J o;
        o["value"] = std::move(v);
        if (!cased) o["case_insensitive"] = true;
        return o;
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
    static J exists(const std::string& f) { return J{{"exists", {{"field", f}}}}; }
    static J must_not(J x) { return J{{"bool", {{"must_not", J::array({std::move(x)})}}}}; }

    bool pred(const Pred& p, const ProcessedRule& pr, J& out, ConvertError& err) const {
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
            out = J{{"query_string", {{"query", "*" + v + "*"}, {"analyze_wildcard", true}}}};
            return true;
        }
        const std::string& f = p.field;
        switch (p.op) {
            case Op::Eq:
                switch (p.value.kind) {
                    case ValueKind::Null:
                        out = must_not(exists(f));
                        return true;
                    case ValueKind::Bool:
                        out = J{{"term", {{f, ci(p.value.b, true)}}}};
                        return true;
                    case ValueKind::Int:
                        out = J{{"term", {{f, ci(p.value.i, true)}}}};
                        return true;
                    case ValueKind::Float:
                        out = J{{"term", {{f, ci(p.value.f, true)}}}};
                        return true;
                    case ValueKind::String:
                        out = J{{"term", {{f, ci(p.value.s, p.cased)}}}};
                        return true;
                }
                return false;
            case Op::StartsWith:
                out = J{{"prefix", {{f, ci(p.value.text(), p.cased)}}}};
                return true;
            case Op::Contains:
            case Op::EndsWith:
            case Op::Glob: {
                Pattern pat = pattern_of(p);
                if (!has_wildcards(pat)) {
                    out = J{{"term", {{f, ci(pat.empty() ? "" : pat[0].text, p.cased)}}}};
                } else {
                    out = J{{"wildcard", {{f, ci(wild(pat), p.cased)}}}};
                }
                return true;
            }
            case Op::Regex: {
                std::string re, why;
                uint8_t flags = p.re_flags & ~ReIgnoreCase;
                if (!regex_to_lucene(p.value.s, flags, re, why)) {
                    err = {"convert.unsupported.regex", why + " (esdsl)"};
                    return false;
                }
                J r;
                r["value"] = re;
                r["flags"] = "NONE";
                if (p.re_flags & ReIgnoreCase) r["case_insensitive"] = true;
                out = J{{"regexp", {{f, r}}}};
                return true;
            }
            case Op::Cidr:
                out = J{{"term", {{f, p.value.s}}}};
                return true;
            case Op::Exists:
                out = (p.value.kind != ValueKind::Bool || p.value.b) ? exists(f)
                                                                     : must_not(exists(f));
                return true;
            case Op::Lt:
            case Op::Lte:
            case Op::Gt:
            case Op::Gte: {
                const char* k = p.op == Op::Lt    ? "lt"
                                : p.op == Op::Lte ? "lte"
                                : p.op == Op::Gt  ? "gt"
                                                  : "gte";
                J v = p.value.kind == ValueKind::Int ? J(p.value.i) : J(p.value.number());
                out = J{{"range", {{f, {{k, v}}}}}};
                return true;
            }
            default:
                break;
        }
        err = unsupported("esdsl", std::string("field references (") + op_name(p.op) + ")");
        return false;
    }

    bool node(const ExprPtr& e, const ProcessedRule& pr, J& out, ConvertError& err) const {
        switch (e->kind) {
            case ExprKind::Pred:
                return pred(*e->pred, pr, out, err);
            case ExprKind::Not: {
                J k;
                if (!node(e->kids[0], pr, k, err)) return false;
                out = must_not(std::move(k));
                return true;
            }
            case ExprKind::And:
            case ExprKind::Or: {
                J arr = J::array();
                for (auto& k : e->kids) {
                    J x;
                    if (!node(k, pr, x, err)) return false;
                    arr.push_back(std::move(x));
                }
                if (e->kind == ExprKind::And) {
                    out = J{{"bool", {{"must", std::move(arr)}}}};
                } else {
                    out = J{{"bool", {{"should", std::move(arr)}, {"minimum_should_match", 1}}}};
                }
                return true;
            }
            case ExprKind::True:
                out = J{{"match_all", J::object()}};
                return true;
            case ExprKind::False:
                out = J{{"match_none", J::object()}};
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
