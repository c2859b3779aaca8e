// ir/eval.cpp — the reference interpreter: evaluates IR over one JSON event.
// Written for obviousness, not speed; docs/ir.md states the semantics.
#include "sigil/eval.h"

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "ir/values.h"

namespace sigil {

using nlohmann::json;

namespace {

using values::fold;

// The values a field holds: none (absent), or one per array element.
void lookup(const json& ev, const std::string& field, std::vector<const json*>& out) {
    auto it = ev.find(field);
    const json* v = nullptr;
    if (it != ev.end()) {
        v = &*it;
    } else {
        const json* cur = &ev;
        size_t s = 0;
        while (cur && cur->is_object()) {
            size_t e = field.find('.', s);
            std::string part = field.substr(s, e == std::string::npos ? e : e - s);
            auto jt = cur->find(part);
            if (jt == cur->end()) {
                cur = nullptr;
                break;
            }
            cur = &*jt;
            if (e == std::string::npos) break;
            s = e + 1;
            if (!cur->is_object()) cur = nullptr;
        }
        v = cur;
    }
    if (!v) return;
    if (v->is_array()) {
        for (auto& x : *v) out.push_back(&x);
        if (v->empty()) out.push_back(v);
    } else {
        out.push_back(v);
    }
}

// Text of a scalar event value; false for null, objects and arrays.
bool text_of(const json& v, std::string& s) {
    if (v.is_string()) {
        s = v.get<std::string>();
        return true;
    }
    if (v.is_number_integer()) {
        s = std::to_string(v.get<int64_t>());
        return true;
    }
    if (v.is_number_unsigned()) {
        s = std::to_string(v.get<uint64_t>());
        return true;
    }
    if (v.is_number_float()) {
        s = Value::real(v.get<double>()).text();
        return true;
    }
    if (v.is_boolean()) {
        s = v.get<bool>() ? "true" : "false";
        return true;
    }
    return false;
}

bool number_of(const json& v, double& d) {
    if (v.is_number()) {
        d = v.get<double>();
        return true;
    }
    return v.is_string() && values::number_of(v.get_ref<const std::string&>(), d);
}

bool glob_match(std::string_view pat, std::string_view s) {
    return values::Glob(pat).match(s);
}

// Regexes compiled once per pattern and flags (values::Regex compiles on first use).
std::mutex re_mu;
std::map<std::pair<std::string, int>, std::shared_ptr<values::Regex>> re_cache;

bool regex_search(const Pred& p, const std::string& s) {
    std::shared_ptr<values::Regex> re;
    {
        std::lock_guard<std::mutex> g(re_mu);
        auto& slot = re_cache[{p.value.s, int(p.re_flags)}];
        if (!slot) slot = std::make_shared<values::Regex>(p.value.s, p.re_flags);
        re = slot;
    }
    return re->search(s);
}

bool cidr_match(const std::string& net, const std::string& ip) {
    return values::Network(net).contains(ip);
}

using values::time_part_of;
bool compare(Op op, double a, double b) {
    return values::compare_numbers(op, a, b);
}

// One predicate against one scalar value (field predicates).
bool match_value(const Pred& p, const json& v, const json& ev) {
    if (p.time_part != TimePart::None) {
        std::string s;
        double part;
        if (!text_of(v, s) || !time_part_of(s, p.time_part, part)) return false;
        return compare(p.op, part, p.value.number());
    }
    switch (p.op) {
        case Op::Eq: {
            switch (p.value.kind) {
                case ValueKind::Null:
                    return v.is_null();
                case ValueKind::Bool:
                    if (v.is_boolean()) return v.get<bool>() == p.value.b;
                    if (v.is_string()) return fold(v.get<std::string>()) == p.value.text();
                    return false;
                case ValueKind::Int:
                case ValueKind::Float:
                    if (v.is_number()) return v.get<double>() == p.value.number();
                    if (v.is_string()) return v.get<std::string>() == p.value.text();
                    return false;
                case ValueKind::String: {
                    std::string s;
                    if (!text_of(v, s)) return false;
                    return p.cased ? s == p.value.s : fold(s) == fold(p.value.s);
                }
            }
            return false;
        }
        case Op::Contains:
        case Op::StartsWith:
        case Op::EndsWith:
        case Op::Glob: {
            std::string s;
            if (!text_of(v, s)) return false;
            std::string pat = p.value.s;
            if (!p.cased) {
                s = fold(s);
                pat = fold(pat);
            }
            if (p.op == Op::Contains) return s.find(pat) != std::string::npos;
            if (p.op == Op::StartsWith) return s.compare(0, pat.size(), pat) == 0;
            if (p.op == Op::EndsWith)
                return s.size() >= pat.size() &&
                       s.compare(s.size() - pat.size(), pat.size(), pat) == 0;
            return glob_match(pat, s);
        }
        case Op::Regex: {
            std::string s;
            return text_of(v, s) && regex_search(p, s);
        }
        case Op::Cidr: {
            std::string s;
            return text_of(v, s) && cidr_match(p.value.s, s);
        }
        case Op::Lt:
        case Op::Lte:
        case Op::Gt:
        case Op::Gte: {
            double d;
            return number_of(v, d) && compare(p.op, d, p.value.number());
        }
        case Op::FieldRef:
        case Op::FieldRefContains:
        case Op::FieldRefStartsWith:
        case Op::FieldRefEndsWith: {
            std::vector<const json*> others;
            lookup(ev, p.value.s, others);
            std::string a;
            if (!text_of(v, a)) return false;
            if (!p.cased) a = fold(a);
            for (const json* o : others) {
                std::string b;
                if (!text_of(*o, b)) continue;
                if (!p.cased) b = fold(b);
                bool m =
                    p.op == Op::FieldRef           ? a == b
                    : p.op == Op::FieldRefContains ? a.find(b) != std::string::npos
                    : p.op == Op::FieldRefStartsWith
                        ? a.compare(0, b.size(), b) == 0
                        : a.size() >= b.size() && a.compare(a.size() - b.size(), b.size(), b) == 0;
                if (m) return true;
            }
            return false;
        }
        case Op::Exists:
            return true;
    }
    return false;
}

// Keyword search: any scalar anywhere in the event, as a substring (KW-WHOLE-EVENT).
bool keyword_in(const Pred& p, const json& v) {
    if (v.is_object()) {
        for (auto& [k, x] : v.items())
            if (keyword_in(p, x)) return true;
        return false;
    }
    if (v.is_array()) {
        for (auto& x : v)
            if (keyword_in(p, x)) return true;
        return false;
    }
    std::string s;
    if (!text_of(v, s)) return false;
    if (p.op == Op::Regex) return regex_search(p, s);
    std::string pat = p.value.kind == ValueKind::String ? p.value.s : p.value.text();
    if (!p.cased) {
        s = fold(s);
        pat = fold(pat);
    }
    if (p.op == Op::Glob) return glob_match("*" + pat + "*", s);
    return s.find(pat) != std::string::npos;
}

}  // namespace

/* Semantics (docs/ir.md):
 * - A field is looked up by exact key, then as a dotted path; an array is a
 *   multi-valued field and the predicate holds if it holds for any element.
 * - An absent field fails every predicate except Eq Null and Exists false;
 *   so `not (f = x)` holds for an absent field (MOD-NEQ, MOD-COMPARE-NOT).
 * - Strings compare case-insensitively (Unicode simple folding) unless cased.
 * - A numeric rule value equals an event number numerically, or an event
 *   string whose text is the number's decimal form (VAL-NUMBER-VS-EVENT).
 */
bool eval_pred(const Pred& p, const json& event) {
    if (p.placeholders) return false;  // unresolved placeholders never match
    if (p.field.empty()) return keyword_in(p, event);
    std::vector<const json*> vals;
    lookup(event, p.field, vals);
    if (p.op == Op::Exists) return p.value.b == !vals.empty();
    if (vals.empty()) return p.op == Op::Eq && p.value.kind == ValueKind::Null;
    for (const json* v : vals)
        if (match_value(p, *v, event)) return true;
    return false;
}

bool evaluate(const ExprPtr& e, const json& event) {
    switch (e->kind) {
        case ExprKind::True:
            return true;
        case ExprKind::False:
            return false;
        case ExprKind::Pred:
            return eval_pred(*e->pred, event);
        case ExprKind::Not:
            return !evaluate(e->kids[0], event);
        case ExprKind::And:
            for (auto& k : e->kids)
                if (!evaluate(k, event)) return false;
            return true;
        case ExprKind::Or:
            for (auto& k : e->kids)
                if (evaluate(k, event)) return true;
            return false;
    }
    return false;
}

bool rule_matches(const Rule& r, const json& event) {
    for (auto& c : r.conditions)
        if (evaluate(c, event)) return true;
    return false;
}

}  // namespace sigil
