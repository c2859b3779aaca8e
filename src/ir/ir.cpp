// ir/ir.cpp — IR types: values, predicates, expression constructors with
// structural hashes, the normal form and the printer.
#include "sigil/ir.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sigil {

std::string SourceLoc::str() const {
    std::string s = file ? *file : std::string("<input>");
    if (line) {
        s += ':' + std::to_string(line) + ':' + std::to_string(col ? col : 1);
    }
    return s;
}

const char* severity_name(Severity s) {
    switch (s) {
        case Severity::Error:
            return "error";
        case Severity::Warning:
            return "warning";
        case Severity::Info:
            return "info";
    }
    return "?";
}

std::string Value::text() const {
    switch (kind) {
        case ValueKind::Null:
            return "null";
        case ValueKind::Bool:
            return b ? "true" : "false";
        case ValueKind::Int:
            return std::to_string(i);
        case ValueKind::Float: {
            if (std::isfinite(f) && f == std::floor(f) && std::fabs(f) < 1e15)
                return std::to_string(int64_t(f));
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.17g", f);
            // shortest representation that round-trips
            for (int prec = 1; prec <= 17; ++prec) {
                char t[64];
                std::snprintf(t, sizeof t, "%.*g", prec, f);
                if (std::strtod(t, nullptr) == f) return t;
            }
            return buf;
        }
        case ValueKind::String:
            return s;
    }
    return {};
}

bool Value::operator==(const Value& o) const {
    if (kind != o.kind) {
        if (is_number() && o.is_number()) return number() == o.number();
        return false;
    }
    switch (kind) {
        case ValueKind::Null:
            return true;
        case ValueKind::Bool:
            return b == o.b;
        case ValueKind::Int:
            return i == o.i;
        case ValueKind::Float:
            return f == o.f;
        case ValueKind::String:
            return s == o.s;
    }
    return false;
}

const char* op_name(Op op) {
    switch (op) {
        case Op::Eq:
            return "eq";
        case Op::Contains:
            return "contains";
        case Op::StartsWith:
            return "startswith";
        case Op::EndsWith:
            return "endswith";
        case Op::Glob:
            return "glob";
        case Op::Regex:
            return "regex";
        case Op::Cidr:
            return "cidr";
        case Op::Exists:
            return "exists";
        case Op::Lt:
            return "lt";
        case Op::Lte:
            return "lte";
        case Op::Gt:
            return "gt";
        case Op::Gte:
            return "gte";
        case Op::FieldRef:
            return "fieldref";
        case Op::FieldRefContains:
            return "fieldref_contains";
        case Op::FieldRefStartsWith:
            return "fieldref_startswith";
        case Op::FieldRefEndsWith:
            return "fieldref_endswith";
    }
    return "?";
}

const char* time_part_name(TimePart t) {
    switch (t) {
        case TimePart::None:
            return "";
        case TimePart::Minute:
            return "minute";
        case TimePart::Hour:
            return "hour";
        case TimePart::Day:
            return "day";
        case TimePart::Week:
            return "week";
        case TimePart::Month:
            return "month";
        case TimePart::Year:
            return "year";
    }
    return "";
}

const char* rule_source_name(RuleSource s) {
    switch (s) {
        case RuleSource::Sigma:
            return "sigma";
        case RuleSource::SplunkSecurityContent:
            return "splunk";
        case RuleSource::Armory:
            return "armory";
    }
    return "?";
}

const char* cmp_op_name(CmpOp op) {
    switch (op) {
        case CmpOp::Gt:
            return "gt";
        case CmpOp::Gte:
            return "gte";
        case CmpOp::Lt:
            return "lt";
        case CmpOp::Lte:
            return "lte";
        case CmpOp::Eq:
            return "eq";
        case CmpOp::Neq:
            return "neq";
    }
    return "?";
}

const char* Correlation::type_name(Type t) {
    switch (t) {
        case Type::EventCount:
            return "event_count";
        case Type::ValueCount:
            return "value_count";
        case Type::Temporal:
            return "temporal";
        case Type::TemporalOrdered:
            return "temporal_ordered";
        case Type::ValueSum:
            return "value_sum";
        case Type::ValueAvg:
            return "value_avg";
        case Type::ValuePercentile:
            return "value_percentile";
        case Type::ValueMedian:
            return "value_median";
    }
    return "?";
}

// ---------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------

namespace {
uint64_t mix(uint64_t h, uint64_t v) {
    return XXH3_64bits_withSeed(&v, sizeof v, h);
}
uint64_t mix_str(uint64_t h, std::string_view s) {
    return XXH3_64bits_withSeed(s.data(), s.size(), h);
}

// Case-insensitive string predicates compare lowercased text, so the hash and
// equality fold ASCII case when the predicate is not `cased`.
std::string fold(const std::string& s) {
    std::string r = s;
    for (auto& c : r) c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    return r;
}
bool folds_case(const Pred& p) {
    if (p.cased) return false;
    switch (p.op) {
        case Op::Eq:
        case Op::Contains:
        case Op::StartsWith:
        case Op::EndsWith:
        case Op::Glob:
            return p.value.kind == ValueKind::String;
        default:
            return false;
    }
}
}  // namespace

