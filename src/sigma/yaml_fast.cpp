// sigma/yaml_fast.cpp — a fast path for the block-style YAML that rule files
// are written in. It builds the same YamlNode tree as the libfyaml path and
// gives up (returns false) on anything outside its subset, so the caller
// falls back to libfyaml, which also produces every diagnostic.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "sigil/yaml.h"

namespace sigil {

void yaml_resolve_plain(YamlNode& n);  // yaml.cpp: YAML 1.1 typing of plain scalars

namespace {

/* The subset and why it is enough.
 *
 * SigmaHQ rules (and most pipeline files) use: block mappings and sequences,
 * compact mappings inside sequence items ("- key: value"), plain, single- and
 * double-quoted scalars on one line, literal and folded block scalars ("|",
 * ">", with chomping), one-line flow sequences of scalars, "{}"/"[]", comments
 * and "---" separators. That covers all 3,780 files of the corpus. Anything
 * else — anchors, aliases, tags, directives, multi-line plain or quoted
 * scalars, complex keys, tabs in indentation, nested flow, duplicate keys,
 * syntax errors — makes the parser bail out, and libfyaml handles the file.
 * A test compares both paths on every corpus file.
 *
 * The parser works line by line over a pre-split array of lines; each block
 * knows its indentation, so there is no backtracking and the cost is linear.
 */
struct Line {
    const char* p;  // start of content (after indentation)
    size_t len;     // content length without trailing spaces / CR
    uint32_t indent;
    uint32_t no;               // 1-based line number
    bool trailing_ws = false;  // spaces or tabs were cut from the end
};

// A line left out of `lines` that a block scalar would keep as content: a
// comment line or a line of white space only.
struct SkippedLine {
    uint32_t no;
    uint32_t indent;  // columns of leading spaces
    bool comment;
};

struct Fast {
    std::vector<Line> lines;
    std::vector<SkippedLine> skipped;  // by line number
    size_t i = 0;
    size_t end = 0;  // one past the last line of the current document
    size_t nodes = 0;
    size_t depth = 0;
    const YamlLimits& limits;

    explicit Fast(const YamlLimits& l) : limits(l) {}

    bool more() const { return i < end; }

    // Columns count characters, as libfyaml's do (found by fuzz/yaml_diff):
    // the code points in the first n bytes of p.
    static uint32_t chars(const char* p, size_t n) {
        uint32_t c = 0;
        for (size_t k = 0; k < n; ++k) c += ((unsigned char)p[k] & 0xC0) != 0x80;
        return c;
    }

    static bool is_indicator(char c) { return std::strchr("[]{}#&*!|>'\"%@`,?:-", c) != nullptr; }

    // Strips a trailing " # comment" from a plain run; returns the new length.
    static size_t strip_comment(const char* p, size_t n) {
        for (size_t k = 0; k < n; ++k)
            if (p[k] == '#' && (k == 0 || p[k - 1] == ' ' || p[k - 1] == '\t')) {
                n = k;
                break;
            }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) --n;
        return n;
    }

    // A plain scalar from [p, p+n); false when it is outside the subset.
    bool plain(const char* p, size_t n, uint32_t line, uint32_t col, YamlNode& out) {
        n = strip_comment(p, n);
        if (n == 0) {
            out = YamlNode{};
            out.line = line;
            out.col = col;
            out.type = YamlNode::Type::Null;
            return true;
        }
        char c = p[0];
        if (is_indicator(c)) {
            // '-', '?', ':' may start a plain scalar when followed by a non-space
            if (!((c == '-' || c == '?' || c == ':') && n > 1 && p[1] != ' ' && p[1] != '\t'))
                return false;
        }
        for (size_t k = 0; k + 1 < n; ++k)
            // "a: b" inside a value
            if (p[k] == ':' && (p[k + 1] == ' ' || p[k + 1] == '\t')) return false;
        if (p[n - 1] == ':') return false;
        out = YamlNode{};
        out.text.assign(p, n);
        out.line = line;
        out.col = col;
        yaml_resolve_plain(out);
        return true;
    }

