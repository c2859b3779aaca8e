// convert/text_core.cpp — the shared text-query core: renders an IR
// expression with a TextDialect (tokens, grouping, quoting and escaping,
// wildcards, string operators, regex, CIDR, comparisons, field references,
// null/exists, in-lists, keywords, the query frame), plus the helpers every
// target uses (value patterns, regex translation to Lucene, CIDR expansion).
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "convert/target.h"

namespace sigil {

ConvertError unsupported(const std::string& target, const std::string& feature) {
    return {"convert.unsupported", feature + " cannot be expressed in " + target};
}

std::string fill(const std::string& tpl,
                 std::initializer_list<std::pair<const char*, std::string_view>> vars) {
    std::string out;
    out.reserve(tpl.size() + 32);
    for (size_t i = 0; i < tpl.size(); ++i) {
        if (tpl[i] == '{') {
            size_t j = tpl.find('}', i + 1);
            if (j != std::string::npos) {
                std::string_view name(tpl.data() + i + 1, j - i - 1);
                bool found = false;
                for (auto& [k, v] : vars)
                    if (name == k) {
                        out += v;
                        found = true;
                        break;
                    }
                if (found) {
                    i = j;
                    continue;
                }
            }
        }
        out += tpl[i];
    }
    return out;
}

/* JSON string escaping appends runs of plain characters at once and only
 * stops at the characters JSON escapes (quote, backslash, controls); the
 * watch, esdsl and grep outputs quote every query this way, so a per-character
 * append was a tenth of their time. */
void json_quote_to(std::string& o, std::string_view s) {
    o.reserve(o.size() + s.size() + 2);
    o += '"';
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        o.append(s, run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                o += "\\\"";
                break;
            case '\\':
                o += "\\\\";
                break;
            case '\n':
                o += "\\n";
                break;
            case '\r':
                o += "\\r";
                break;
            case '\t':
                o += "\\t";
                break;
            case '\b':
                o += "\\b";
                break;
            case '\f':
                o += "\\f";
                break;
            default: {
                char b[8];
                std::snprintf(b, sizeof b, "\\u%04x", c);
                o += b;
            }
        }
    }
    o.append(s, run, s.size() - run);
    o += '"';
}

std::string json_quote(const std::string& s) {
    std::string o;
    json_quote_to(o, s);
    return o;
}

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

static void push_lit(Pattern& p, const std::string& s) {
    if (s.empty()) return;
    if (!p.empty() && p.back().kind == PatternPart::Lit)
        p.back().text += s;
    else
        p.push_back({PatternPart::Lit, s});
}

Pattern parse_glob(const std::string& g) {
    Pattern p;
    std::string lit;
    for (size_t i = 0; i < g.size(); ++i) {
        char c = g[i];
        if (c == '\\' && i + 1 < g.size()) {
            lit += g[++i];
        } else if (c == '*' || c == '?') {
            push_lit(p, lit);
            lit.clear();
            // `**` is the same as `*`
            if (c == '*' && !p.empty() && p.back().kind == PatternPart::Any) continue;
            p.push_back({c == '*' ? PatternPart::Any : PatternPart::One, {}});
        } else {
            lit += c;
        }
    }
    push_lit(p, lit);
    return p;
}

Pattern pattern_of(const Pred& pr) {
    std::string text;
    if (pr.value.kind != ValueKind::String) text = pr.value.text();
    const std::string& v = pr.value.kind == ValueKind::String ? pr.value.s : text;
    Pattern p;
    p.reserve(3);
    switch (pr.op) {
        case Op::Glob:
            return parse_glob(v);
        case Op::Contains:
            p.push_back({PatternPart::Any, {}});
            push_lit(p, v);
            if (!v.empty()) p.push_back({PatternPart::Any, {}});
            return p;
        case Op::StartsWith:
            push_lit(p, v);
            p.push_back({PatternPart::Any, {}});
            return p;
        case Op::EndsWith:
            p.push_back({PatternPart::Any, {}});
            push_lit(p, v);
            return p;
        default:
            p.push_back({PatternPart::Lit, v});
            return p;
    }
}

bool has_wildcards(const Pattern& pat) {
    for (auto& x : pat)
        if (x.kind != PatternPart::Lit) return true;
    return false;
}

Shape shape_of(const Pattern& pat, std::string& literal) {
    literal.clear();
    size_t n = pat.size();
    auto lit = [&](size_t i) { return pat[i].kind == PatternPart::Lit; };
    auto any = [&](size_t i) { return pat[i].kind == PatternPart::Any; };
    if (n == 0) return Shape::Exact;
    if (n == 1 && lit(0)) {
        literal = pat[0].text;
        return Shape::Exact;
    }
    if (n == 1 && any(0)) return Shape::Contains;  // '*': literal empty
    if (n == 2 && lit(0) && any(1)) {
        literal = pat[0].text;
        return Shape::Prefix;
    }
    if (n == 2 && any(0) && lit(1)) {
        literal = pat[1].text;
        return Shape::Suffix;
    }
    if (n == 3 && any(0) && lit(1) && any(2)) {
        literal = pat[1].text;
        return Shape::Contains;
    }
    return Shape::Glob;
}

void regex_escape_to(std::string& o, std::string_view s) {
    static const auto special = [] {  // 256-entry table: a strchr per character before
        std::array<bool, 256> t{};
        for (unsigned char c : std::string_view("\\^$.|?*+()[]{}/")) t[c] = true;
        return t;
    }();
    o.reserve(o.size() + s.size() + 8);
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (!special[(unsigned char)s[i]]) continue;
        o.append(s, run, i - run);
        o += '\\';
        run = i;
    }
    o.append(s, run, s.size() - run);
}

std::string regex_escape(const std::string& s) {
    std::string o;
    regex_escape_to(o, s);
    return o;
}

std::string pattern_to_regex(const Pattern& pat, bool anchored) {
    std::string o = anchored ? "^" : "";
    for (auto& x : pat) {
        if (x.kind == PatternPart::Lit)
            o += regex_escape(x.text);
        else if (x.kind == PatternPart::Any)
            o += ".*";
        else
            o += ".";
    }
    if (anchored) o += "$";
    return o;
}