bool exact_int64(double d, int64_t& out) {
    // -2^63 is exact in a double; 2^63 is the first value beyond INT64_MAX.
    if (!(d >= -0x1p63 && d < 0x1p63) || d != std::floor(d)) return false;
    out = int64_t(d);
    return true;
}

uint64_t Pred::hash() const {
    uint64_t h = 0x5157;
    h = mix_str(h, field);
    h = mix(h, uint64_t(op) | uint64_t(cased) << 8 | uint64_t(re_flags) << 16 |
                   uint64_t(time_part) << 24 | uint64_t(placeholders) << 32);
    // numbers hash by value so Int 5 and Float 5.0 agree; a whole Float
    // outside int64's range (1e21) equals no Int and keeps its own kind
    int64_t whole = 0;
    ValueKind k =
        value.kind == ValueKind::Float && exact_int64(value.f, whole) ? ValueKind::Int : value.kind;
    h = mix(h, uint64_t(k));
    switch (value.kind) {
        case ValueKind::Null:
            break;
        case ValueKind::Bool:
            h = mix(h, value.b);
            break;
        case ValueKind::Int:
            h = mix(h, uint64_t(value.i));
            break;
        case ValueKind::Float:
            if (k == ValueKind::Int)
                h = mix(h, uint64_t(whole));
            else
                h = mix_str(h, value.text());
            break;
        case ValueKind::String:
            h = mix_str(h, folds_case(*this) ? fold(value.s) : value.s);
            break;
    }
    return h;
}

bool Pred::same_logic(const Pred& o) const {
    if (field != o.field || op != o.op || cased != o.cased || re_flags != o.re_flags ||
        time_part != o.time_part || placeholders != o.placeholders)
        return false;
    if (value.kind == ValueKind::String && o.value.kind == ValueKind::String && folds_case(*this))
        return fold(value.s) == fold(o.value.s);
    return value == o.value;
}

static std::string quote(const std::string& s) {
    std::string r = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') r += '\\';
        r += c;
    }
    return r + '"';
}

