// ir/values.cpp — comparing one event value with one rule value: case folding,
// wildcards, regexes, networks, numbers and timestamp parts (see values.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "ir/values.h"

#include <pcre2.h>
#include <re2/filtered_re2.h>
#include <utf8proc.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace sigil::values {

bool is_ascii(std::string_view s) {
    const char* p = s.data();
    size_t n = s.size(), i = 0;
    for (; i + 8 <= n; i += 8) {  // eight bytes at a time
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull) return false;
    }
    for (; i < n; ++i)
        if (static_cast<unsigned char>(p[i]) >= 0x80) return false;
    return true;
}

namespace {

// Simple case folding of one code point: lower case, then the characters
// whose folding differs from their lower case (CaseFolding.txt C/S entries
// such as final sigma and the micro sign) — as the reference interpreter.
utf8proc_int32_t fold_cp(utf8proc_int32_t cp) {
    cp = utf8proc_tolower(cp);
    switch (cp) {
        case 0x00B5:
            return 0x03BC;
        case 0x017F:
            return 's';
        case 0x0345:
            return 0x03B9;
        case 0x03C2:
            return 0x03C3;
        case 0x03D0:
            return 0x03B2;
        case 0x03D1:
            return 0x03B8;
        case 0x03D5:
            return 0x03C6;
        case 0x03D6:
            return 0x03C0;
        case 0x03F0:
            return 0x03BA;
        case 0x03F1:
            return 0x03C1;
        case 0x03F5:
            return 0x03B5;
        case 0x1C80:
            return 0x0432;
        case 0x1C81:
            return 0x0434;
        case 0x1C82:
            return 0x043E;
        case 0x1C83:
            return 0x0441;
        case 0x1C84:
        case 0x1C85:
            return 0x0442;
        case 0x1C86:
            return 0x044A;
        case 0x1C87:
            return 0x0463;
        case 0x1C88:
            return 0xA64B;
        case 0x1E9B:
            return 0x1E61;
        case 0x1FBE:
            return 0x03B9;
        default:
            return cp;
    }
}

}  // namespace