// ---------------------------------------------------------------------------
// Regex translation to Lucene regexp
// ---------------------------------------------------------------------------

/* Lucene regexp differs from PCRE/RE2 in ways that change meaning if the text
 * is passed through:
 *   - it always matches the whole term, so search semantics need `.*` on both
 *     sides; a leading `^` / trailing `$` instead drops that side's `.*`;
 *     anchors anywhere else cannot be expressed;
 *   - `@ & < > ~ #` and `"` are operators, so literal ones are escaped;
 *   - no shorthand classes (`\d \w \s`), no lookaround, backreferences, word
 *     boundaries, lazy/possessive quantifiers or inline flags; shorthands are
 *     expanded to bracket classes, lazy quantifiers become greedy (same set of
 *     whole-term matches), the rest is an error;
 *   - no case-insensitive flag: with `i`, every ASCII letter becomes `[xX]`
 *     and letter ranges in classes get their other-case range.
 * The translation is one left-to-right pass with a small state for classes.
 */
namespace {
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char other_case(char c) {
    return (c >= 'a' && c <= 'z') ? char(c - 32) : char(c + 32);
}

const char* lucene_shorthand(char c, bool in_class) {
    switch (c) {
        case 'd':
            return in_class ? "0-9" : "[0-9]";
        case 'w':
            return in_class ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]";
        case 's':
            return in_class ? " \t\n\r\f\v" : "[ \t\n\r\f\v]";
        case 'D':
            return in_class ? nullptr : "[^0-9]";
        case 'W':
            return in_class ? nullptr : "[^a-zA-Z0-9_]";
        case 'S':
            return in_class ? nullptr : "[^ \t\n\r\f\v]";
    }
    return nullptr;
}
bool lucene_special(char c) {
    return std::strchr("@&<>~#\"", c) != nullptr && c;
}
}  // namespace

namespace {
// Splits a regex at its top-level `|` (outside groups and classes).
std::vector<std::string> split_alternatives(const std::string& re) {
    std::vector<std::string> out(1);
    int depth = 0;
    bool cls = false;
    for (size_t i = 0; i < re.size(); ++i) {
        char c = re[i];
        if (c == '\\' && i + 1 < re.size()) {
            out.back() += re.substr(i, 2);
            ++i;
            continue;
        }
        if (cls) {
            if (c == ']') cls = false;
        } else if (c == '[') {
            cls = true;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')') {
            --depth;
        } else if (c == '|' && depth == 0) {
            out.emplace_back();
            continue;
        }
        out.back() += c;
    }
    return out;
}

bool has_anchor(const std::string& re) {
    bool cls = false;
    for (size_t i = 0; i < re.size(); ++i) {
        if (re[i] == '\\') {
            ++i;
        } else if (cls) {
            cls = re[i] != ']';
        } else if (re[i] == '[') {
            cls = true;
        } else if (re[i] == '^' || re[i] == '$') {
            return true;
        }
    }
    return false;
}

/* Anchors inside alternatives: `(^a|b)rest` is `^a rest` or `b rest`, so a
 * leading group whose alternatives carry anchors is distributed over the
 * rest of the pattern, and top-level alternatives become separate
 * whole-term patterns, each with its own `.*` padding. */
void distribute(const std::string& re, std::vector<std::string>& out, int depth) {
    for (auto& alt : split_alternatives(re)) {
        if (depth < 4 && alt.size() > 1 && alt[0] == '(' &&
            (alt[1] != '?' || (alt.size() > 2 && alt[2] == ':'))) {
            int d = 0;
            size_t close = std::string::npos;
            bool cls = false;
            for (size_t i = 0; i < alt.size(); ++i) {
                char c = alt[i];
                if (c == '\\') {
                    ++i;
                    continue;
                }
                if (cls) {
                    cls = c != ']';
                    continue;
                }
                if (c == '[')
                    cls = true;
                else if (c == '(')
                    ++d;
                else if (c == ')' && --d == 0) {
                    close = i;
                    break;
                }
            }
            if (close != std::string::npos) {
                std::string inner =
                    alt.substr(alt[1] == '?' ? 3 : 1, close - (alt[1] == '?' ? 3 : 1));
                std::string rest = alt.substr(close + 1);
                bool quantified = !rest.empty() && std::strchr("*+?{", rest[0]);
                if (!quantified && has_anchor(inner)) {
                    for (auto& sub : split_alternatives(inner))
                        distribute(sub + rest, out, depth + 1);
                    continue;
                }
            }
        }
        out.push_back(alt);
    }
}
}  // namespace

static bool regex_to_lucene_one(const std::string& re_in, uint8_t flags, std::string& out,
                                std::string& err);

bool regex_to_lucene(const std::string& re_in, uint8_t flags, std::string& out, std::string& err) {
    std::string re = re_in;
    // leading inline flags apply to every alternative
    std::string prefix;
    while (re.size() >= 4 && re[0] == '(' && re[1] == '?' && re.find(')') != std::string::npos &&
           re.find_first_not_of("ims", 2) == re.find(')')) {
        prefix += re.substr(0, re.find(')') + 1);
        re = re.substr(re.find(')') + 1);
    }
    if (!has_anchor(re)) return regex_to_lucene_one(re_in, flags, out, err);
    std::vector<std::string> alts;
    distribute(re, alts, 0);
    if (alts.size() == 1) return regex_to_lucene_one(prefix + alts[0], flags, out, err);
    out.clear();
    for (size_t i = 0; i < alts.size(); ++i) {
        std::string one;
        if (!regex_to_lucene_one(prefix + alts[i], flags, one, err)) return false;
        out += (i ? "|(" : "(") + one + ")";
    }
    return true;
}