std::string Pred::str() const {
    std::string f = field.empty() ? std::string("<keyword>") : field;
    if (time_part != TimePart::None) f = std::string(time_part_name(time_part)) + "(" + f + ")";
    std::string v;
    if (value.kind == ValueKind::String)
        v = quote(value.s);
    else
        v = value.text();
    std::string o;
    switch (op) {
        case Op::Eq:
            o = value.kind == ValueKind::Null ? "is" : "=";
            break;
        case Op::Lt:
            o = "<";
            break;
        case Op::Lte:
            o = "<=";
            break;
        case Op::Gt:
            o = ">";
            break;
        case Op::Gte:
            o = ">=";
            break;
        default:
            o = op_name(op);
    }
    std::string r = f + " " + o + " " + v;
    if (op == Op::Regex && re_flags) {
        r += " /";
        if (re_flags & ReIgnoreCase) r += 'i';
        if (re_flags & ReMultiLine) r += 'm';
        if (re_flags & ReDotAll) r += 's';
    }
    if (cased) r += " cased";
    if (placeholders) r += " expand";
    return r;
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

namespace {
ExprPtr make(ExprKind k, std::vector<ExprPtr> kids, std::shared_ptr<const Pred> p) {
    auto e = std::make_shared<Expr>();
    e->kind = k;
    uint64_t h = mix(0xE1, uint64_t(k));
    if (p) h = mix(h, p->hash());
    for (auto& c : kids) h = mix(h, c->hash);
    e->hash = h;
    e->kids = std::move(kids);
    e->pred = std::move(p);
    return e;
}
}  // namespace

ExprPtr Expr::make_true() {
    static const ExprPtr t = make(ExprKind::True, {}, nullptr);
    return t;
}
ExprPtr Expr::make_false() {
    static const ExprPtr f = make(ExprKind::False, {}, nullptr);
    return f;
}
ExprPtr Expr::make_pred(Pred p) {
    return make(ExprKind::Pred, {}, std::make_shared<const Pred>(std::move(p)));
}
ExprPtr Expr::make_not(ExprPtr e) {
    return make(ExprKind::Not, {std::move(e)}, nullptr);
}
ExprPtr Expr::make_and(std::vector<ExprPtr> kids) {
    if (kids.size() == 1) return kids[0];
    return make(ExprKind::And, std::move(kids), nullptr);
}
ExprPtr Expr::make_or(std::vector<ExprPtr> kids) {
    if (kids.size() == 1) return kids[0];
    return make(ExprKind::Or, std::move(kids), nullptr);
}

bool same_logic(const ExprPtr& a, const ExprPtr& b) {
    if (a == b) return true;
    if (!a || !b) return false;
    if (a->hash != b->hash || a->kind != b->kind || a->kids.size() != b->kids.size()) return false;
    if (a->kind == ExprKind::Pred) return a->pred->same_logic(*b->pred);
    for (size_t i = 0; i < a->kids.size(); ++i)
        if (!same_logic(a->kids[i], b->kids[i])) return false;
    return true;
}

/* Normal form.
 *
 * Bottom-up rewrite with these rules, applied until nothing changes at a node:
 *   - Not(Not x) = x; Not(True) = False; Not(False) = True.
 *   - And/Or children that are the same operator are spliced in (flattening,
 *     since both are associative).
 *   - True/False children fold: And drops True and becomes False on a False
 *     child; Or drops False and becomes True on a True child. An empty And is
 *     True and an empty Or is False.
 *   - Children are sorted by structural hash (both are commutative), and equal
 *     children are removed (idempotence). One child left = that child.
 * Hashes are structural and case-folded for case-insensitive string predicates,
 * so `Image endswith "\CMD.exe"` and `image...` differ but the value case does
 * not matter. Equal hashes are confirmed with same_logic() on ties.
 */
ExprPtr normalize(const ExprPtr& e) {
    switch (e->kind) {
        case ExprKind::True:
        case ExprKind::False:
        case ExprKind::Pred:
            return e;
        case ExprKind::Not: {
            ExprPtr k = normalize(e->kids[0]);
            if (k->kind == ExprKind::Not) return k->kids[0];
            if (k->kind == ExprKind::True) return Expr::make_false();
            if (k->kind == ExprKind::False) return Expr::make_true();
            if (k == e->kids[0]) return e;
            return Expr::make_not(k);
        }
        case ExprKind::And:
        case ExprKind::Or: {
            bool is_and = e->kind == ExprKind::And;
            std::vector<ExprPtr> flat;
            std::vector<ExprPtr> todo;
            for (auto& c : e->kids) flat.push_back(normalize(c));
            std::vector<ExprPtr> out;
            for (size_t i = 0; i < flat.size(); ++i) {
                const ExprPtr& c = flat[i];
                if (c->kind == e->kind) {
                    for (auto& g : c->kids) out.push_back(g);
                } else if (c->kind == ExprKind::True) {
                    if (!is_and) return Expr::make_true();
                } else if (c->kind == ExprKind::False) {
                    if (is_and) return Expr::make_false();
                } else {
                    out.push_back(c);
                }
            }
            std::stable_sort(out.begin(), out.end(), [](const ExprPtr& a, const ExprPtr& b) {
                if (a->hash != b->hash) return a->hash < b->hash;
                return false;
            });
            std::vector<ExprPtr> uniq;
            for (auto& c : out) {
                bool dup = false;
                for (size_t j = uniq.size(); j-- > 0 && uniq[j]->hash == c->hash;)
                    if (same_logic(uniq[j], c)) dup = true;
                if (!dup) uniq.push_back(c);
            }
            if (uniq.empty()) return is_and ? Expr::make_true() : Expr::make_false();
            if (uniq.size() == 1) return uniq[0];
            return is_and ? Expr::make_and(std::move(uniq)) : Expr::make_or(std::move(uniq));
        }
    }
    return e;
}

static void print(const ExprPtr& e, std::string& out, int parent_prec) {
    // precedence: or 1, and 2, not 3, atom 4
    switch (e->kind) {
        case ExprKind::True:
            out += "true";
            return;
        case ExprKind::False:
            out += "false";
            return;
        case ExprKind::Pred:
            out += e->pred->str();
            return;
        case ExprKind::Not:
            out += "not ";
            print(e->kids[0], out, 3);
            return;
        case ExprKind::And:
        case ExprKind::Or: {
            int prec = e->kind == ExprKind::And ? 2 : 1;
            if (e->kids.empty()) {
                out += e->kind == ExprKind::And ? "true" : "false";
                return;
            }
            bool paren = prec < parent_prec || (parent_prec == 3);
            if (paren) out += '(';
            for (size_t i = 0; i < e->kids.size(); ++i) {
                if (i) out += e->kind == ExprKind::And ? " and " : " or ";
                print(e->kids[i], out, prec + 1);
            }
            if (paren) out += ')';
        }
    }
}

std::string to_string(const ExprPtr& e) {
    std::string s;
    if (e) print(e, s, 0);
    return s;
}

void collect_preds(const ExprPtr& e, std::vector<const Pred*>& out) {
    if (!e) return;
    if (e->kind == ExprKind::Pred) {
        out.push_back(e->pred.get());
        return;
    }
    for (auto& k : e->kids) collect_preds(k, out);
}

bool LogSource::contains(const LogSource& b) const {
    if (!category.empty() && category != b.category) return false;
    if (!product.empty() && product != b.product) return false;
    if (!service.empty() && service != b.service) return false;
    return true;
}

ExprPtr Rule::expr() const {
    if (conditions.empty()) return Expr::make_false();
    if (conditions.size() == 1) return conditions[0];
    return Expr::make_or(conditions);
}

}  // namespace sigil