void fold_into(std::string_view s, std::string& out) {
    // ASCII prefix: lower-cased straight into place.
    size_t start = out.size(), i = 0;
    out.resize(start + s.size());
    char* d = out.data() + start;
    for (; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) break;
        d[i] = char(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (i == s.size()) return;
    out.resize(start + i);
    while (i < s.size()) {
        unsigned char c = s[i];
        if (c < 0x80) {
            out += char(c >= 'A' && c <= 'Z' ? c + 32 : c);
            ++i;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t*)s.data() + i,
                                              utf8proc_ssize_t(s.size() - i), &cp);
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
}

std::string fold(std::string_view s) {
    std::string out;
    fold_into(s, out);
    return out;
}

Glob::Glob(std::string_view pat) {
    for (size_t i = 0; i < pat.size(); ++i) {
        if (pat[i] == '\\' && i + 1 < pat.size())
            toks_.push_back({Tok::Lit, pat[++i]});
        else if (pat[i] == '*')
            toks_.push_back({Tok::Star, 0});
        else if (pat[i] == '?')
            toks_.push_back({Tok::One, 0});
        else
            toks_.push_back({Tok::Lit, pat[i]});
    }
}

/* Iterative wildcard match with one backtrack point (the last `*`): O(n*m)
 * worst case, no recursion. `?` consumes one UTF-8 character.
 */
bool Glob::match(std::string_view s) const {
    auto cplen = [&](size_t at) {
        unsigned char c = s[at];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        return std::min(n, s.size() - at);
    };
    const auto& t = toks_;
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

std::vector<std::string> Glob::literals() const {
    std::vector<std::string> out(1);
    for (auto& t : toks_) {
        if (t.k == Tok::Lit) {
            out.back() += t.c;
        } else if (!out.back().empty()) {
            out.emplace_back();
        }
    }
    if (out.back().empty()) out.pop_back();
    return out;
}

Regex::Regex(const std::string& pat, uint8_t flags) : pattern_(pat), flags_(flags) {}

void Regex::build() const {
    const std::string& pat = pattern_;
    uint8_t flags = flags_;
    RE2::Options o;
    o.set_log_errors(false);
    o.set_case_sensitive(!(flags & ReIgnoreCase));
    o.set_dot_nl(flags & ReDotAll);
    o.set_posix_syntax(false);
    o.set_max_mem(64 << 20);
    std::string p = (flags & ReMultiLine) ? "(?m)" + pat : pat;
    re2_ = std::make_unique<RE2>(p, o);
    if (re2_->ok()) return;
    re2_.reset();
    int err;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF | ((flags & ReIgnoreCase) ? PCRE2_CASELESS : 0) |
                    ((flags & ReMultiLine) ? PCRE2_MULTILINE : 0) |
                    ((flags & ReDotAll) ? PCRE2_DOTALL : 0);
    pcre_ = pcre2_compile((PCRE2_SPTR)pat.data(), pat.size(), opts, &err, &off, nullptr);
}

/* Required literals of a regex. RE2's FilteredRE2 turns a pattern into an
 * AND/OR tree over lowercased literals ("atoms") such that a text lacking
 * the atoms the tree needs cannot match; its only outputs are the atom list
 * and AllPotentials(atoms present) -> does the regex pass the filter. The
 * tree is monotone, so a set S of atoms is a valid prefilter (some atom of S
 * occurs in every match) exactly when the filter fails with every atom
 * except those of S present. Starting from S = all atoms, atoms are dropped
 * shortest first while that stays true, leaving a minimal set that favours
 * long literals ("foo.*bar" gives {bar} or {foo}, "(abc|def)x+" gives
 * {abc, def}). Atoms with non-ASCII bytes or NUL are refused (the scan
 * folds Unicode differently from RE2's lowercasing; NUL separates values).
 */
int regex_required_literals(const std::string& pat, uint8_t flags, size_t min_len,
                            std::vector<std::string>& out) {
    re2::FilteredRE2 f(int(std::max<size_t>(min_len, 1)));
    RE2::Options o;
    o.set_log_errors(false);
    o.set_case_sensitive(!(flags & ReIgnoreCase));
    o.set_dot_nl(flags & ReDotAll);
    o.set_posix_syntax(false);
    o.set_max_mem(64 << 20);
    std::string p = (flags & ReMultiLine) ? "(?m)" + pat : pat;
    int id = 0;
    if (f.Add(p, o, &id) != RE2::NoError) return -1;
    std::vector<std::string> atoms;
    f.Compile(&atoms);
    if (atoms.empty()) return 0;
    for (auto& a : atoms)
        for (unsigned char c : a)
            if (c == 0 || c >= 0x80) return 0;
    size_t n = atoms.size();
    std::vector<uint8_t> in_set(n, 1);
    std::vector<int> present, passed;
    auto valid = [&]() {  // filter fails with every atom outside the set present
        present.clear();
        for (size_t i = 0; i < n; ++i)
            if (!in_set[i]) present.push_back(int(i));
        f.AllPotentials(present, &passed);
        return passed.empty();
    };
    if (!valid()) return 0;
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return atoms[a].size() < atoms[b].size(); });
    for (size_t i : order) {
        in_set[i] = 0;
        if (!valid()) in_set[i] = 1;
    }
    out.clear();
    for (size_t i = 0; i < n; ++i)
        if (in_set[i]) out.push_back(atoms[i]);
    return out.empty() ? 0 : 1;
}

Regex::~Regex() {
    if (pcre_) pcre2_code_free(pcre_);
}

bool Regex::search(std::string_view s) const {
    compile();
    if (re2_) return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re2_);
    if (!pcre_) return false;
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(pcre_, nullptr);
    pcre2_match_context* mc = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(mc, 1'000'000);  // bounded backtracking
    int rc = pcre2_match(pcre_, (PCRE2_SPTR)s.data(), s.size(), 0, 0, md, mc);
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    return rc >= 0;
}

namespace {

/* An IPv4 dotted quad. Strict (rule values, as pySigma's ip_network reads
 * them): four parts of 1-3 digits, each below 256, nothing else. Lenient
 * (event values): as sscanf's %u reads them (leading blanks and '+').
 */
bool parse_ipv4(const std::string& s, uint8_t out[4], bool strict) {
    if (!strict) {
        unsigned a, b, c, d;
        char tail;
        if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a < 256 &&
            b < 256 && c < 256 && d < 256) {
            out[0] = uint8_t(a), out[1] = uint8_t(b), out[2] = uint8_t(c), out[3] = uint8_t(d);
            return true;
        }
        return false;
    }
    int parts = 0;
    size_t i = 0;
    while (parts < 4) {
        if (i >= s.size() || !std::isdigit((unsigned char)s[i])) return false;
        int v = 0, digits = 0;
        while (i < s.size() && std::isdigit((unsigned char)s[i])) {
            v = v * 10 + (s[i++] - '0');
            if (++digits > 3 || v > 255) return false;
        }
        out[parts++] = uint8_t(v);
        if (parts < 4) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
    }
    return i == s.size();
}

}  // namespace