static bool regex_to_lucene_one(const std::string& re_in, uint8_t flags, std::string& out,
                                std::string& err) {
    std::string re = re_in;
    bool ci = flags & ReIgnoreCase;
    // leading inline flags (?i) (?s) (?m) ...
    while (re.size() >= 4 && re[0] == '(' && re[1] == '?') {
        size_t j = 2;
        bool ok = true;
        while (j < re.size() && re[j] != ')') {
            if (re[j] == 'i')
                ci = true;
            else if (re[j] != 's' && re[j] != 'm')
                ok = false;
            ++j;
        }
        if (!ok || j >= re.size()) break;
        re = re.substr(j + 1);
    }
    bool anchor_start = false, anchor_end = false;
    if (!re.empty() && re[0] == '^') {
        anchor_start = true;
        re.erase(0, 1);
    }
    if (re.size() >= 1 && re.back() == '$') {
        // not escaped?
        size_t bs = 0;
        for (size_t k = re.size() - 1; k-- > 0 && re[k] == '\\';) ++bs;
        if (bs % 2 == 0) {
            anchor_end = true;
            re.pop_back();
        }
    }
    std::string body;
    int depth = 0;
    bool top_alt = false;
    auto emit_char = [&](char c) {
        if (ci && is_alpha(c)) {
            body += '[';
            body += c;
            body += other_case(c);
            body += ']';
        } else if (lucene_special(c) || c == '.' || c == '*' || c == '+' || c == '?' || c == '(' ||
                   c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '|' ||
                   c == '\\') {
            body += '\\';
            body += c;
        } else {
            body += c;
        }
    };
    for (size_t i = 0; i < re.size(); ++i) {
        char c = re[i];
        if (c == '\\') {
            if (i + 1 >= re.size()) {
                err = "regex ends with a backslash";
                return false;
            }
            char n = re[++i];
            if (const char* sh = lucene_shorthand(n, false)) {
                body += sh;
            } else if (n == 'x' && i + 2 < re.size() + 0 && i + 2 <= re.size() - 1) {
                unsigned v = 0;
                if (std::sscanf(re.c_str() + i + 1, "%2x", &v) != 1) {
                    err = "bad \\x escape in regex";
                    return false;
                }
                i += 2;
                emit_char(char(v));
            } else if (n == 'n' || n == 't' || n == 'r') {
                body += n == 'n' ? '\n' : n == 't' ? '\t' : '\r';
            } else if (is_alpha(n) || (n >= '0' && n <= '9')) {
                err = std::string("regex escape \\") + n + " has no Lucene equivalent";
                return false;
            } else {
                emit_char(n);
            }
        } else if (c == '[') {
            // character class
            std::string cls = "[";
            size_t j = i + 1;
            if (j < re.size() && re[j] == '^') {
                cls += '^';
                ++j;
            }
            bool first = true;
            std::string extra;
            while (j < re.size() && (re[j] != ']' || first)) {
                first = false;
                char k = re[j];
                if (k == '\\' && j + 1 < re.size()) {
                    char n = re[j + 1];
                    if (const char* sh = lucene_shorthand(n, true)) {
                        cls += sh;
                    } else if (is_alpha(n) && n != 'n' && n != 't' && n != 'r' && n != 'x') {
                        err =
                            std::string("regex class escape \\") + n + " has no Lucene equivalent";
                        return false;
                    } else if (n == 'n' || n == 't' || n == 'r') {
                        cls += n == 'n' ? '\n' : n == 't' ? '\t' : '\r';
                    } else if (n == 'x') {
                        unsigned v = 0;
                        if (std::sscanf(re.c_str() + j + 2, "%2x", &v) != 1) {
                            err = "bad \\x escape in regex";
                            return false;
                        }
                        j += 2;
                        cls += '\\';
                        cls += char(v);
                    } else if (n == ']' || n == '\\' || n == '-' || n == '^' || n == '[') {
                        cls += '\\';
                        cls += n;
                    } else {
                        cls += n;  // escaped punctuation is literal in a Lucene class
                    }
                    j += 2;
                    continue;
                }
                if (k == '[' && j + 1 < re.size() && re[j + 1] == ':') {
                    err = "POSIX character classes are not supported in Lucene regexps";
                    return false;
                }
                if (ci && is_alpha(k)) {
                    if (j + 2 < re.size() && re[j + 1] == '-' && is_alpha(re[j + 2]) &&
                        re[j + 2] != ']') {
                        char a = k, b = re[j + 2];
                        cls += a;
                        cls += '-';
                        cls += b;
                        extra += other_case(a);
                        extra += '-';
                        extra += other_case(b);
                        j += 3;
                        continue;
                    }
                    extra += other_case(k);
                }
                if (lucene_special(k)) cls += '\\';
                cls += k;
                ++j;
            }
            if (j >= re.size()) {
                err = "unterminated character class in regex";
                return false;
            }
            cls += extra;
            cls += ']';
            body += cls;
            i = j;
        } else if (c == '(') {
            if (i + 1 < re.size() && re[i + 1] == '?') {
                if (i + 2 < re.size() && re[i + 2] == ':') {
                    body += '(';
                    i += 2;
                    ++depth;
                    continue;
                }
                err = "regex group construct (?...) has no Lucene equivalent";
                return false;
            }
            body += '(';
            ++depth;
        } else if (c == ')') {
            body += ')';
            --depth;
        } else if (c == '|') {
            if (depth == 0) top_alt = true;
            body += '|';
        } else if (c == '*' || c == '+' || c == '?' || c == '}') {
            body += c;
            // lazy quantifier: same whole-term language, drop the `?`
            if (i + 1 < re.size() && re[i + 1] == '?') ++i;
            if (i + 1 < re.size() && re[i + 1] == '+') {
                err = "possessive quantifiers have no Lucene equivalent";
                return false;
            }
        } else if (c == '{') {
            body += c;
        } else if (c == '^' || c == '$') {
            err = "regex anchors inside the pattern have no Lucene equivalent";
            return false;
        } else if (c == '.') {
            body += '.';
        } else {
            emit_char(c);
        }
    }
    if (top_alt && (anchor_start || anchor_end)) {
        err = "regex anchors with top-level alternation have no Lucene equivalent";
        return false;
    }
    out.clear();
    if (!anchor_start) out += ".*";
    if (top_alt)
        out += "(" + body + ")";
    else
        out += body;
    if (!anchor_end) out += ".*";
    return true;
}