    // A quoted scalar starting at p[0] (a quote); sets `used` to its length.
    static bool quoted(const char* p, size_t n, size_t& used, std::string& out) {
        char q = p[0];
        out.clear();
        size_t k = 1;
        // Text between quotes and escapes is appended a run at a time.
        if (q == '\'') {
            while (k < n) {
                const char* e = static_cast<const char*>(std::memchr(p + k, '\'', n - k));
                if (!e) return false;  // multi-line: fall back
                size_t at = size_t(e - p);
                out.append(p + k, at - k);
                if (at + 1 < n && p[at + 1] == '\'') {
                    out += '\'';
                    k = at + 2;
                    continue;
                }
                used = at + 1;
                return true;
            }
            return false;
        }
        for (; k < n; ++k) {
            size_t run = k;
            while (run < n && p[run] != '"' && p[run] != '\\') ++run;
            if (run > k) {
                out.append(p + k, run - k);
                k = run;
                if (k >= n) break;
            }
            char c = p[k];
            if (c == '"') {
                used = k + 1;
                return true;
            }
            if (++k >= n) return false;
            auto hex = [&](int digits) -> bool {
                if (k + size_t(digits) >= n + 0 && k + digits > n - 1) return false;
                uint32_t v = 0;
                for (int d = 1; d <= digits; ++d) {
                    char h = p[k + d];
                    v <<= 4;
                    if (h >= '0' && h <= '9')
                        v |= uint32_t(h - '0');
                    else if (h >= 'a' && h <= 'f')
                        v |= uint32_t(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F')
                        v |= uint32_t(h - 'A' + 10);
                    else
                        return false;
                }
                k += size_t(digits);
                if (v >= 0xD800 && v <= 0xDFFF) return false;
                if (v < 0x80)
                    out += char(v);
                else if (v < 0x800) {
                    out += char(0xC0 | (v >> 6));
                    out += char(0x80 | (v & 0x3F));
                } else if (v < 0x10000) {
                    out += char(0xE0 | (v >> 12));
                    out += char(0x80 | ((v >> 6) & 0x3F));
                    out += char(0x80 | (v & 0x3F));
                } else if (v < 0x110000) {
                    out += char(0xF0 | (v >> 18));
                    out += char(0x80 | ((v >> 12) & 0x3F));
                    out += char(0x80 | ((v >> 6) & 0x3F));
                    out += char(0x80 | (v & 0x3F));
                } else
                    return false;
                return true;
            };
            switch (p[k]) {
                case '0':
                    out += '\0';
                    break;
                case 'a':
                    out += '\a';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'v':
                    out += '\v';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'e':
                    out += '\x1b';
                    break;
                case ' ':
                    out += ' ';
                    break;
                case '"':
                    out += '"';
                    break;
                case '/':
                    out += '/';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case 'x':
                    if (!hex(2)) return false;
                    break;
                case 'u':
                    if (!hex(4)) return false;
                    break;
                case 'U':
                    if (!hex(8)) return false;
                    break;
                default:
                    return false;
            }
        }
        return false;
    }

    // An inline value (after "key: " or "- "): scalar, quoted, [] flow list or {}.
    bool inline_value(const char* p, size_t n, uint32_t line, uint32_t col, YamlNode& out) {
        if (++nodes > limits.max_nodes) return false;
        if (n && (p[0] == '\'' || p[0] == '"')) {
            size_t used = 0;
            out = YamlNode{};
            if (!quoted(p, n, used, out.text)) return false;
            // a comment needs white space before it (fuzz/yaml_diff)
            if (used < n && p[used] != ' ' && p[used] != '\t') return false;
            if (strip_comment(p + used, n - used) != 0) return false;
            out.type = YamlNode::Type::Str;
            out.quoted = true;
            out.line = line;
            out.col = col + 1;  // libfyaml marks quoted scalars after the quote
            return true;
        }
        if (n && p[0] == '{') {
            size_t m = strip_comment(p, n);
            size_t k = 1;
            while (k < m && (p[k] == ' ' || p[k] == '\t')) ++k;
            if (k + 1 != m || p[k] != '}') return false;
            out = YamlNode{};
            out.kind = YamlNode::Kind::Map;
            out.line = line;
            out.col = col;
            return true;
        }
        if (n && p[0] == '[') return flow_seq(p, n, line, col, out);
        return plain(p, n, line, col, out);
    }

    bool flow_seq(const char* p, size_t n, uint32_t line, uint32_t col, YamlNode& out) {
        out = YamlNode{};
        out.kind = YamlNode::Kind::Seq;
        out.line = line;
        out.col = col;
        size_t k = 1;
        for (;;) {
            while (k < n && (p[k] == ' ' || p[k] == '\t')) ++k;
            if (k >= n) return false;
            if (p[k] == ']') {
                ++k;
                break;
            }
            YamlNode item;
            uint32_t icol = col + chars(p, k);
            if (p[k] == '\'' || p[k] == '"') {
                size_t used = 0;
                if (!quoted(p + k, n - k, used, item.text)) return false;
                item.type = YamlNode::Type::Str;
                item.quoted = true;
                item.line = line;
                item.col = icol + 1;
                k += used;
            } else {
                size_t b = k;
                while (k < n && p[k] != ',' && p[k] != ']') {
                    // flow indicators inside a plain item, "}" too (fuzz/yaml_diff)
                    if (p[k] == '[' || p[k] == '{' || p[k] == '}' || p[k] == '#' || p[k] == '"' ||
                        p[k] == '\'')
                        return false;
                    ++k;
                }
                size_t e = k;
                while (e > b && (p[e - 1] == ' ' || p[e - 1] == '\t')) --e;
                if (e == b || p[e - 1] == ':') return false;  // "[a:]" is a flow mapping
                if (!plain(p + b, e - b, line, icol, item)) return false;
            }
            if (++nodes > limits.max_nodes) return false;
            out.items.push_back(std::move(item));
            while (k < n && (p[k] == ' ' || p[k] == '\t')) ++k;
            if (k < n && p[k] == ',') {
                ++k;
                continue;
            }
            if (k < n && p[k] == ']') {
                ++k;
                break;
            }
            return false;
        }
        if (k < n && p[k] != ' ' && p[k] != '\t') return false;  // "[a]#": no comment
        return strip_comment(p + k, n - k) == 0;
    }

    // "|" / ">" block scalar whose header is at [p, p+n); content lines follow
    // with indentation greater than `parent`.
    bool block_scalar(const char* p, size_t n, uint32_t parent, uint32_t line, uint32_t col,
                      YamlNode& out) {
        bool folded = p[0] == '>';
        char chomp = 'c';
        size_t k = 1;
        if (k < n && (p[k] == '-' || p[k] == '+')) chomp = p[k++];
        if (k < n && std::isdigit((unsigned char)p[k])) return false;  // explicit indent
        if (k < n && p[k] != ' ' && p[k] != '\t') return false;  // "|#": an error (fuzz/yaml_diff)
        if (strip_comment(p + k, n - k) != 0) return false;
        out = YamlNode{};
        out.type = YamlNode::Type::Str;
        out.quoted = true;
        out.line = line;
        out.col = col;
        // Collect raw lines (including blank ones) until a non-blank line at
        // indentation <= parent. Blank lines are not in `lines` (they were
        // skipped), so recover them from line numbers.
        std::vector<const Line*> body;
        while (more() && lines[i].indent > parent) body.push_back(&lines[i++]);
        // An empty block scalar: libfyaml's location for it depends on what
        // follows (found by fuzz/yaml_diff); rare, so libfyaml does it.
        if (body.empty()) return false;
        // What the line list does not show, found by fuzz/yaml_diff: trailing
        // white space, leading empty lines, and comment or white-space lines
        // among the content (all of them content for libfyaml). Rare in
        // rules, so libfyaml does those.
        if (body[0]->no != line + 1) return false;
        uint32_t last = body.back()->no, next = more() ? lines[i].no : UINT32_MAX;
        for (const Line* l : body)
            if (l->trailing_ws) return false;
        for (auto it = std::upper_bound(skipped.begin(), skipped.end(), line,
                                        [](uint32_t n, const SkippedLine&s) { return n < s.no; });
             it != skipped.end() && it->no < next; ++it)
            if (it->no < last || it->indent > parent) return false;
        uint32_t ind = body[0]->indent;
        out.line = body[0]->no;  // as libfyaml marks block scalars: where the text starts
        out.col = 1;
        std::string text;
        uint32_t prev_no = body[0]->no;
        bool first = true;
        for (const Line* l : body) {
            if (l->indent < ind) return false;
            uint32_t blanks = first ? 0 : l->no - prev_no - 1;
            std::string content(l->p - (l->indent - ind), l->len + (l->indent - ind));
            if (folded) {
                if (l->indent > ind) return false;  // more-indented folded lines: fall back
                if (!first) text += blanks ? std::string(blanks, '\n') : std::string(" ");
            } else {
                if (!first) text += std::string(blanks + 1, '\n');
            }
            text += content;
            prev_no = l->no;
            first = false;
        }
        // trailing blank lines between the last content line and the next
        // content line count for "keep" chomping only
        if (chomp == 'c')
            text += '\n';
        else if (chomp == '+')
            return false;
        out.text = std::move(text);
        return true;
    }

    bool block(uint32_t indent, YamlNode& out);

    // A mapping whose keys sit at `indent`, starting at lines[i] (col offset
    // `first_col` for a compact mapping that starts after "- ").
    bool mapping(uint32_t indent, YamlNode& out, const Line* first_line, const char* fp,
                 size_t fn) {
        out = YamlNode{};
        out.kind = YamlNode::Kind::Map;
        bool first = true;
        for (;;) {
            const char* p;
            size_t n;
            uint32_t lno;
            if (first && first_line) {
                p = fp;
                n = fn;
                lno = first_line->no;
            } else {
                if (!more() || lines[i].indent != indent) break;
                if (lines[i].len >= 2 && lines[i].p[0] == '-' && lines[i].p[1] == ' ') break;
                if (lines[i].len == 1 && lines[i].p[0] == '-') break;
                p = lines[i].p;
                n = lines[i].len;
                lno = lines[i].no;
                ++i;
            }
            if (first) {
                out.line = lno;
                out.col = indent + 1;
            }
            first = false;
            // key
            YamlNode key;
            key.line = lno;
            key.col = indent + 1;
            size_t k;
            if (n && (p[0] == '\'' || p[0] == '"')) {
                size_t used = 0;
                if (!quoted(p, n, used, key.text)) return false;
                key.type = YamlNode::Type::Str;
                key.quoted = true;
                key.col = indent + 2;
                k = used;
                if (k >= n || p[k] != ':' || (k + 1 < n && p[k + 1] != ' ')) return false;
            } else {
                if (!n || (is_indicator(p[0]) && p[0] != '-') ||
                    (p[0] == '-' && (n < 2 || p[1] == ' ')))
                    return false;
                k = 0;
                while (k < n &&
                       !(p[k] == ':' && (k + 1 == n || p[k + 1] == ' ' || p[k + 1] == '\t'))) {
                    if (p[k] == '#' && k && (p[k - 1] == ' ' || p[k - 1] == '\t')) return false;
                    ++k;
                }
                if (k == n) return false;  // not a key: a multi-line scalar or an error
                size_t e = k;
                while (e && (p[e - 1] == ' ' || p[e - 1] == '\t')) --e;
                key.text.assign(p, e);
                yaml_resolve_plain(key);
                // A key that reads as a number, bool or null ("0:", "yes:"):
                // libfyaml's tree keeps that type; rare, so libfyaml does it
                // (found by fuzz/yaml_diff).
                if (key.type != YamlNode::Type::Str) return false;
                if (key.text.empty()) return false;
            }
            for (auto& e : out.entries)
                if (e.first.text == key.text) return false;  // duplicate: libfyaml path reports
            ++k;                                             // ':'
            size_t sep = k;
            while (k < n && (p[k] == ' ' || p[k] == '\t')) ++k;
            // libfyaml reads tabs after an indicator in ways that depend on
            // what follows (found by fuzz/yaml_diff): it does those lines.
            if (std::memchr(p + sep, '\t', k - sep)) return false;
            YamlNode val;
            uint32_t vcol = indent + 1 + chars(p, k);
            size_t rest = strip_comment(p + k, n - k);
            if (++nodes > limits.max_nodes) return false;
            if (rest == 0) {
                // nested block, or a sequence at the same indentation, or null
                if (more() && lines[i].indent > indent) {
                    if (!block(lines[i].indent, val)) return false;
                } else if (more() && lines[i].indent == indent &&
                           ((lines[i].len >= 2 && lines[i].p[0] == '-' && lines[i].p[1] == ' ') ||
                            (lines[i].len == 1 && lines[i].p[0] == '-'))) {
                    if (!block(indent, val)) return false;
                } else {
                    val.type = YamlNode::Type::Null;
                    val.line = lno;
                    val.col = vcol - 1 > 0 ? vcol - 1 : vcol;
                    val.line = key.line;
                    val.col = key.col;
                }
            } else if (p[k] == '|' || p[k] == '>') {
                if (!block_scalar(p + k, n - k, indent, lno, vcol, val)) return false;
            } else {
                if (!inline_value(p + k, n - k, lno, vcol, val)) return false;
                // a more-indented line after a scalar would continue it
                if (more() && lines[i].indent > indent) return false;
            }
            out.entries.emplace_back(std::move(key), std::move(val));
        }
        return true;
    }

    bool sequence(uint32_t indent, YamlNode& out) {
        out = YamlNode{};
        out.kind = YamlNode::Kind::Seq;
        out.line = lines[i].no;
        out.col = indent + 1;
        while (more() && lines[i].indent == indent &&
               ((lines[i].len >= 2 && lines[i].p[0] == '-' && lines[i].p[1] == ' ') ||
                (lines[i].len == 1 && lines[i].p[0] == '-'))) {
            const Line& l = lines[i++];
            size_t k = 1;
            while (k < l.len && (l.p[k] == ' ' || l.p[k] == '\t')) ++k;
            if (std::memchr(l.p + 1, '\t', k - 1)) return false;  // as after "key:"
            YamlNode item;
            uint32_t icol = indent + 1 + uint32_t(k);
            size_t rest = strip_comment(l.p + k, l.len - k);
            if (++nodes > limits.max_nodes) return false;
            if (rest == 0) {
                if (more() && lines[i].indent > indent) {
                    if (!block(lines[i].indent, item)) return false;
                } else {
                    // An empty item ("-" alone): libfyaml gives it no location
                    // of its own (found by fuzz/yaml_diff); rare, so libfyaml does it.
                    return false;
                }
            } else if ((l.p[k] == '-' || l.p[k] == '?' || l.p[k] == ':') &&
                       (k + 1 == l.len || l.p[k + 1] == ' ' || l.p[k + 1] == '\t')) {
                // "- - x", "- ? x", "- : x": a nested compact collection, also
                // with a tab after the inner indicator (fuzz/yaml_diff)
                return false;
            } else if (l.p[k] == '|' || l.p[k] == '>') {
                if (!block_scalar(l.p + k, l.len - k, indent, l.no, icol, item)) return false;
            } else if (looks_like_key(l.p + k, l.len - k)) {
                if (++depth > limits.max_depth) return false;
                bool ok = mapping(indent + uint32_t(k), item, &l, l.p + k, l.len - k);
                --depth;
                if (!ok) return false;
            } else {
                if (!inline_value(l.p + k, l.len - k, l.no, icol, item)) return false;
                if (more() && lines[i].indent > indent) return false;
            }
            out.items.push_back(std::move(item));
        }
        return true;
    }

    static bool looks_like_key(const char* p, size_t n) {
        if (!n) return false;
        if (p[0] == '\'' || p[0] == '"') {
            std::string tmp;
            size_t used = 0;
            if (!quoted(p, n, used, tmp)) return false;
            return used < n && p[used] == ':' && (used + 1 == n || p[used + 1] == ' ');
        }
        if (p[0] == '[' || p[0] == '{') return false;
        for (size_t k = 0; k < n; ++k) {
            if (p[k] == '#' && k && (p[k - 1] == ' ' || p[k - 1] == '\t')) return false;
            if (p[k] == ':' && (k + 1 == n || p[k + 1] == ' ')) return true;
        }
        return false;
    }
};

bool Fast::block(uint32_t indent, YamlNode& out) {
    if (++depth > limits.max_depth) return false;
    bool ok;
    const Line& l = lines[i];
    if ((l.len >= 2 && l.p[0] == '-' && l.p[1] == ' ') || (l.len == 1 && l.p[0] == '-'))
        ok = sequence(indent, out);
    else if (looks_like_key(l.p, l.len))
        ok = mapping(indent, out, nullptr, nullptr, 0);
    else
        ok = false;  // a bare scalar block: rare, let libfyaml do it
    --depth;
    return ok;
}

}  // namespace

/* Entry point: splits lines, finds documents, parses each. Returns false (and
 * leaves `docs` untouched) when the text is outside the subset. */
namespace {

/* True when the 8 bytes at p are all in 0x20..0x7E: none is a C0 control
 * (below 0x20, tab included), DEL (0x7F) or a UTF-8 byte (0x80 and up).
 * Word-at-a-time tests: `(x - 0x20..) & ~x & 0x80..` is non-zero exactly
 * when some byte of x is below 0x20 (x's bytes below 0x80), and the same
 * with x ^ 0x7F.. finds a 0x7F byte (as a zero byte).
 */
inline bool plain_ascii8(const char* p) {
    constexpr uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t x;
    std::memcpy(&x, p, 8);
    if (x & high) return false;
    if ((x - ones * 0x20) & ~x & high) return false;
    uint64_t d = x ^ (ones * 0x7F);
    return ((d - ones) & ~d & high) == 0;
}

// Length of the printable UTF-8 sequence at p (a lead byte >= 0x80), or 0 when
// it is malformed (overlong, surrogate, past U+10FFFF, truncated), not a
// YAML printable character (C1 controls, U+FEFF, U+FFFE, U+FFFF) or one of
// the YAML 1.1 line breaks NEL, LS, PS (the fast path splits lines on LF only).
size_t printable_utf8(const char* p, size_t n) {
    auto u = [&](size_t i) { return (unsigned char)p[i]; };
    size_t len = u(0) >= 0xF0 ? 4 : u(0) >= 0xE0 ? 3 : u(0) >= 0xC0 ? 2 : 0;
    if (!len || len > n || u(0) > 0xF4) return 0;
    uint32_t cp = u(0) & (0x7F >> len);
    for (size_t i = 1; i < len; ++i) {
        if ((u(i) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (u(i) & 0x3F);
    }
    static const uint32_t min_of_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_of_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    if (cp < 0xA0 || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return len;
}

}  // namespace

bool parse_yaml_fast(std::string_view text, std::vector<YamlDocument>& docs,
                     const YamlLimits& limits) {
    if (text.size() > limits.max_bytes) return false;
    if (text.size() >= 3 && (unsigned char)text[0] == 0xEF) return false;  // BOM
    Fast f(limits);
    std::vector<size_t> doc_starts;  // indexes into lines where documents start
    std::vector<uint32_t> doc_lines;
    uint32_t no = 0;
    size_t pos = 0;
    bool saw_separator = false;
    doc_starts.push_back(0);
    doc_lines.push_back(1);
    while (pos < text.size()) {
        size_t e = text.find('\n', pos);
        if (e == std::string_view::npos) e = text.size();
        ++no;
        const char* b = text.data() + pos;
        size_t n = e - pos;
        if (n && b[n - 1] == '\r') --n;
        uint32_t ind = 0;
        while (ind < n && b[ind] == ' ') ++ind;
        if (ind < n && b[ind] == '\t') return false;
        for (size_t k = 0; k < n; ++k) {
            // Eight plain printable ASCII bytes at a time (plain_ascii8); a
            // word with anything else is looked at byte by byte below.
            while (k + 8 <= n && plain_ascii8(b + k)) k += 8;
            if (k >= n) break;
            unsigned char c = (unsigned char)b[k];
            if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
            if (c >= 0x80) {
                // Invalid UTF-8 and non-printable code points are for libfyaml
                // to report (found by fuzz/yaml_diff, docs/hardening.md).
                size_t m = printable_utf8(b + k, n - k);
                if (!m) return false;
                k += m - 1;
            }
        }
        const char* p = b + ind;
        size_t len = n - ind;
        size_t full = len;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) --len;
        pos = e + 1;
        if (len == 0 || p[0] == '#') {
            if (n) f.skipped.push_back({no, ind, len != 0});
            continue;
        }
        if (ind == 0 && len >= 3 && std::memcmp(p, "---", 3) == 0 && (len == 3 || p[3] == ' ')) {
            if (len > 3 && Fast::strip_comment(p + 3, len - 3) != 0) return false;
            if (!(f.lines.empty() && !saw_separator)) {
                doc_starts.push_back(f.lines.size());
                doc_lines.push_back(no);
            } else {
                doc_lines[0] = no;
            }
            saw_separator = true;
            continue;
        }
        // "-", "?", ":" and a tab: an indicator (fuzz/yaml_diff); libfyaml does those
        if (len >= 2 && (p[0] == '-' || p[0] == '?' || p[0] == ':') && p[1] == '\t') return false;
        if (ind == 0 && len >= 4 && std::memcmp(p, "---\t", 4) == 0) return false;  // a separator
        if (ind == 0 && (p[0] == '%' || (len >= 3 && std::memcmp(p, "...", 3) == 0))) return false;
        f.lines.push_back({p, len, ind, no, len != full});
    }
    std::vector<YamlDocument> out;
    if (f.lines.empty() && !saw_separator) return true;  // no document at all
    doc_starts.push_back(f.lines.size());
    for (size_t d = 0; d + 1 < doc_starts.size(); ++d) {
        f.i = doc_starts[d];
        f.end = doc_starts[d + 1];
        f.nodes = 0;
        YamlDocument doc;
        doc.line = doc_lines[d];
        if (f.i == f.end) {
            doc.empty = true;
            doc.root.line = doc.line;
            doc.root.col = 1;
            out.push_back(std::move(doc));
            continue;
        }
        if (f.lines[f.i].indent != 0) return false;
        if (!f.block(0, doc.root)) return false;
        if (f.i != f.end) return false;  // leftover lines: structure we did not understand
        out.push_back(std::move(doc));
    }
    for (auto& d : out) docs.push_back(std::move(d));
    return true;
}

}  // namespace sigil