/* IPv6: groups of 1-4 hex digits separated by ':', at most one "::" standing
 * for the zero groups missing from eight, and optionally an IPv4 address as
 * the last 32 bits (::ffff:10.1.2.3). A text ending in a single ':' is
 * refused.
 */
bool parse_ip(std::string_view text, uint8_t out[16], int& bits, bool strict) {
    std::string s(text);
    if (parse_ipv4(s, out, strict)) {
        bits = 32;
        return true;
    }
    std::vector<uint16_t> head, tail16;
    bool dbl = false;
    size_t i = 0;
    if (s.compare(0, 2, "::") == 0) {
        dbl = true;
        i = 2;
    }
    while (i < s.size()) {
        if (s.find(':', i) == std::string::npos && s.find('.', i) != std::string::npos) {
            uint8_t v4[4];
            if (!parse_ipv4(s.substr(i), v4, strict)) return false;
            auto& v = dbl ? tail16 : head;
            v.push_back(uint16_t(v4[0] << 8 | v4[1]));
            v.push_back(uint16_t(v4[2] << 8 | v4[3]));
            break;
        }
        size_t j = i;
        while (j < s.size() && std::isxdigit((unsigned char)s[j])) ++j;
        if (j == i || j - i > 4) return false;
        (dbl ? tail16 : head)
            .push_back(uint16_t(std::strtoul(s.substr(i, j - i).c_str(), nullptr, 16)));
        i = j;
        if (i == s.size()) break;
        if (s[i] != ':') return false;
        if (i + 1 < s.size() && s[i + 1] == ':') {
            if (dbl) return false;
            dbl = true;
            i += 2;
        } else if (++i == s.size()) {
            return false;
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

Network::Network(const std::string& net) {
    size_t slash = net.find('/');
    valid_ = parse_ip(net.substr(0, slash), bytes_, bits_);
    prefix_ = slash == std::string::npos ? bits_ : std::atoi(net.c_str() + slash + 1);
}

bool Network::contains(std::string_view ip) const {
    if (!valid_) return false;
    uint8_t ib[16];
    int ibits;
    if (!parse_ip(ip, ib, ibits) || ibits != bits_) return false;
    for (int k = 0; k < prefix_; ++k) {
        uint8_t m = uint8_t(0x80 >> (k % 8));
        if ((bytes_[k / 8] & m) != (ib[k / 8] & m)) return false;
    }
    return true;
}

bool number_of(std::string_view s, double& d) {
    if (s.empty()) return false;
    char small[64];
    std::string big;
    const char* p;
    if (s.size() < sizeof small) {
        std::memcpy(small, s.data(), s.size());
        small[s.size()] = 0;
        p = small;
    } else {
        big.assign(s);
        p = big.c_str();
    }
    char* end = nullptr;
    d = std::strtod(p, &end);
    return end && *end == 0 && !std::isspace((unsigned char)s[0]);
}

bool time_part_of(std::string_view sv, TimePart tp, double& out) {
    std::string s(sv);
    int y, mo, d, h = 0, mi = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d", &y, &mo, &d, &h, &mi) < 3) return false;
    switch (tp) {
        case TimePart::Minute:
            out = mi;
            return true;
        case TimePart::Hour:
            out = h;
            return true;
        case TimePart::Day:
            out = d;
            return true;
        case TimePart::Month:
            out = mo;
            return true;
        case TimePart::Year:
            out = y;
            return true;
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
                std::tm p{};
                p.tm_year = y - 1 - 1900;
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
        default:
            return false;
    }
}

bool compare_numbers(Op op, double a, double b) {
    switch (op) {
        case Op::Lt:
            return a < b;
        case Op::Lte:
            return a <= b;
        case Op::Gt:
            return a > b;
        case Op::Gte:
            return a >= b;
        case Op::Eq:
            return a == b;
        default:
            return false;
    }
}

}  // namespace sigil::values
