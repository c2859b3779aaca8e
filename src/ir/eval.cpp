// ir/eval.cpp — the reference interpreter: evaluates IR over one JSON event.
// Written for obviousness, not speed; docs/ir.md states the semantics.
#include <re2/re2.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

#include "sigil/eval.h"

namespace sigil {

using nlohmann::json;

namespace {

/* Unicode simple case folding (CASE-UNICODE): lower case, then the few
 * characters whose folding differs from their lower case (CaseFolding.txt
 * status C/S entries: final sigma, Greek symbol variants, micro sign, long s,
 * old Cyrillic forms), so `ΣΊΣΥΦΟΣ` and `σίσυφος` compare equal.
 */
utf8proc_int32_t fold_cp(utf8proc_int32_t cp) {
    cp = utf8proc_tolower(cp);
    switch (cp) {
        case 0x00B5: return 0x03BC;  // micro sign -> mu
        case 0x017F: return 's';     // long s
        case 0x0345: return 0x03B9;  // combining ypogegrammeni -> iota
        case 0x03C2: return 0x03C3;  // final sigma
        case 0x03D0: return 0x03B2;
        case 0x03D1: return 0x03B8;
        case 0x03D5: return 0x03C6;
        case 0x03D6: return 0x03C0;
        case 0x03F0: return 0x03BA;
        case 0x03F1: return 0x03C1;
        case 0x03F5: return 0x03B5;
        case 0x1C80: return 0x0432;
        case 0x1C81: return 0x0434;
        case 0x1C82: return 0x043E;
        case 0x1C83: return 0x0441;
        case 0x1C84:
        case 0x1C85: return 0x0442;
        case 0x1C86: return 0x044A;
        case 0x1C87: return 0x0463;
        case 0x1C88: return 0xA64B;
        case 0x1E9B: return 0x1E61;
        case 0x1FBE: return 0x03B9;
        default: return cp;
    }
}

// Case folding of a whole string, ASCII fast path; invalid UTF-8 bytes stay.
std::string fold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        if (c < 0x80) {
            out += char(c >= 'A' && c <= 'Z' ? c + 32 : c);
            ++i;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t*)s.data() + i, utf8proc_ssize_t(s.size() - i), &cp);
        if (n <= 0) {
            out += char(c);
            ++i;
            continue;
        }
        cp = fold_cp(cp);
        utf8proc_uint8_t buf[4];
        utf8proc_ssize_t m = utf8proc_encode_char(cp, buf);
        out.append((const char*)buf, size_t(m));
        i += size_t(n);
    }
    return out;
}

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
    if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        if (s.empty()) return false;
        char* end = nullptr;
        d = std::strtod(s.c_str(), &end);
        return end && *end == 0 && !std::isspace((unsigned char)s[0]);
    }
    return false;
}

/* Wildcard match of canonical glob text (ir.h) against a subject. Iterative
 * with one backtrack point (the last `*`), so it runs in O(n*m) worst case and
 * never recurses. Both sides are already case-folded when matching is
 * case-insensitive. `?` matches one UTF-8 character.
 */
bool glob_match(std::string_view pat, std::string_view s) {
    struct Tok {
        enum { Lit, Star, One } k;
        char c;
    };
    std::vector<Tok> t;
    for (size_t i = 0; i < pat.size(); ++i) {
        if (pat[i] == '\\' && i + 1 < pat.size()) t.push_back({Tok::Lit, pat[++i]});
        else if (pat[i] == '*') t.push_back({Tok::Star, 0});
        else if (pat[i] == '?') t.push_back({Tok::One, 0});
        else t.push_back({Tok::Lit, pat[i]});
    }
    auto cplen = [&](size_t at) {
        unsigned char c = s[at];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        return std::min(n, s.size() - at);
    };
    size_t p = 0, i = 0, star = SIZE_MAX, mark = 0;
    while (i < s.size()) {
        if (p < t.size() && t[p].k == Tok::Star) {
            star = p++;
            mark = i;
        } else if (p < t.size() && t[p].k == Tok::One) {
            ++p;
            i += cplen(i);
        } else if (p < t.size() && t[p].k == Tok::Lit && t[p].c == s[i]) {
            ++p;
            ++i;
        } else if (star != SIZE_MAX) {
            p = star + 1;
            mark += cplen(mark);
            i = mark;
        } else {
            return false;
        }
    }
    while (p < t.size() && t[p].k == Tok::Star) ++p;
    return p == t.size();
}

