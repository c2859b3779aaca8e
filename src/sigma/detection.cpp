// sigma/detection.cpp — search identifiers: maps, lists, keywords, values,
// Sigma string escaping and the value-modifier chain, into IR predicates.
#include <re2/re2.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstring>

#include "ir/values.h"
#include "sigma/sigma_internal.h"

namespace sigil::sigma {

namespace {

/* Sigma strings.
 *
 * A Sigma string is a sequence of parts: literal text, `*` (any run), `?` (one
 * character) and, with `expand`, `%name%` placeholders. Escaping follows the
 * spec (WC-*): a backslash escapes `*`, `?` and `\` (and `%` under expand);
 * before any other character, or at the end, it is a literal backslash. So
 * 'C:\Windows\*' is the literal "C:\Windows*" and 'C:\Windows\\*' is a
 * directory wildcard. Modifiers then work on parts: contains adds stars,
 * encodings transform literal parts only (MOD-ENCODING-WILDCARDS).
 */
struct Part {
    enum Kind : uint8_t { Lit, Star, One, Ph } kind;
    std::string s;
};
using SStr = std::vector<Part>;

void push_lit(SStr& v, const std::string& s) {
    if (s.empty()) return;
    if (!v.empty() && v.back().kind == Part::Lit)
        v.back().s += s;
    else
        v.push_back({Part::Lit, s});
}

SStr parse_sigma_string(const std::string& raw, bool expand) {
    SStr out;
    std::string lit;
    auto flush = [&] {
        push_lit(out, lit);
        lit.clear();
    };
    // Runs of ordinary characters are copied whole; only the four special
    // characters are looked at one by one.
    auto special = [expand](char c) {
        return c == '\\' || c == '*' || c == '?' || (expand && c == '%');
    };
    for (size_t i = 0; i < raw.size(); ++i) {
        size_t run = i;
        while (run < raw.size() && !special(raw[run])) ++run;
        if (run > i) {
            lit.append(raw, i, run - i);
            i = run;
            if (i == raw.size()) break;
        }
        char c = raw[i];
        if (c == '\\') {
            char n = i + 1 < raw.size() ? raw[i + 1] : 0;
            if (n == '*' || n == '?' || n == '\\' || (expand && n == '%')) {
                lit += n;
                ++i;
            } else {
                lit += '\\';
            }
        } else if (c == '*') {
            flush();
            if (out.empty() || out.back().kind != Part::Star) out.push_back({Part::Star, {}});
        } else if (c == '?') {
            flush();
            out.push_back({Part::One, {}});
        } else if (expand && c == '%') {
            size_t e = raw.find('%', i + 1);
            if (e != std::string::npos && e > i + 1) {
                flush();
                out.push_back({Part::Ph, raw.substr(i + 1, e - i - 1)});
                i = e;
            } else {
                lit += c;
            }
        } else {
            lit += c;
        }
    }
    if (out.empty() && !lit.empty())
        out.push_back({Part::Lit, std::move(lit)});
    else
        flush();
    return out;
}

bool has_wildcards(const SStr& s) {
    for (auto& p : s)
        if (p.kind == Part::Star || p.kind == Part::One) return true;
    return false;
}
bool has_placeholders(const SStr& s) {
    for (auto& p : s)
        if (p.kind == Part::Ph) return true;
    return false;
}
std::string literal_text(const SStr& s) {
    std::string r;
    for (auto& p : s) r += p.s;
    return r;
}

// Encodes every literal part; wildcard and placeholder parts stay in place.
template <class F>
SStr map_literals(const SStr& s, F f) {
    SStr r;
    for (auto& p : s) {
        if (p.kind == Part::Lit)
            push_lit(r, f(p.s));
        else
            r.push_back(p);
    }
    return r;
}

std::string base64(const std::string& in) {
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8 | uint8_t(in[i + 2]);
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += tbl[v & 63];
    }
    if (i + 1 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// Decodes UTF-8 into code points; invalid bytes become U+FFFD.
std::vector<uint32_t> utf8_decode(const std::string& s) {
    std::vector<uint32_t> cps;
    for (size_t i = 0; i < s.size();) {
        uint8_t c = s[i];
        uint32_t cp = 0xFFFD;
        size_t n = 1;
        if (c < 0x80) {
            cp = c;
        } else if ((c >> 5) == 6 && i + 1 < s.size()) {
            cp = (c & 0x1F) << 6 | (s[i + 1] & 0x3F);
            n = 2;
        } else if ((c >> 4) == 14 && i + 2 < s.size()) {
            cp = (c & 0x0F) << 12 | (s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
            n = 3;
        } else if ((c >> 3) == 30 && i + 3 < s.size()) {
            cp = (c & 0x07) << 18 | (s[i + 1] & 0x3F) << 12 | (s[i + 2] & 0x3F) << 6 |
                 (s[i + 3] & 0x3F);
            n = 4;
        }
        cps.push_back(cp);
        i += n;
    }
    return cps;
}

// UTF-16 encoding of UTF-8 text (MOD-WIDE-NONASCII: correct for any input).
std::string utf16(const std::string& s, bool big_endian) {
    std::string out;
    auto put = [&](uint16_t u) {
        if (big_endian) {
            out += char(u >> 8);
            out += char(u & 0xFF);
        } else {
            out += char(u & 0xFF);
            out += char(u >> 8);
        }
    };
    for (uint32_t cp : utf8_decode(s)) {
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put(uint16_t(0xD800 | (cp >> 10)));
            put(uint16_t(0xDC00 | (cp & 0x3FF)));
        } else {
            put(uint16_t(cp));
        }
    }
    return out;
}

/* base64offset (MOD-BASE64OFFSET): the text may start at any byte offset of
 * the encoded stream, so encode it shifted by 0, 1 and 2 bytes and keep only
 * the characters that do not depend on the unknown neighbouring bytes:
 * skip (0, 2, 3) leading characters and drop trailing ones that mix in the
 * padding, per (len + shift) % 3.
 */
std::vector<std::string> base64_offsets(const std::string& s) {
    static const int start[3] = {0, 2, 3};
    static const int end_trim[3] = {0, 3, 2};  // chars to drop when (len+i)%3 == idx
    std::vector<std::string> out;
    for (int i = 0; i < 3; ++i) {
        std::string enc = base64(std::string(size_t(i), ' ') + s);
        size_t trim = end_trim[(s.size() + i) % 3];
        size_t b = size_t(start[i]);
        size_t e = enc.size() >= trim ? enc.size() - trim : 0;
        out.push_back(e > b ? enc.substr(b, e - b) : std::string());
    }
    return out;
}

/* windash (MOD-WINDASH): every dash that starts a word (regex `\B[-/]\b`: the
 * previous character is not a word character and the next one is) may be
 * written with any of five dash characters on Windows command lines: `-`, `/`,
 * en dash, em dash and horizontal bar. As the spec says, all five are source
 * characters too (MOD-WINDASH-SOURCE-CHARS: pySigma only replaces `-` and `/`).
 * Produce the Cartesian product of the variants, capped to keep rules bounded.
 */
bool word_char(unsigned char c) {
    return std::isalnum(c) || c == '_' || c >= 0x80;
}
std::vector<std::string> windash_variants(const std::string& s, bool& too_many) {
    static const char* dashes[5] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
    // length of the dash starting at i, 0 if none
    auto dash_len = [&](size_t i) -> size_t {
        if (s[i] == '-' || s[i] == '/') return 1;
        for (int k = 2; k < 5; ++k)
            if (s.compare(i, 3, dashes[k]) == 0) return 3;
        return 0;
    };
    std::vector<std::pair<size_t, size_t>> pos;  // (offset, length)
    for (size_t i = 0; i < s.size(); ++i) {
        size_t len = dash_len(i);
        if (!len) continue;
        bool prev_word = false;
        if (i > 0) {
            size_t j = i - 1;
            while (j > 0 && (uint8_t(s[j]) & 0xC0) == 0x80) --j;  // start of the previous character
            prev_word = !(dash_len(j) && j + dash_len(j) == i) && word_char(s[j]);
        }
        size_t n = i + len;
        bool next_word = n < s.size() && !dash_len(n) && word_char(s[n]);
        if (!prev_word && next_word) pos.emplace_back(i, len);
        i += len - 1;
    }
    too_many = pos.size() > 6;
    if (too_many) return {};
    std::vector<std::string> out{""};
    size_t last = 0;
    for (auto [p, len] : pos) {
        std::vector<std::string> next;
        for (auto& o : out)
            for (auto* d : dashes) next.push_back(o + s.substr(last, p - last) + d);
        out = std::move(next);
        last = p + len;
    }
    for (auto& o : out) o += s.substr(last);
    return out;
}

// One value while modifiers run over it.
struct SVal {
    enum Kind : uint8_t { Str, Num, Bool, Null, Regex, Cidr, FieldRef, Exists, Compare, TimeP };
    Kind kind = Str;
    SStr str;
    Value num;
    bool b = false;
    std::string text;  // regex / cidr / fieldref
    bool cased = false;
    uint8_t re_flags = 0;
    Op op = Op::Eq;  // Compare: Lt..Gte; FieldRef: FieldRef*
    TimePart tp = TimePart::None;
    bool placeholders = false;  // Regex under expand holding %name%
};
using Alts = std::vector<SVal>;  // an expansion group, ORed (MOD-EXPANSION-GROUP)

enum class Mod {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Base64,
    Base64Offset,
    Wide,
    Utf16Be,
    Utf16,
    Windash,
    Re,
    ReI,
    ReM,
    ReS,
    Cidr,
    Exists,
    Expand,
    FieldRef,
    Lt,
    Lte,
    Gt,
    Gte,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Cased,
    Neq,
    Unknown
};

Mod mod_from(const std::string& m) {
    static const std::pair<const char*, Mod> tbl[] = {
        {"contains", Mod::Contains},
        {"startswith", Mod::StartsWith},
        {"endswith", Mod::EndsWith},
        {"all", Mod::All},
        {"base64", Mod::Base64},
        {"base64offset", Mod::Base64Offset},
        {"wide", Mod::Wide},
        {"utf16le", Mod::Wide},
        {"utf16be", Mod::Utf16Be},
        {"utf16", Mod::Utf16},
        {"windash", Mod::Windash},
        {"re", Mod::Re},
        {"i", Mod::ReI},
        {"ignorecase", Mod::ReI},
        {"m", Mod::ReM},
        {"multiline", Mod::ReM},
        {"s", Mod::ReS},
        {"dotall", Mod::ReS},
        {"cidr", Mod::Cidr},
        {"exists", Mod::Exists},
        {"expand", Mod::Expand},
        {"fieldref", Mod::FieldRef},
        {"lt", Mod::Lt},
        {"lte", Mod::Lte},
        {"gt", Mod::Gt},
        {"gte", Mod::Gte},
        {"minute", Mod::Minute},
        {"hour", Mod::Hour},
        {"day", Mod::Day},
        {"week", Mod::Week},
        {"month", Mod::Month},
        {"year", Mod::Year},
        {"cased", Mod::Cased},
        {"neq", Mod::Neq},
    };
    for (auto& [n, v] : tbl)
        if (m == n) return v;
    return Mod::Unknown;
}

}  // namespace

// A `%name%` placeholder in a regex under `expand` (PH-MIXED): a `%` that is
// not escaped by an odd run of backslashes opens one, the next `%` closes it.
static bool regex_has_placeholder(const std::string& re) {
    size_t open = std::string::npos;
    for (size_t i = 0; i < re.size(); ++i) {
        if (re[i] == '\\' && open == std::string::npos) {
            ++i;
            continue;
        }
        if (re[i] != '%') continue;
        if (open != std::string::npos && i > open + 1) return true;
        open = i;  // opens (or, after an empty %%, reopens)
    }
    return false;
}

/* CIDR validation (MOD-CIDR-*): IPv4 dotted quad or IPv6 (with ::), a prefix
 * length within range, and no host bits set (strict, as pySigma's
 * ip_network). Returns an error message or "".
 */
std::string validate_cidr(const std::string& v) {
    size_t slash = v.find('/');
    std::string addr = slash == std::string::npos ? v : v.substr(0, slash);
    uint8_t bytes[16];
    int bits;
    if (!values::parse_ip(addr, bytes, bits, /*strict=*/true))
        return "'" + excerpt(v) + "' is not an IPv4 or IPv6 network";
    int prefix = bits;
    if (slash != std::string::npos) {
        std::string p = v.substr(slash + 1);
        if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos)
            return "'" + excerpt(v) + "' has an invalid prefix length";
        prefix = std::stoi(p);
        if (prefix > bits)
            return "'" + excerpt(v) + "' has a prefix length above " + std::to_string(bits);
    }
    for (int k = prefix; k < bits; ++k)
        if (bytes[k / 8] & (0x80 >> (k % 8)))
            return "'" + excerpt(v) + "' has host bits set (the network would be ambiguous)";
    return "";
}

// Checks a regular expression: RE2 first (linear time); constructs RE2 lacks
// (lookaround, backreferences) are accepted when PCRE2 compiles them, and the
// engine runs those with PCRE2 under a match limit.
std::string validate_regex(const std::string& re, uint8_t flags) {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_case_sensitive(!(flags & ReIgnoreCase));
    o.set_dot_nl(flags & ReDotAll);
    o.set_max_mem(64 << 20);
    RE2 r(re, o);
    if (r.ok()) return "";
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code* c = pcre2_compile((PCRE2_SPTR)re.data(), re.size(), PCRE2_UTF, &err, &off, nullptr);
    if (c) {
        pcre2_code_free(c);
        return "";
    }
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    return "invalid regular expression '" + excerpt(re) + "': " + reinterpret_cast<char*>(buf) +
           " at offset " + std::to_string(off);
}

namespace {

// Canonical glob text of a Sigma string (see Op::Glob in ir.h).
std::string glob_text(const SStr& s, bool placeholders) {
    std::string r;
    for (auto& p : s) {
        switch (p.kind) {
            case Part::Star:
                r += '*';
                break;
            case Part::One:
                r += '?';
                break;
            case Part::Ph:
                r += '%' + p.s + '%';
                break;
            case Part::Lit:
                for (char c : p.s) {
                    if (c == '*' || c == '?' || c == '\\' || (placeholders && c == '%')) r += '\\';
                    r += c;
                }
        }
    }
    return r;
}

// Picks the IR operator for a string: plain → Eq, `x*` → StartsWith, `*x` →
// EndsWith, `*x*` → Contains (so `*` alone is Contains "" = any present value,
// MOD-CONTAINS-EMPTY / WC-ONLY-STAR), anything else → Glob.
void string_pred(SStr& s, Pred& p) {
    bool ph = has_placeholders(s);
    size_t n = s.size();
    bool lead = n && s[0].kind == Part::Star;
    bool trail = n && s[n - 1].kind == Part::Star && (n > 1 || !lead);
    size_t b = lead ? 1 : 0, e = trail ? n - 1 : n;
    bool inner = false;
    for (size_t k = b; k < e; ++k)
        if (s[k].kind != Part::Lit) inner = true;
    if (ph) {
        p.op = Op::Glob;
        p.placeholders = true;
        p.value = Value::string(glob_text(s, true));
        return;
    }
    if (n == 1 && lead) {  // just "*"
        p.op = Op::Contains;
        p.value = Value::string("");
        return;
    }
    if (inner) {
        p.op = Op::Glob;
        p.value = Value::string(glob_text(s, false));
        return;
    }
    p.value = Value::string(b < e ? std::move(s[b].s) : std::string());
    p.op = lead && trail ? Op::Contains : lead ? Op::EndsWith : trail ? Op::StartsWith : Op::Eq;
}

struct ItemBuilder {
    DocContext& ctx;
    const YamlNode& key;
    std::string field;
    std::vector<std::string> mods;
    bool all = false, neg = false, expand = false;
};

// Turns one value (with its expansion alternatives) into an expression;
// the value's strings are moved into the predicate.
ExprPtr sval_expr(SVal& v, const std::string& field, const SourceLoc& loc) {
    Pred p;
    p.field = field;
    p.loc = loc;
    switch (v.kind) {
        case SVal::Str:
            string_pred(v.str, p);
            p.cased = v.cased;
            break;
        case SVal::Num:
            p.op = Op::Eq;
            p.value = v.num;
            break;
        case SVal::Bool:
            p.op = Op::Eq;
            p.value = Value::boolean(v.b);
            break;
        case SVal::Null:
            p.op = Op::Eq;
            p.value = Value::null();
            break;
        case SVal::Regex:
            p.op = Op::Regex;
            p.value = Value::string(std::move(v.text));
            p.re_flags = v.re_flags;
            p.placeholders = v.placeholders;
            break;
        case SVal::Cidr:
            p.op = Op::Cidr;
            p.value = Value::string(std::move(v.text));
            break;
        case SVal::FieldRef:
            p.op = v.op;
            p.value = Value::string(std::move(v.text));
            p.cased = v.cased;
            break;
        case SVal::Exists:
            p.op = Op::Exists;
            p.value = Value::boolean(v.b);
            break;
        case SVal::Compare:
            p.op = v.op;
            p.value = v.num;
            p.time_part = v.tp;
            break;
        case SVal::TimeP:
            p.op = Op::Eq;
            p.value = v.num;
            p.time_part = v.tp;
            break;
    }
    return Expr::make_pred(std::move(p));
}

/* The modifier chain (MOD-*, MOD-COMBO-*).
 *
 * Modifiers apply left to right. Each has an input type and an output type;
 * the table in the checklist (MOD-COMBO-MATRIX-REF) is enforced by checking
 * the kind of every value before a modifier runs. `re`, `cidr` and `exists`
 * must come first because they decide how the raw YAML text is read (no Sigma
 * escaping for regexes and networks). `all` and `neq` act on the whole item;
 * `expand` is read before the values are parsed, since it changes escaping.
 * Expansion modifiers (windash, base64offset) turn one value into an OR group
 * that stays ORed under `all`.
 */
ExprPtr build_item(const YamlNode& key, const YamlNode& value, DocContext& ctx) {
    std::string spec = key.text;
    std::vector<std::string> parts;
    {
        size_t s = 0;
        for (;;) {
            size_t e = spec.find('|', s);
            parts.push_back(spec.substr(s, e == std::string::npos ? e : e - s));
            if (e == std::string::npos) break;
            s = e + 1;
        }
    }
    std::string field = parts[0];
    std::vector<Mod> mods;
    for (size_t k = 1; k < parts.size(); ++k) {
        Mod m = mod_from(parts[k]);
        if (m == Mod::Unknown) {
            ctx.error("sigma.modifier.unknown",
                      "unknown modifier '" + parts[k] + "' in '" + spec + "'", key);
            return nullptr;
        }
        mods.push_back(m);
    }
    bool first_re = !mods.empty() && mods[0] == Mod::Re;
    bool first_cidr = !mods.empty() && mods[0] == Mod::Cidr;
    bool first_exists = !mods.empty() && mods[0] == Mod::Exists;
    bool expand = std::find(mods.begin(), mods.end(), Mod::Expand) != mods.end();
    for (size_t k = 1; k < mods.size(); ++k) {
        const char* name = mods[k] == Mod::Re       ? "re"
                           : mods[k] == Mod::Cidr   ? "cidr"
                           : mods[k] == Mod::Exists ? "exists"
                                                    : nullptr;
        if (name) {
            ctx.error(
                "sigma.modifier.position",
                std::string("modifier '") + name + "' must be the first modifier in '" + spec + "'",
                key);
            return nullptr;
        }
    }
    if (field.empty() && (first_cidr || first_exists)) {
        ctx.error(
            "sigma.modifier.needs_field",
            std::string("modifier '") + (first_cidr ? "cidr" : "exists") + "' needs a field name",
            key);
        return nullptr;
    }

    // Collect the raw values.
    std::vector<const YamlNode*> raw;
    bool value_list = value.is_seq();
    if (value_list) {
        for (auto& it : value.items) raw.push_back(&it);
    } else if (value.is_map()) {
        ctx.error("sigma.value.type",
                  "the value of '" + spec + "' is a map; values must be scalars or lists", value);
        return nullptr;
    } else {
        raw.push_back(&value);
    }

    // Initial typing.
    std::vector<Alts> vals;
    SourceLoc loc = ctx.loc(key);
    for (const YamlNode* n : raw) {
        if (!n->is_scalar()) {
            ctx.error("sigma.value.type", "a value of '" + spec + "' is not a scalar", *n);
            return nullptr;
        }
        SVal v;
        switch (n->type) {
            case YamlNode::Type::Str:
                if (first_re) {
                    v.kind = SVal::Regex;
                    v.text = n->text;
                } else if (first_cidr) {
                    v.kind = SVal::Cidr;
                    v.text = n->text;
                } else {
                    v.kind = SVal::Str;
                    v.str = parse_sigma_string(n->text, expand);
                }
                break;
            case YamlNode::Type::Int:
                v.kind = SVal::Num;
                v.num = Value::integer(n->i);
                break;
            case YamlNode::Type::Float:
                v.kind = SVal::Num;
                v.num = Value::real(n->f);
                break;
            case YamlNode::Type::Bool:
                v.kind = SVal::Bool;
                v.b = n->b;
                break;
            case YamlNode::Type::Null:
                v.kind = SVal::Null;
                break;
        }
        if (first_re && v.kind == SVal::Num) {  // re on a number: its text
            v.kind = SVal::Regex;
            v.text = n->text;
        }
        // re and cidr read the value as text; a boolean or null (and, for
        // cidr, a number) has no such reading (MOD-COMBO-TYPE-FLOW).
        if ((first_re && v.kind != SVal::Regex) || (first_cidr && v.kind != SVal::Cidr)) {
            ctx.error("sigma.modifier.type",
                      std::string("modifier '") + (first_re ? "re" : "cidr") +
                          "' needs a string value in '" + spec + "'",
                      *n);
            return nullptr;
        }
        if (field.empty() && v.kind == SVal::Null) {
            ctx.error("sigma.keyword.null", "a keyword cannot be null", *n);
            return nullptr;
        }
        if (field.empty() && v.kind == SVal::Bool) {
            ctx.error("sigma.keyword.bool", "a keyword cannot be a boolean", *n);
            return nullptr;
        }
        vals.emplace_back();
        vals.back().push_back(std::move(v));
    }
    if (raw.empty()) {  // DET-EMPTY-LIST-VALUE: {f: []} is f: null
        if (field.empty()) {
            ctx.error("sigma.keyword.null", "an empty keyword list", value);
            return nullptr;
        }
        SVal v;
        v.kind = SVal::Null;
        vals.emplace_back();
        vals.back().push_back(std::move(v));
    }
    /* Forms the spec forbids but pySigma accepts with one clear meaning load
     * with a warning (docs/sigma.md): null inside a value list (VAL-NULL-IN-
     * LIST, read as "or the field is null") and `all` over a single value
     * (MOD-ALL-SINGLE, a no-op).
     */
    if (raw.size() > 1)
        for (const YamlNode* n : raw)
            if (n->is_null()) {
                ctx.warn("sigma.value.null_in_list",
                         "null inside the value list of '" + spec +
                             "' is not allowed by the spec; write a separate null selection",
                         *n);
                break;
            }
    if (std::find(mods.begin(), mods.end(), Mod::All) != mods.end() && raw.size() == 1)
        ctx.warn("sigma.modifier.all_single",
                 "'all' on the single value of '" + spec +
                     "' has no effect; the spec allows it only on a list of values",
                 key);

    bool all = false, neg = false;
    bool seen_compare = false, seen_time = false, seen_str_mod = false;
    auto bad = [&](const char* m, const SVal& v) {
        static const char* kinds[] = {"string",     "number",   "boolean",         "null",
                                      "regex",      "network",  "field reference", "existence",
                                      "comparison", "time part"};
        ctx.error("sigma.modifier.type",
                  std::string("modifier '") + m + "' cannot apply to a " + kinds[v.kind] +
                      " value in '" + spec + "'",
                  key);
        return nullptr;
    };
    for (size_t mi = 0; mi < mods.size(); ++mi) {
        Mod m = mods[mi];
        const std::string& mname = parts[mi + 1];
        const char* mn = mname.c_str();
        if (m == Mod::All) {
            all = true;
            continue;
        }
        if (m == Mod::Neq) {
            neg = true;
            continue;
        }
        if (m == Mod::Expand || (m == Mod::Re && mi == 0) || (m == Mod::Cidr && mi == 0)) continue;
        for (auto& alts : vals) {
            Alts next;
            for (SVal& v : alts) {
                switch (m) {
                    case Mod::Contains:
                    case Mod::StartsWith:
                    case Mod::EndsWith:
                        if (v.kind == SVal::Str) {
                            if (m != Mod::EndsWith &&
                                (v.str.empty() || v.str.back().kind != Part::Star))
                                v.str.push_back({Part::Star, {}});
                            if (m != Mod::StartsWith &&
                                (v.str.empty() || v.str.front().kind != Part::Star))
                                v.str.insert(v.str.begin(), {Part::Star, {}});
                            seen_str_mod = true;
                        } else if (v.kind == SVal::Regex) {
                            if (m == Mod::StartsWith && v.text.rfind('^', 0) != 0)
                                v.text = "^(?:" + v.text + ")";
                            if (m == Mod::EndsWith && (v.text.empty() || v.text.back() != '$'))
                                v.text = "(?:" + v.text + ")$";
                        } else if (v.kind == SVal::FieldRef) {
                            v.op = m == Mod::Contains     ? Op::FieldRefContains
                                   : m == Mod::StartsWith ? Op::FieldRefStartsWith
                                                          : Op::FieldRefEndsWith;
                        } else {
                            return bad(mn, v);
                        }
                        next.push_back(std::move(v));
                        break;
                    case Mod::Base64:
                    case Mod::Base64Offset:
                        if (v.kind != SVal::Str) return bad(mn, v);
                        if (has_wildcards(v.str) || has_placeholders(v.str)) {
                            ctx.error("sigma.modifier.base64_wildcard",
                                      "'" + mname +
                                          "' of a value with wildcards is not allowed in '" + spec +
                                          "' (put contains after " + mname + ")",
                                      key);
                            return nullptr;
                        }
                        if (m == Mod::Base64) {
                            std::string enc = base64(literal_text(v.str));
                            v.str.clear();
                            push_lit(v.str, enc);
                            next.push_back(std::move(v));
                        } else {
                            for (auto& frag : base64_offsets(literal_text(v.str))) {
                                SVal c = v;
                                c.str.clear();
                                push_lit(c.str, frag);
                                next.push_back(std::move(c));
                            }
                        }
                        break;
                    case Mod::Wide:
                    case Mod::Utf16Be:
                    case Mod::Utf16:
                        if (v.kind != SVal::Str) return bad(mn, v);
                        v.str = map_literals(v.str, [&](const std::string& s) {
                            return utf16(s, m == Mod::Utf16Be);
                        });
                        if (m == Mod::Utf16) {  // spec: BOM FF FE then UTF-16LE
                            if (!v.str.empty() && v.str[0].kind == Part::Lit)
                                v.str[0].s = std::string("\xFF\xFE", 2) + v.str[0].s;
                            else
                                v.str.insert(v.str.begin(),
                                             {Part::Lit, std::string("\xFF\xFE", 2)});
                        }
                        next.push_back(std::move(v));
                        break;
                    case Mod::Windash: {
                        if (v.kind != SVal::Str) return bad(mn, v);
                        // expand each literal part; the product over parts
                        std::vector<SStr> outs{SStr{}};
                        for (auto& p : v.str) {
                            if (p.kind != Part::Lit) {
                                for (auto& o : outs) o.push_back(p);
                                continue;
                            }
                            bool too_many = false;
                            auto vs = windash_variants(p.s, too_many);
                            if (too_many || outs.size() * vs.size() > 15625) {
                                ctx.error("sigma.modifier.windash_limit",
                                          "windash on '" + excerpt(p.s) +
                                              "' would produce more than 15625 variants",
                                          key);
                                return nullptr;
                            }
                            std::vector<SStr> nx;
                            for (auto& o : outs)
                                for (auto& s : vs) {
                                    SStr c = o;
                                    push_lit(c, s);
                                    nx.push_back(std::move(c));
                                }
                            outs = std::move(nx);
                        }
                        for (auto& o : outs) {
                            SVal c = v;
                            c.str = std::move(o);
                            next.push_back(std::move(c));
                        }
                        break;
                    }
                    case Mod::Re:
                        ctx.error("sigma.modifier.position",
                                  "modifier 're' must be the first modifier in '" + spec + "'",
                                  key);
                        return nullptr;
                    case Mod::ReI:
                    case Mod::ReM:
                    case Mod::ReS:
                        if (v.kind != SVal::Regex) {
                            ctx.error("sigma.modifier.flag_without_re",
                                      "regex flag '" + mname + "' needs the 're' modifier in '" +
                                          spec + "'",
                                      key);
                            return nullptr;
                        }
                        v.re_flags |= m == Mod::ReI   ? ReIgnoreCase
                                      : m == Mod::ReM ? ReMultiLine
                                                      : ReDotAll;
                        next.push_back(std::move(v));
                        break;
                    case Mod::Exists:
                        if (v.kind != SVal::Bool) {
                            ctx.error("sigma.modifier.exists_type",
                                      "the value of 'exists' must be a boolean (true or false)",
                                      *raw[0]);
                            return nullptr;
                        }
                        v.kind = SVal::Exists;
                        next.push_back(std::move(v));
                        break;
                    case Mod::FieldRef:
                        if (v.kind != SVal::Str) return bad(mn, v);
                        if (has_wildcards(v.str) || has_placeholders(v.str)) {
                            ctx.error(
                                "sigma.modifier.fieldref_wildcard",
                                "a field reference cannot contain wildcards in '" + spec + "'",
                                key);
                            return nullptr;
                        }
                        v.kind = SVal::FieldRef;
                        v.text = literal_text(v.str);
                        v.op = Op::FieldRef;
                        next.push_back(std::move(v));
                        break;
                    case Mod::Lt:
                    case Mod::Lte:
                    case Mod::Gt:
                    case Mod::Gte:
                        if (seen_compare) {
                            ctx.error("sigma.modifier.compare_chain",
                                      "comparison modifiers cannot be chained in '" + spec +
                                          "'; use two selections for a range",
                                      key);
                            return nullptr;
                        }
                        if (v.kind != SVal::Num && v.kind != SVal::TimeP) {
                            ctx.error("sigma.modifier.compare_type",
                                      "modifier '" + mname + "' needs a number in '" + spec + "'",
                                      key);
                            return nullptr;
                        }
                        v.kind = SVal::Compare;
                        v.op = m == Mod::Lt    ? Op::Lt
                               : m == Mod::Lte ? Op::Lte
                               : m == Mod::Gt  ? Op::Gt
                                               : Op::Gte;
                        next.push_back(std::move(v));
                        break;
                    case Mod::Minute:
                    case Mod::Hour:
                    case Mod::Day:
                    case Mod::Week:
                    case Mod::Month:
                    case Mod::Year:
                        if (v.kind != SVal::Num || seen_time) {
                            ctx.error(
                                "sigma.modifier.time_type",
                                "time modifier '" + mname + "' needs a number in '" + spec + "'",
                                key);
                            return nullptr;
                        }
                        v.kind = SVal::TimeP;
                        v.tp = m == Mod::Minute  ? TimePart::Minute
                               : m == Mod::Hour  ? TimePart::Hour
                               : m == Mod::Day   ? TimePart::Day
                               : m == Mod::Week  ? TimePart::Week
                               : m == Mod::Month ? TimePart::Month
                                                 : TimePart::Year;
                        next.push_back(std::move(v));
                        break;
                    case Mod::Cased:
                        if (v.kind == SVal::Regex) {
                            ctx.error("sigma.modifier.cased_regex",
                                      "'cased' cannot be combined with 're' (regexes are already "
                                      "case-sensitive unless 'i' is given) in '" +
                                          spec + "'",
                                      key);
                            return nullptr;
                        }
                        if (v.kind != SVal::Str && v.kind != SVal::FieldRef) return bad(mn, v);
                        v.cased = true;
                        next.push_back(std::move(v));
                        break;
                    case Mod::Cidr:
                        ctx.error("sigma.modifier.position",
                                  "modifier 'cidr' must be the first modifier in '" + spec + "'",
                                  key);
                        return nullptr;
                    default:
                        next.push_back(std::move(v));
                }
            }
            alts = std::move(next);
        }
        if (m == Mod::Lt || m == Mod::Lte || m == Mod::Gt || m == Mod::Gte) seen_compare = true;
        if (m >= Mod::Minute && m <= Mod::Year) seen_time = true;
    }
    (void)seen_str_mod;

    // Validate final values and build the expression.
    std::vector<ExprPtr> items;
    for (size_t vi = 0; vi < vals.size(); ++vi) {
        std::vector<ExprPtr> alts;
        for (auto& v : vals[vi]) {
            if (v.kind == SVal::Regex) {
                v.placeholders = expand && regex_has_placeholder(v.text);
                std::string err = validate_regex(v.text, v.re_flags);
                if (!err.empty()) {
                    ctx.error("sigma.regex.invalid", err, *raw[std::min(vi, raw.size() - 1)]);
                    return nullptr;
                }
            } else if (v.kind == SVal::Cidr) {
                std::string err = validate_cidr(v.text);
                if (!err.empty()) {
                    ctx.error("sigma.cidr.invalid", err, *raw[std::min(vi, raw.size() - 1)]);
                    return nullptr;
                }
            }
            if (field.empty() && v.kind == SVal::Exists) {
                ctx.error("sigma.modifier.needs_field", "'exists' needs a field name", key);
                return nullptr;
            }
            alts.push_back(sval_expr(v, field, loc));
        }
        items.push_back(alts.size() == 1 ? alts[0] : Expr::make_or(std::move(alts)));
    }
    ExprPtr e = items.size() == 1 ? items[0]
                : all             ? Expr::make_and(std::move(items))
                                  : Expr::make_or(std::move(items));
    if (neg) e = Expr::make_not(e);
    return e;
}

}  // namespace

/* Search identifiers (DET-*).
 * map            → AND of its items (the same field twice is ANDed)
 * list of maps   → OR of ANDs
 * list of scalars→ keywords, ORed
 * mixed list     → OR item by item
 * scalar         → one keyword
 * `{}` is an error; `[]` is kept as unusable (error when referenced).
 */
ExprPtr build_search_identifier(const YamlNode& value, DocContext& ctx, bool& keyword_list) {
    keyword_list = false;
    auto build_map = [&](const YamlNode& m) -> ExprPtr {
        if (m.entries.empty()) {
            ctx.error("sigma.detection.empty", "a detection map is empty", m);
            return nullptr;
        }
        // Every item is built even after an error, so all problems are reported.
        std::vector<ExprPtr> kids;
        bool bad = false;
        for (auto& [k, v] : m.entries) {
            ExprPtr e = build_item(k, v, ctx);
            if (!e)
                bad = true;
            else
                kids.push_back(e);
        }
        return bad ? nullptr : Expr::make_and(std::move(kids));
    };
    auto keyword = [&](const YamlNode& n) -> ExprPtr {
        YamlNode key;
        key.text = "";
        key.line = n.line;
        key.col = n.col;
        return build_item(key, n, ctx);
    };
    if (value.is_map()) return build_map(value);
    if (value.is_seq()) {
        if (value.items.empty()) return nullptr;
        bool all_scalar = true;
        for (auto& it : value.items) all_scalar &= it.is_scalar();
        if (all_scalar) {
            keyword_list = true;
            YamlNode key;
            key.line = value.line;
            key.col = value.col;
            return build_item(key, value, ctx);
        }
        std::vector<ExprPtr> kids;
        bool bad = false;
        for (auto& it : value.items) {
            ExprPtr e;
            if (it.is_map())
                e = build_map(it);
            else if (it.is_scalar())
                e = keyword(it);
            else {
                ctx.error("sigma.detection.type", "nested lists are not allowed in a detection",
                          it);
                return nullptr;
            }
            if (!e)
                bad = true;
            else
                kids.push_back(e);
        }
        return bad ? nullptr : Expr::make_or(std::move(kids));
    }
    if (value.is_null()) {
        ctx.error("sigma.detection.empty", "a search identifier is empty (null)", value);
        return nullptr;
    }
    return keyword(value);
}

}  // namespace sigil::sigma