// ---------------------------------------------------------------------------
// CIDR expansion
// ---------------------------------------------------------------------------

/* An IPv4 network a.b.c.d/n is the set of addresses whose first n bits match.
 * Whole octets (n multiple of 8) give one textual prefix "a.b."; a partial
 * octet k covers 2^(8 - n%8) consecutive values, each its own prefix
 * "a.b.v." (or the exact address for the last octet). Textual prefixes
 * match dotted-decimal values exactly because each octet ends with a dot.
 * IPv6 text has several spellings (zero compression), so it is not expanded.
 */
bool cidr_to_prefixes(const std::string& cidr, std::vector<std::string>& prefixes,
                      std::string& err) {
    unsigned a[4], n;
    char tail;
    if (std::sscanf(cidr.c_str(), "%u.%u.%u.%u/%u%c", &a[0], &a[1], &a[2], &a[3], &n, &tail) != 5 ||
        n > 32 || a[0] > 255 || a[1] > 255 || a[2] > 255 || a[3] > 255) {
        err = cidr.find(':') != std::string::npos ? "IPv6 CIDR networks"
                                                  : "invalid CIDR network " + cidr;
        return false;
    }
    if (n == 0) {
        err = "CIDR /0";
        return false;
    }
    unsigned full = n / 8, rem = n % 8;
    std::string base;
    for (unsigned k = 0; k < full; ++k) base += std::to_string(a[k]) + ".";
    if (rem == 0) {
        if (full == 4) base.pop_back();
        prefixes.push_back(full == 4 ? base : base);
        if (full == 4) prefixes.back() = "=" + base;  // exact
        return true;
    }
    unsigned mask = 0xFFu << (8 - rem) & 0xFF;
    unsigned lo = a[full] & mask, hi = lo + (1u << (8 - rem)) - 1;
    for (unsigned v = lo; v <= hi; ++v) {
        if (full == 3)
            prefixes.push_back("=" + base + std::to_string(v));
        else
            prefixes.push_back(base + std::to_string(v) + ".");
    }
    return true;
}

// ---------------------------------------------------------------------------
// Target defaults
// ---------------------------------------------------------------------------

std::vector<std::string> Target::format_rule(const ProcessedRule&, std::vector<std::string> queries,
                                             const std::string&) const {
    return queries;
}

std::string Target::finalize_output(const std::vector<std::string_view>& items,
                                    const std::string&) const {
    size_t n = 0;
    for (auto& i : items) n += i.size() + 1;
    std::string out;
    out.reserve(n);
    for (auto& i : items) {
        out += i;
        out += '\n';
    }
    return out;
}

// ---------------------------------------------------------------------------
// TextTarget
// ---------------------------------------------------------------------------

std::string TextTarget::field(const std::string& name) const {
    bool quote = false;
    if (!d.field_quote.empty()) {
        if (!d.field_plain_pattern.empty() && !field_plain_re_)
            field_plain_re_ = std::make_shared<RE2>(d.field_plain_pattern, RE2::Quiet);
        quote = !(field_plain_re_ && RE2::FullMatch(name, *field_plain_re_));
    }
    if (!quote && d.field_escape_chars.empty()) return name;
    std::string f;
    f.reserve(name.size() + 2 * d.field_quote.size() + 4);
    if (quote) f += d.field_quote;
    if (d.field_escape_chars.empty()) {
        f += name;
    } else {
        const CharClass& cc = char_class();
        for (char c : name) {
            if (cc.field[(unsigned char)c]) f += d.field_escape;
            f += c;
        }
    }
    if (quote) f += d.field_quote;
    return f;
}

std::string TextTarget::literal(const std::string& s) const {
    Pattern p{{PatternPart::Lit, s}};
    std::string out;
    ConvertError e;
    value(p, out, e);
    return out;
}

/* Which characters of a literal run value() escapes, as a 256-entry table
 * built once per target from the dialect (a string find per character was
 * a tenth of rendering): bit 1 = escape_char (add_escaped, or the string
 * quote when quoting), bit 2 = a wildcard character of the dialect. */
const TextTarget::CharClass& TextTarget::char_class() const {
    std::call_once(char_class_once_, [&] {  // a Converter may be shared by threads
        auto cc = std::make_shared<CharClass>();
        for (unsigned char c : d.add_escaped) cc->value[c] |= 1;
        if (!d.wildcard_multi.empty()) cc->value[(unsigned char)d.wildcard_multi[0]] |= 2;
        if (!d.wildcard_single.empty()) cc->value[(unsigned char)d.wildcard_single[0]] |= 2;
        for (unsigned char c : d.field_escape_chars) cc->field[c] = 1;
        cc->and_sep = tok(d.and_token);
        cc->or_sep = tok(d.or_token);
        char_class_ = cc;
    });
    return *char_class_;
}

bool TextTarget::value(const Pattern& pat, std::string& out, ConvertError& err) const {
    bool wild = has_wildcards(pat);
    bool quote = d.quote_mode == TextDialect::Quote::Always ||
                 (d.quote_mode == TextDialect::Quote::UnlessWildcard && !wild);
    const CharClass& cc = char_class();
    int quote_char = quote && !d.str_quote.empty() ? (unsigned char)d.str_quote[0] : -1;
    bool escape_wild = wild || d.escape_wildcards_in_exact;
    // written into `out` itself, so a caller that reuses one string for many
    // values (in-lists) allocates once
    std::string& v = out;
    v.clear();
    if (quote) v += d.str_quote;
    for (auto& part : pat) {
        if (part.kind == PatternPart::Any) {
            if (d.wildcard_multi.empty()) {
                err = unsupported(name(), "wildcard '*'");
                return false;
            }
            v += d.wildcard_multi;
        } else if (part.kind == PatternPart::One) {
            if (d.wildcard_single.empty()) {
                err = unsupported(name(), "single-character wildcard '?'");
                return false;
            }
            v += d.wildcard_single;
        } else {
            const std::string& t = part.text;
            v.reserve(v.size() + t.size() + 8);
            size_t run = 0;  // start of the pending run of unescaped characters
            for (size_t i = 0; i < t.size(); ++i) {
                unsigned char c = (unsigned char)t[i];
                uint8_t k = cc.value[c];
                if (!k && c != quote_char) continue;
                const std::string* esc = nullptr;
                if ((k & 1) || c == quote_char)
                    esc = &d.escape_char;
                else if (escape_wild)
                    esc = &d.wildcard_escape;
                if (!esc) continue;
                v.append(t, run, i - run);
                v += *esc;
                run = i;
            }
            v.append(t, run, t.size() - run);
        }
    }
    if (quote) v += d.str_quote;
    return true;
}