// Compiled regexes, cached per pattern and flags.
struct CompiledRegex {
    std::unique_ptr<RE2> re2;
    pcre2_code* pcre = nullptr;
    CompiledRegex() = default;
    CompiledRegex(const CompiledRegex&) = delete;
    CompiledRegex& operator=(const CompiledRegex&) = delete;
    ~CompiledRegex() { pcre2_code_free(pcre); }  // leaked before (make test-sanitize)
};
std::mutex re_mu;
std::map<std::pair<std::string, int>, std::shared_ptr<CompiledRegex>> re_cache;

std::shared_ptr<CompiledRegex> compile(const std::string& pat, uint8_t flags) {
    std::lock_guard<std::mutex> g(re_mu);
    auto key = std::make_pair(pat, int(flags));
    auto it = re_cache.find(key);
    if (it != re_cache.end()) return it->second;
    auto c = std::make_shared<CompiledRegex>();
    RE2::Options o;
    o.set_log_errors(false);
    o.set_case_sensitive(!(flags & ReIgnoreCase));
    o.set_dot_nl(flags & ReDotAll);
    o.set_posix_syntax(false);
    o.set_max_mem(64 << 20);
    std::string p = (flags & ReMultiLine) ? "(?m)" + pat : pat;
    c->re2 = std::make_unique<RE2>(p, o);
    if (!c->re2->ok()) {
        c->re2.reset();
        int err;
        PCRE2_SIZE off;
        uint32_t opts = PCRE2_UTF | ((flags & ReIgnoreCase) ? PCRE2_CASELESS : 0) |
                        ((flags & ReMultiLine) ? PCRE2_MULTILINE : 0) |
                        ((flags & ReDotAll) ? PCRE2_DOTALL : 0);
        c->pcre = pcre2_compile((PCRE2_SPTR)pat.data(), pat.size(), opts, &err, &off, nullptr);
    }
    re_cache.emplace(key, c);
    return c;
}

bool regex_search(const Pred& p, const std::string& s) {
    auto c = compile(p.value.s, p.re_flags);
    if (c->re2) return RE2::PartialMatch(s, *c->re2);
    if (!c->pcre) return false;
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(c->pcre, nullptr);
    pcre2_match_context* mc = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(mc, 1'000'000);  // bounded backtracking
    int rc = pcre2_match(c->pcre, (PCRE2_SPTR)s.data(), s.size(), 0, 0, md, mc);
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    return rc >= 0;
}

bool parse_ip(const std::string& s, uint8_t out[16], int& bits);

bool cidr_match(const std::string& net, const std::string& ip) {
    size_t slash = net.find('/');
    uint8_t nb[16], ib[16];
    int nbits, ibits;
    if (!parse_ip(net.substr(0, slash), nb, nbits) || !parse_ip(ip, ib, ibits) || nbits != ibits)
        return false;
    int prefix = slash == std::string::npos ? nbits : std::atoi(net.c_str() + slash + 1);
    for (int k = 0; k < prefix; ++k) {
        uint8_t m = uint8_t(0x80 >> (k % 8));
        if ((nb[k / 8] & m) != (ib[k / 8] & m)) return false;
    }
    return true;
}

bool parse_ipv4(const std::string& s, uint8_t out[4]) {
    unsigned a, b, c, d;
    char tail;
    if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a < 256 &&
        b < 256 && c < 256 && d < 256) {
        out[0] = uint8_t(a), out[1] = uint8_t(b), out[2] = uint8_t(c), out[3] = uint8_t(d);
        return true;
    }
    return false;
}