std::string TextTarget::escape_regex(const std::string& re) const {
    std::string o;
    for (char c : re) {
        if (d.re_escape_escape_char && !d.re_escape_char.empty() && c == d.re_escape_char[0])
            o += d.re_escape_char;
        else if (d.re_escape_chars.find(c) != std::string::npos)
            o += d.re_escape_char;
        o += c;
    }
    return o;
}

std::string TextTarget::number(const Value& v) const {
    std::string t = v.text();
    return d.quote_numbers ? d.str_quote + t + d.str_quote : t;
}

bool TextTarget::regex_text(const Pred& p, std::string& out, ConvertError& err,
                            bool& ci_flag) const {
    ci_flag = false;
    uint8_t flags = p.re_flags;
    bool use_ci_expr = (flags & ReIgnoreCase) && !d.re_ci_expression.empty();
    if (use_ci_expr) {
        ci_flag = true;
        flags &= ~ReIgnoreCase;
    }
    if (d.re_flavor == TextDialect::ReFlavor::Lucene) {
        std::string why;
        if (flags & ReMultiLine) {
            // multi-line only changes anchors; fine without them
            if (p.value.s.find_first_of("^$") != std::string::npos) {
                err = unsupported(name(), "regex flag m (multi-line anchors)");
                return false;
            }
        }
        if (!regex_to_lucene(p.value.s, flags, out, why)) {
            err = {"convert.unsupported.regex", why + " (" + name() + ")"};
            return false;
        }
        return true;
    }
    std::string prefix;
    if (flags) {
        if (!d.re_flag_prefix) {
            err = unsupported(name(), "regex flags");
            return false;
        }
        prefix = "(?";
        if (flags & ReIgnoreCase) prefix += 'i';
        if (flags & ReMultiLine) prefix += 'm';
        if (flags & ReDotAll) prefix += 's';
        prefix += ')';
    }
    out = prefix + p.value.s;
    return true;
}

bool TextTarget::render_regex(const Pred& p, bool negated, std::string& out,
                              ConvertError& err) const {
    if (d.re_expression.empty()) {
        err = d.deferred_re_expression.empty()
                  ? unsupported(name(), "regular expressions")
                  : unsupported(name(), "a regular expression inside an OR or NOT group");
        return false;
    }
    std::string re;
    bool ci = false;
    if (!regex_text(p, re, err, ci)) return false;
    const std::string& tpl = ci ? d.re_ci_expression : d.re_expression;
    out = fill(tpl, {{"field", field(p.field)}, {"regex", escape_regex(re)}});
    return true;
}

bool TextTarget::render_string(const Pred& p, std::string& out, ConvertError& err) const {
    Pattern pat = pattern_of(p);
    const std::string& fname = p.field;
    bool lower = false;
    bool cs = false;  // use cs_* templates
    if (!p.cased) {
        if (!d.plain_is_case_insensitive) {
            if (d.ci_field_wrap.empty()) {
                err = unsupported(name(), "case-insensitive string matching");
                return false;
            }
            lower = true;
        }
    } else if (d.plain_is_case_insensitive) {
        cs = true;
    }
    if (lower || d.lowercase_values)
        for (auto& part : pat)
            for (auto& ch : part.text) ch = char(std::tolower((unsigned char)ch));
    std::string lit;
    Shape sh = shape_of(pat, lit);
    bool wild = has_wildcards(pat);
    std::string fexpr =
        field(wild && !d.wildcard_field_suffix.empty() ? fname + d.wildcard_field_suffix : fname);
    if (lower) fexpr = fill(d.ci_field_wrap, {{"field", fexpr}});

    auto pick = [&](const std::string& plain, const std::string& cased) -> const std::string& {
        return cs ? cased : plain;
    };
    const std::string* tpl = nullptr;
    bool literal_arg = false;
    switch (sh) {
        case Shape::Exact:
            tpl = &pick(d.eq_expression, d.cs_eq_expression);
            break;
        case Shape::Prefix:
            tpl = &pick(d.startswith_expression, d.cs_startswith_expression);
            literal_arg = true;
            break;
        case Shape::Suffix:
            tpl = &pick(d.endswith_expression, d.cs_endswith_expression);
            literal_arg = true;
            break;
        case Shape::Contains:
            tpl = &pick(d.contains_expression, d.cs_contains_expression);
            literal_arg = true;
            break;
        case Shape::Glob:
            break;
    }
    if (!tpl || tpl->empty()) {
        // generic wildcard form
        literal_arg = false;
        if (!wild)
            tpl = &pick(d.eq_expression, d.cs_eq_expression);
        else
            tpl = &pick(d.wildcard_expression.empty() ? d.eq_expression : d.wildcard_expression,
                        d.cs_wildcard_expression);
    } else if (!d.string_ops_take_literal) {
        literal_arg = false;
    }
    if (tpl->empty()) {
        err = unsupported(name(), "case-sensitive matching (cased)");
        return false;
    }
    std::string v;
    if (literal_arg) {
        v = literal(lit);
    } else if (!value(pat, v, err)) {
        return false;
    }
    out = fill(*tpl, {{"field", fexpr}, {"value", v}});
    return true;
}