bool parse_ip(const std::string& s, uint8_t out[16], int& bits) {
    if (parse_ipv4(s, out)) {
        bits = 32;
        return true;
    }
    // IPv6 via inet_pton-like parsing
    std::vector<uint16_t> head, tail16;
    bool dbl = false;
    size_t i = 0;
    if (s.compare(0, 2, "::") == 0) {
        dbl = true;
        i = 2;
    }
    while (i < s.size()) {
        // an embedded IPv4 address ends the text (::ffff:10.1.2.3)
        if (s.find(':', i) == std::string::npos && s.find('.', i) != std::string::npos) {
            uint8_t v4[4];
            if (!parse_ipv4(s.substr(i), v4)) return false;
            auto& v = dbl ? tail16 : head;
            v.push_back(uint16_t(v4[0] << 8 | v4[1]));
            v.push_back(uint16_t(v4[2] << 8 | v4[3]));
            break;
        }
        size_t j = i;
        while (j < s.size() && std::isxdigit((unsigned char)s[j])) ++j;
        if (j == i || j - i > 4) return false;
        (dbl ? tail16 : head).push_back(uint16_t(std::stoul(s.substr(i, j - i), nullptr, 16)));
        i = j;
        if (i == s.size()) break;
        if (s[i] != ':') return false;
        if (i + 1 < s.size() && s[i + 1] == ':') {
            if (dbl) return false;
            dbl = true;
            i += 2;
        } else {
            ++i;
        }
    }
    size_t n = head.size() + tail16.size();
    if (dbl ? n > 7 : n != 8) return false;
    std::vector<uint16_t> all = head;
    all.resize(8 - tail16.size(), 0);
    all.insert(all.end(), tail16.begin(), tail16.end());
    for (int k = 0; k < 8; ++k) {
        out[2 * k] = uint8_t(all[k] >> 8);
        out[2 * k + 1] = uint8_t(all[k] & 0xFF);
    }
    bits = 128;
    return true;
}

// Parts of an ISO-8601-ish timestamp "YYYY-MM-DD[T ]hh:mm[:ss...]" (UTC, as written).
bool time_part_of(const std::string& s, TimePart tp, double& out) {
    int y, mo, d, h = 0, mi = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d", &y, &mo, &d, &h, &mi) < 3) return false;
    switch (tp) {
        case TimePart::Minute: out = mi; return true;
        case TimePart::Hour: out = h; return true;
        case TimePart::Day: out = d; return true;
        case TimePart::Month: out = mo; return true;
        case TimePart::Year: out = y; return true;
        case TimePart::Week: {  // ISO-8601 week number
            std::tm t{};
            t.tm_year = y - 1900;
            t.tm_mon = mo - 1;
            t.tm_mday = d;
            t.tm_hour = 12;
            timegm(&t);
            int wday = (t.tm_wday + 6) % 7;  // Monday = 0
            int week = (t.tm_yday - wday + 10) / 7;
            if (week < 1) {
                week = 52;  // belongs to the previous year's last week (52 or 53)
                int py = y - 1;
                std::tm p{};
                p.tm_year = py - 1900;
                p.tm_mon = 11;
                p.tm_mday = 28;
                timegm(&p);
                week = ((p.tm_yday - ((p.tm_wday + 6) % 7) + 10) / 7);
            } else if (week == 53) {
                std::tm dec31{};
                dec31.tm_year = y - 1900;
                dec31.tm_mon = 11;
                dec31.tm_mday = 31;
                timegm(&dec31);
                if ((dec31.tm_wday + 6) % 7 < 3) week = 1;
            }
            out = week;
            return true;
        }
        default: return false;
    }
}

bool compare(Op op, double a, double b) {
    switch (op) {
        case Op::Lt: return a < b;
        case Op::Lte: return a <= b;
        case Op::Gt: return a > b;
        case Op::Gte: return a >= b;
        case Op::Eq: return a == b;
        default: return false;
    }
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
                case ValueKind::Null: return v.is_null();
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
                return s.size() >= pat.size() && s.compare(s.size() - pat.size(), pat.size(), pat) == 0;
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
                bool m = p.op == Op::FieldRef           ? a == b
                         : p.op == Op::FieldRefContains ? a.find(b) != std::string::npos
                         : p.op == Op::FieldRefStartsWith
                             ? a.compare(0, b.size(), b) == 0
                             : a.size() >= b.size() && a.compare(a.size() - b.size(), b.size(), b) == 0;
                if (m) return true;
            }
            return false;
        }
        case Op::Exists: return true;
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
        case ExprKind::True: return true;
        case ExprKind::False: return false;
        case ExprKind::Pred: return eval_pred(*e->pred, event);
        case ExprKind::Not: return !evaluate(e->kids[0], event);
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