bool TextTarget::render_keyword(const Pred& p, std::string& out, ConvertError& err) const {
    if (p.op == Op::Regex) {
        if (d.kw_re_expression.empty()) {
            err = unsupported(name(), "keyword regular expressions");
            return false;
        }
        std::string re;
        bool ci;
        if (!regex_text(p, re, err, ci)) return false;
        out = fill(d.kw_re_expression, {{"regex", escape_regex(re)}});
        return true;
    }
    if (p.value.is_number() && p.op == Op::Eq) {
        if (d.kw_num_expression.empty()) {
            err = unsupported(name(), "keyword search");
            return false;
        }
        out = fill(d.kw_num_expression, {{"value", p.value.text()}});
        return true;
    }
    bool stringy = p.value.kind == ValueKind::String || p.value.is_number();
    if (!stringy || (p.op != Op::Eq && p.op != Op::Contains && p.op != Op::StartsWith &&
                     p.op != Op::EndsWith && p.op != Op::Glob)) {
        err = unsupported(name(), std::string("keyword ") + op_name(p.op) + " search");
        return false;
    }
    if (d.kw_str_expression.empty()) {
        err = unsupported(name(), "keyword search (a predicate without a field)");
        return false;
    }
    if (p.cased && d.plain_is_case_insensitive) {
        err = unsupported(name(), "case-sensitive keyword search");
        return false;
    }
    Pattern pat = pattern_of(p);
    if (d.kw_substring_wildcards) {
        if (pat.empty() || pat.front().kind != PatternPart::Any)
            pat.insert(pat.begin(), {PatternPart::Any, {}});
        if (pat.back().kind != PatternPart::Any) pat.push_back({PatternPart::Any, {}});
    }
    std::string v;
    if (!value(pat, v, err)) return false;
    out = fill(d.kw_str_expression, {{"value", v}});
    return true;
}

bool TextTarget::render_pred(const Pred& p, bool negated, Ctx& c, std::string& out,
                             ConvertError& err) const {
    if (c.pr) {
        auto it = c.pr->query_expressions.find(&p);
        if (it != c.pr->query_expressions.end()) {
            out = fill(it->second, {{"field", field(p.field)}});
            return true;
        }
    }
    if (p.placeholders) {
        err = {"convert.placeholder.unresolved",
               "unresolved placeholder in value '" + p.value.text() +
                   "' (add a value_placeholders or wildcard_placeholders pipeline)"};
        return false;
    }
    if (p.time_part != TimePart::None) {
        err = unsupported(name(),
                          std::string("timestamp part modifier ") + time_part_name(p.time_part));
        return false;
    }
    if (p.is_keyword()) return render_keyword(p, out, err);
    switch (p.op) {  // string operators render their own field expression
        case Op::Eq:
            if (p.value.kind == ValueKind::String) return render_string(p, out, err);
            break;
        case Op::Contains:
        case Op::StartsWith:
        case Op::EndsWith:
        case Op::Glob:
            return render_string(p, out, err);
        default:
            break;
    }
    std::string f = field(p.field);
    switch (p.op) {
        case Op::Eq:
            switch (p.value.kind) {
                case ValueKind::String:
                    return render_string(p, out, err);
                case ValueKind::Int:
                case ValueKind::Float:
                    out = fill(d.num_eq_expression, {{"field", f}, {"value", number(p.value)}});
                    return true;
                case ValueKind::Bool:
                    if (!d.bool_supported) {
                        err = unsupported(name(), "boolean values");
                        return false;
                    }
                    out = fill(
                        d.bool_eq_expression.empty() ? d.num_eq_expression : d.bool_eq_expression,
                        {{"field", f}, {"value", p.value.b ? d.bool_true : d.bool_false}});
                    return true;
                case ValueKind::Null:
                    if (d.null_expression.empty()) {
                        err = unsupported(name(), "null checks");
                        return false;
                    }
                    out = fill(d.null_expression, {{"field", f}});
                    return true;
            }
            return false;
        case Op::Contains:
        case Op::StartsWith:
        case Op::EndsWith:
        case Op::Glob:
            return render_string(p, out, err);
        case Op::Regex:
            return render_regex(p, negated, out, err);
        case Op::Cidr: {
            if (!d.cidr_expression.empty()) {
                out = fill(d.cidr_expression, {{"field", p.field}, {"value", p.value.s}});
                return true;
            }
            std::vector<std::string> prefixes;
            std::string why;
            if (!cidr_to_prefixes(p.value.s, prefixes, why)) {
                err = unsupported(name(), why);
                return false;
            }
            std::vector<ExprPtr> kids;
            for (auto& pf : prefixes) {
                Pred q;
                q.field = p.field;
                if (pf[0] == '=') {
                    q.op = Op::Eq;
                    q.value = Value::string(pf.substr(1));
                } else {
                    q.op = Op::StartsWith;
                    q.value = Value::string(pf);
                }
                kids.push_back(Expr::make_pred(std::move(q)));
            }
            Ctx c2;
            return render(Expr::make_or(std::move(kids)), c2, out, err, negated ? 3 : 2);
        }
        case Op::Exists: {
            bool want = p.value.kind == ValueKind::Bool ? p.value.b : true;
            if (d.exists_expression.empty()) {
                err = unsupported(name(), "field existence checks");
                return false;
            }
            if (want) {
                out = fill(d.exists_expression, {{"field", f}});
            } else if (!d.not_exists_expression.empty()) {
                out = fill(d.not_exists_expression, {{"field", f}});
            } else {
                out = d.not_token + d.not_separator + fill(d.exists_expression, {{"field", f}});
            }
            return true;
        }
        case Op::Lt:
        case Op::Lte:
        case Op::Gt:
        case Op::Gte: {
            if (!p.value.is_number()) {
                err = {"convert.compare.not_number", "comparison with a non-numeric value"};
                return false;
            }
            if (d.compare_expression.empty()) {
                err = unsupported(name(), "numeric comparisons");
                return false;
            }
            const std::string& o = p.op == Op::Lt    ? d.lt
                                   : p.op == Op::Lte ? d.lte
                                   : p.op == Op::Gt  ? d.gt
                                                     : d.gte;
            out = fill(d.compare_expression, {{"field", f}, {"op", o}, {"value", p.value.text()}});
            return true;
        }
        case Op::FieldRef:
        case Op::FieldRefContains:
        case Op::FieldRefStartsWith:
        case Op::FieldRefEndsWith: {
            const std::string& tpl = p.op == Op::FieldRef           ? d.fieldref_expression
                                     : p.op == Op::FieldRefContains ? d.fieldref_contains_expression
                                     : p.op == Op::FieldRefStartsWith
                                         ? d.fieldref_startswith_expression
                                         : d.fieldref_endswith_expression;
            if (tpl.empty()) {
                err = unsupported(name(), std::string("field references (") + op_name(p.op) + ")");
                return false;
            }
            if (p.cased) {  // `fieldref|cased`: the plain templates ignore case
                const std::string& cs =
                    p.op == Op::FieldRef             ? d.cs_fieldref_expression
                    : p.op == Op::FieldRefContains   ? d.cs_fieldref_contains_expression
                    : p.op == Op::FieldRefStartsWith ? d.cs_fieldref_startswith_expression
                                                     : d.cs_fieldref_endswith_expression;
                if (cs.empty()) {
                    err = unsupported(name(), std::string("case-sensitive field references (") +
                                                  op_name(p.op) + " cased)");
                    return false;
                }
                out = fill(cs, {{"field1", f}, {"field2", field(p.value.s)}});
                return true;
            }
            out = fill(tpl, {{"field1", f}, {"field2", field(p.value.s)}});
            return true;
        }
    }
    err = unsupported(name(), op_name(p.op));
    return false;
}

/* In-lists: an OR whose children are all string/number equality-like
 * predicates on one field (same case sensitivity, no placeholders, no raw
 * query expressions) becomes `field IN (a, b, c)` when the dialect has an
 * in_expression. Wildcard values only when in_allow_wildcards; under
 * Quote::UnlessWildcard the list must be all-wildcard or all-plain so one
 * field suffix and quoting rule covers it.
 */
bool TextTarget::render_in_list(const ExprPtr& e, Ctx& c, std::string& out) const {
    if (d.in_expression.empty() || e->kids.size() < 2) return false;
    // Structural checks first, so an OR that is no list (the common case)
    // costs no value rendering.
    for (auto& k : e->kids) {
        if (k->kind != ExprKind::Pred) return false;
        const Pred& p = *k->pred;
        const Pred& p0 = *e->kids[0]->pred;
        if (p.is_keyword() || p.field != p0.field || p.cased != p0.cased) return false;
        if (p.value.is_number() ? (p.op != Op::Eq || !d.in_allow_numbers)
                                : p.value.kind != ValueKind::String)
            return false;
        // string operators always make a wildcard pattern (pattern_of)
        if (!d.in_allow_wildcards && !p.value.is_number() &&
            (p.op == Op::Contains || p.op == Op::StartsWith || p.op == Op::EndsWith))
            return false;
    }
    // the structural checks made the case sensitivity of every item the first's
    const std::string& tpl = e->kids[0]->pred->cased && d.plain_is_case_insensitive
                                 ? d.cs_in_expression
                                 : d.in_expression;
    if (tpl.empty()) return false;
    const Pred* first = nullptr;
    int wild_count = 0, count = 0;
    std::string list;  // the items, rendered straight into the list text
    std::string v;
    Pattern pat;  // reused: equality items refill its one literal part in place
    bool cased = false;
    for (auto& k : e->kids) {
        if (k->kind != ExprKind::Pred) return false;
        const Pred& p = *k->pred;
        if (p.is_keyword() || p.placeholders || p.time_part != TimePart::None) return false;
        if (c.pr && c.pr->query_expressions.count(&p)) return false;
        if (!first) {
            first = &p;
            cased = p.cased;
        } else if (p.field != first->field || p.cased != cased) {
            return false;
        }
        bool num = p.value.is_number();
        if (num) {
            if (p.op != Op::Eq || !d.in_allow_numbers) return false;
            if (count++) list += d.list_separator;
            list += number(p.value);
            continue;
        }
        if (p.value.kind != ValueKind::String) return false;
        if (p.op != Op::Eq && p.op != Op::Glob && p.op != Op::Contains && p.op != Op::StartsWith &&
            p.op != Op::EndsWith)
            return false;
        if (p.op == Op::Eq) {  // what pattern_of gives, without new allocations
            pat.resize(1);
            pat[0].kind = PatternPart::Lit;
            pat[0].text.assign(p.value.s);
        } else {
            pat = pattern_of(p);
        }
        bool wild = has_wildcards(pat);
        if (wild && !d.in_allow_wildcards) return false;
        wild_count += wild;
        bool lower = !p.cased && !d.plain_is_case_insensitive;
        if (lower && d.ci_field_wrap.empty()) return false;
        if (lower || d.lowercase_values)
            for (auto& part : pat)
                for (auto& ch : part.text) ch = char(std::tolower((unsigned char)ch));
        ConvertError err;
        if (!value(pat, v, err)) return false;
        if (count++) list += d.list_separator;
        list += v;
    }
    if (d.quote_mode == TextDialect::Quote::UnlessWildcard && wild_count && wild_count != count)
        return false;
    std::string fexpr = field(wild_count ? first->field + d.wildcard_field_suffix : first->field);
    if (!first->cased && !d.plain_is_case_insensitive)
        fexpr = fill(d.ci_field_wrap, {{"field", fexpr}});
    out = fill(tpl, {{"field", fexpr}, {"list", list}});
    return true;
}

bool TextTarget::render(const ExprPtr& e, Ctx& c, std::string& out, ConvertError& err,
                        int parent_prec) const {
    switch (e->kind) {
        case ExprKind::True:
        case ExprKind::False:
            err = {"convert.constant", std::string("the condition is always ") +
                                           (e->kind == ExprKind::True ? "true" : "false")};
            return false;
        case ExprKind::Pred:
            return render_pred(*e->pred, parent_prec == 3, c, out, err);
        case ExprKind::Not: {
            std::string inner;
            if (!render(e->kids[0], c, inner, err, d.not_operand.empty() ? 3 : 0)) return false;
            if (!d.not_operand.empty()) inner = fill(d.not_operand, {{"expr", inner}});
            out = d.not_token + d.not_separator + inner;
            if (d.parenthesize && parent_prec > 0) out = group(out);
            return true;
        }
        case ExprKind::And:
        case ExprKind::Or: {
            int prec = (e->kind == ExprKind::And) != d.or_binds_tighter ? 2 : 1;
            std::string s;
            if (e->kind == ExprKind::Or && render_in_list(e, c, s)) {
                if (d.parenthesize && parent_prec > 0)
                    out = group(s);
                else
                    out = std::move(s);
                return true;
            }
            if (d.chunk_operands && e->kids.size() > d.chunk_operands) {
                std::vector<ExprPtr> groups;
                for (size_t i = 0; i < e->kids.size(); i += d.chunk_operands) {
                    std::vector<ExprPtr> part(
                        e->kids.begin() + i,
                        e->kids.begin() + std::min(e->kids.size(), i + d.chunk_operands));
                    groups.push_back(e->kind == ExprKind::And ? Expr::make_and(std::move(part))
                                                              : Expr::make_or(std::move(part)));
                }
                // the chunks render as groups: one level deeper than the operator
                std::string s2;
                const std::string& t2 = e->kind == ExprKind::And ? d.and_token : d.or_token;
                for (size_t i = 0; i < groups.size(); ++i) {
                    std::string k;
                    if (!render(groups[i], c, k, err, 3)) return false;
                    if (i) s2 += tok(t2);
                    s2 += k;
                }
                out = parent_prec > 0 ? group(s2) : s2;
                return true;
            }
            const std::string& t = e->kind == ExprKind::And ? d.and_token : d.or_token;
            const CharClass& cc = char_class();  // separators built once per target
            const std::string& sep = t.empty()                  ? d.token_separator
                                     : e->kind == ExprKind::And ? cc.and_sep
                                                                : cc.or_sep;
            std::string k;
            for (size_t i = 0; i < e->kids.size(); ++i) {
                k.clear();
                if (!render(e->kids[i], c, k, err, prec)) return false;
                if (i) s += sep;
                s += k;
            }
            bool need = prec < parent_prec || (d.parenthesize && parent_prec > 0);
            if (need)
                out = group(s);
            else
                out = std::move(s);
            return true;
        }
    }
    return false;
}

std::string TextTarget::frame(const ProcessedRule& pr, const std::string& query,
                              const std::vector<std::string>& deferred) const {
    if (deferred.empty() && d.query_expression == "{query}") return query;
    std::string q = query;
    for (auto& x : deferred) q += x;
    return fill(
        d.query_expression,
        {{"query", q}, {"table", option("table", "eventlog")}, {"index", option("index", "*")}});
}

// Drops True children of And and False children of Or that pipelines leave
// behind (dropped detection items), so they never reach the renderer.
static ExprPtr fold_constants(const ExprPtr& e) {
    if (e->kind == ExprKind::Not) {
        ExprPtr k = fold_constants(e->kids[0]);
        if (k->kind == ExprKind::True) return Expr::make_false();
        if (k->kind == ExprKind::False) return Expr::make_true();
        return k == e->kids[0] ? e : Expr::make_not(k);
    }
    if (e->kind != ExprKind::And && e->kind != ExprKind::Or) return e;
    bool is_and = e->kind == ExprKind::And;
    std::vector<ExprPtr> kids;  // filled from the first change on
    bool changed = false;
    for (size_t i = 0; i < e->kids.size(); ++i) {
        const ExprPtr& k = e->kids[i];
        ExprPtr f = fold_constants(k);
        bool constant = f->kind == ExprKind::True || f->kind == ExprKind::False;
        if (constant && (f->kind == ExprKind::True) != is_and) return f;
        if (!changed && (f != k || constant)) {
            changed = true;
            kids.assign(e->kids.begin(), e->kids.begin() + i);
        }
        if (changed && !constant) kids.push_back(std::move(f));
    }
    if (!changed) return e;
    if (kids.empty()) return is_and ? Expr::make_true() : Expr::make_false();
    return is_and ? Expr::make_and(std::move(kids)) : Expr::make_or(std::move(kids));
}

TargetOutput TextTarget::convert(const ProcessedRule& pr) const {
    TargetOutput o;
    for (auto& cond0 : pr.rule.conditions) {
        ExprPtr cond = fold_constants(cond0);
        Ctx c;
        c.pr = &pr;
        std::vector<ExprPtr> main;
        // Deferred regexes (e.g. Splunk `| regex`) for top-level conjuncts.
        if (!d.deferred_re_expression.empty()) {
            std::vector<ExprPtr> conj;
            if (cond->kind == ExprKind::And)
                conj = cond->kids;
            else
                conj.push_back(cond);
            for (auto& k : conj) {
                bool neg = k->kind == ExprKind::Not;
                const ExprPtr& inner = neg ? k->kids[0] : k;
                if (inner->kind == ExprKind::Pred && inner->pred->op == Op::Regex &&
                    !inner->pred->is_keyword() && !inner->pred->placeholders) {
                    std::string re;
                    bool ci;
                    ConvertError err;
                    if (!regex_text(*inner->pred, re, err, ci)) {
                        o.error = err;
                        return o;
                    }
                    c.deferred.push_back(
                        fill(neg ? d.deferred_not_re_expression : d.deferred_re_expression,
                             {{"field", field(inner->pred->field)}, {"regex", escape_regex(re)}}));
                } else {
                    main.push_back(k);
                }
            }
        } else {
            main.push_back(cond);
        }
        std::string q;
        if (main.empty()) {
            q = "*";
        } else {
            ConvertError err;
            if (!render(main.size() == 1 ? main[0] : Expr::make_and(main), c, q, err, 0)) {
                o.error = err;
                return o;
            }
        }
        o.queries.push_back(frame(pr, q, c.deferred));
    }
    return o;
}

}  // namespace sigil
