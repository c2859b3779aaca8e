// sigma/yaml.cpp — builds located YamlNode trees from libfyaml's event stream.
#include "sigil/yaml.h"

#include <libfyaml.h>
#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

namespace sigil {

YamlNode::YamlNode() = default;

const YamlNode* YamlNode::get(std::string_view key) const {
    if (kind != Kind::Map) return nullptr;
    for (auto& e : entries)
        if (e.first.kind == Kind::Scalar && e.first.text == key) return &e.second;
    return nullptr;
}

std::string YamlNode::flow() const {
    switch (kind) {
        case Kind::Scalar:
            if (type == Type::Str && (quoted || text.empty())) {
                std::string r = "'";
                for (char c : text) r += c == '\'' ? std::string("''") : std::string(1, c);
                return r + "'";
            }
            return type == Type::Null && text.empty() ? "null" : text;
        case Kind::Seq: {
            std::string r = "[";
            for (size_t i = 0; i < items.size(); ++i) r += (i ? ", " : "") + items[i].flow();
            return r + "]";
        }
        case Kind::Map: {
            std::string r = "{";
            for (size_t i = 0; i < entries.size(); ++i)
                r += (i ? ", " : "") + entries[i].first.flow() + ": " + entries[i].second.flow();
            return r + "}";
        }
    }
    return {};
}

namespace {

/* YAML 1.1 resolution of plain scalars, as PyYAML's resolver does it
 * (META-YAML-11-SCALARS): null (~, null, empty), booleans (yes/no/true/false/
 * on/off in three casings), integers (decimal, 0o-less octal "010", hex 0x,
 * binary 0b, with '_' separators), floats (a dot is required: "1e3" stays a
 * string, as in PyYAML), .inf/.nan. Anything else, including dates, is a string.
 */
void resolve_plain(YamlNode& n) {
    const std::string& s = n.text;
    n.type = YamlNode::Type::Str;
    // Fast exit: most plain scalars are words, which none of the typed forms
    // below can start with.
    if (!s.empty()) {
        char c = s[0];
        bool maybe = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == '~' ||
                     std::strchr("yYnNtTfFoO", c) != nullptr;
        if (!maybe) return;
        if (s.size() > 5 && std::isalpha((unsigned char)c)) return;  // longest word form is 5
    }
    static const char* nulls[] = {"", "~", "null", "Null", "NULL"};
    for (auto* x : nulls)
        if (s == x) {
            n.type = YamlNode::Type::Null;
            return;
        }
    static const char* trues[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char* falses[] = {"no",    "No",  "NO",  "false", "False",
                                   "FALSE", "off", "Off", "OFF"};
    for (auto* x : trues)
        if (s == x) {
            n.type = YamlNode::Type::Bool;
            n.b = true;
            return;
        }
    for (auto* x : falses)
        if (s == x) {
            n.type = YamlNode::Type::Bool;
            n.b = false;
            return;
        }
    size_t p = 0;
    bool neg = false;
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) neg = s[p++] == '-';
    std::string digits;
    auto strip = [&](size_t from) {
        digits.clear();
        for (size_t k = from; k < s.size(); ++k)
            if (s[k] != '_') digits += s[k];
    };
    auto set_int = [&](int base) -> bool {
        if (digits.empty()) return false;
        errno = 0;
        char* end = nullptr;
        unsigned long long v = std::strtoull(digits.c_str(), &end, base);
        if (*end || errno) return false;
        if (v > (unsigned long long)INT64_MAX) return false;
        n.type = YamlNode::Type::Int;
        n.i = neg ? -int64_t(v) : int64_t(v);
        return true;
    };
    if (p < s.size() && std::isdigit((unsigned char)s[p])) {
        if (s.compare(p, 2, "0x") == 0) {
            strip(p + 2);
            if (digits.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos &&
                set_int(16))
                return;
        } else if (s.compare(p, 2, "0b") == 0) {
            strip(p + 2);
            if (digits.find_first_not_of("01") == std::string::npos && set_int(2)) return;
        } else if (s[p] == '0' && s.size() > p + 1 &&
                   s.find_first_not_of("01234567_", p) == std::string::npos) {
            strip(p + 1);
            if (set_int(8)) return;
        } else if (s.find_first_not_of("0123456789_", p) == std::string::npos &&
                   (s[p] != '0' || s.size() == p + 1)) {
            strip(p);
            if (set_int(10)) return;
        }
    }
    // floats: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?
    {
        size_t k = p;
        bool int_digits = false, frac = false;
        while (k < s.size() && (std::isdigit((unsigned char)s[k]) || s[k] == '_')) {
            int_digits = true;
            ++k;
        }
        if (k < s.size() && s[k] == '.') {
            ++k;
            while (k < s.size() && (std::isdigit((unsigned char)s[k]) || s[k] == '_')) {
                frac = true;
                ++k;
            }
            bool ok = int_digits || frac;
            if (ok && k < s.size() && (s[k] == 'e' || s[k] == 'E')) {
                ++k;
                if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
                size_t d0 = k;
                while (k < s.size() && std::isdigit((unsigned char)s[k])) ++k;
                ok = k > d0;
            }
            if (ok && k == s.size() && (int_digits || frac)) {
                strip(0);
                n.type = YamlNode::Type::Float;
                n.f = std::strtod(digits.c_str(), nullptr);
                return;
            }
        }
    }
    std::string low = s.substr(p);
    if (low == ".inf" || low == ".Inf" || low == ".INF") {
        n.type = YamlNode::Type::Float;
        n.f = neg ? -INFINITY : INFINITY;
        return;
    }
    if (s == ".nan" || s == ".NaN" || s == ".NAN") {
        n.type = YamlNode::Type::Float;
        n.f = NAN;
    }
}

// Aliases copy their anchored node. Real rule files use few, small anchors,
// so the nodes aliases add to one document are capped far below max_nodes:
// a "billion laughs" file then fails fast and in little memory.
constexpr size_t kMaxAliasNodes = 100'000;

size_t count_nodes(const YamlNode& n) {
    size_t c = 1;
    for (auto& i : n.items) c += count_nodes(i);
    for (auto& e : n.entries) c += 1 + count_nodes(e.second);
    return c;
}

std::string token_text(fy_token* t) {
    if (!t) return {};
    size_t len = 0;
    const char* p = fy_token_get_text(t, &len);
    return p ? std::string(p, len) : std::string();
}

// The text of a scalar token; `input` is the text the parser reads.
std::string scalar_text(fy_token* t, std::string_view input) {
    if (t && fy_scalar_token_get_style(t) == FYSS_SINGLE_QUOTED) {
        const fy_mark* a = fy_token_start_mark(t);
        const fy_mark* b = fy_token_end_mark(t);
        if (a && b && a->input_pos <= b->input_pos && b->input_pos <= input.size()) {
            std::string_view body = input.substr(a->input_pos, b->input_pos - a->input_pos);
            if (body.find("''") != std::string_view::npos) return yaml_decode_single_quoted(body);
        }
    }
    // Escaped line breaks: libfyaml mangles the value and leaks its buffer
    // (found by make test-sanitize on a security_content file).
    if (t && fy_scalar_token_get_style(t) == FYSS_DOUBLE_QUOTED) {
        const fy_mark* a = fy_token_start_mark(t);
        const fy_mark* b = fy_token_end_mark(t);
        if (a && b && a->input_pos <= b->input_pos && b->input_pos <= input.size()) {
            std::string_view body = input.substr(a->input_pos, b->input_pos - a->input_pos);
            if (body.find("\\\n") != std::string_view::npos ||
                body.find("\\\r") != std::string_view::npos)
                return yaml_decode_double_quoted(body);
        }
    }
    return token_text(t);
}

struct Frame {
    YamlNode node;
    std::string anchor;
    bool have_key = false;
    YamlNode key;
};

}  // namespace

/* Tree building.
 *
 * libfyaml's event parser yields a flat stream (document start, mapping start,
 * scalar, ..., mapping end). We keep an explicit stack of open collections, so
 * nesting depth costs heap, not C stack, and is bounded by limits.max_depth.
 * Anchored nodes are remembered when they close; an alias inserts a copy of
 * the anchored node, and the running node count (including copies) is bounded
 * by limits.max_nodes, which stops "billion laughs" alias bombs. Duplicate
 * mapping keys are errors (META-YAML-DUPKEY: PyYAML silently keeps the last,
 * which hides mistakes). Locations come from each event's start mark.
 */
/* Printability check of a whole YAML text, before libfyaml sees it. YAML
 * texts are Unicode restricted to c-printable (YAML 1.2, 5.1): tab, LF, CR,
 * U+0020..U+007E, NEL, U+00A0..U+D7FF, U+E000..U+FFFD and above U+FFFF.
 * libfyaml 0.7.12 does not hold to that and misbehaves on what is outside:
 * bytes that are not UTF-8 it reads inconsistently (an error in a plain
 * scalar; a null sequence item that loses the rest of the mapping, so a rule
 * fails with a misleading "no condition"; a directive line it never returns
 * from: fuzz/sigma_rule), and NULs or other C0 controls after a tab-indented
 * complex key crash its parser cleanup (fy_indent_vacuum_internal:
 * fuzz/pipeline_yaml). So a text with any such character is refused at its
 * first one. Plain printable ASCII runs are skipped 8 bytes at a time with a
 * SWAR test (no byte with the high bit, below 0x20, or equal to 0x7F); other
 * bytes go one at a time, non-ASCII through utf8proc_iterate, which rejects
 * truncated and overlong sequences, surrogates and code points above
 * U+10FFFF. Columns count characters, as the YAML locations do.
 */
static bool yaml_printable(uint32_t c) {
    if (c < 0x80) return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0x7F);
    return c == 0x85 || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
}

YamlTextPos yaml_unprintable(std::string_view text) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    uint32_t bad = 0;
    for (;;) {
        if (i >= n) return {};
        if (i + 8 <= n) {
            uint64_t w;
            std::memcpy(&w, p + i, 8);
            // a byte below 0x20, or 0x7F (0x7F + 1 sets the high bit)
            bool low = ((w - 0x20 * kOnes) & ~w & kHigh) != 0;
            bool del = (((w & ~kHigh) + kOnes) & kHigh & ~w) != 0;
            if ((w & kHigh) == 0 && !low && !del) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            if (!yaml_printable(p[i])) {
                bad = p[i];
                break;
            }
            ++i;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p + i, utf8proc_ssize_t(n - i), &cp);
        if (len <= 0) {
            bad = YamlTextPos::kNotUtf8;
            break;
        }
        if (!yaml_printable(uint32_t(cp))) {
            bad = uint32_t(cp);
            break;
        }
        i += size_t(len);
    }
    YamlTextPos at{1, 1, i, bad};
    for (size_t k = 0; k < i; ++k) {
        if (text[k] == '\n') {
            ++at.line;
            at.col = 1;
        } else if ((p[k] & 0xC0) != 0x80) {
            ++at.col;
        }
    }
    return at;
}

std::string YamlTextPos::what() const {
    std::string where = " at byte " + std::to_string(offset);
    if (code_point == kNotUtf8) return "invalid UTF-8" + where;
    char hex[16];
    std::snprintf(hex, sizeof hex, "U+%04X", code_point);
    bool control = code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
    return std::string(control ? "control character " : "non-character ") + hex + where;
}

/* Single-quoted scalars with '' escapes are decoded here, from the bytes
 * between the quotes, instead of by fy_token_get_text: libfyaml 0.7.12 leaks
 * the text buffer of a scalar with five or more escaped quotes in a row
 * (found by fuzz/sigma_rule) and drops a quote from some runs of escaped
 * quotes (the -Join case of tests/unit/yaml_fast_test.cpp). The rules (YAML
 * 1.2, 7.3.2): '' is a quote; a line break with the white space around it
 * folds to one space, or to one newline per empty line when empty lines
 * follow it.
 */
std::string yaml_decode_single_quoted(std::string_view body) {
    std::vector<std::string_view> lines;
    for (size_t i = 0;;) {
        size_t e = body.find_first_of("\r\n", i);
        if (e == std::string_view::npos) {
            lines.push_back(body.substr(i));
            break;
        }
        lines.push_back(body.substr(i, e - i));
        i = e + (body[e] == '\r' && e + 1 < body.size() && body[e + 1] == '\n' ? 2 : 1);
    }
    auto lstrip = [](std::string_view v) {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        return v;
    };
    auto rstrip = [](std::string_view v) {
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        return v;
    };
    std::string folded;
    size_t empty = 0;
    for (size_t k = 0; k < lines.size(); ++k) {
        std::string_view l = lines[k];
        if (k > 0) l = lstrip(l);
        if (k + 1 < lines.size()) l = rstrip(l);
        if (k > 0 && k + 1 < lines.size() && l.empty()) {
            ++empty;
            continue;
        }
        if (k > 0) folded += empty ? std::string(empty, '\n') : std::string(" ");
        empty = 0;
        folded += l;
    }
    std::string out;
    out.reserve(folded.size());
    for (size_t i = 0; i < folded.size(); ++i) {
        out += folded[i];
        if (folded[i] == '\'' && i + 1 < folded.size() && folded[i + 1] == '\'') ++i;
    }
    return out;
}

/* A double-quoted YAML scalar decoded from its bytes (quotes included).
 * libfyaml 0.7.12 mangles escaped line breaks (`\` at the end of a line): it
 * leaves a stray character and drops the last one of the value. We decode
 * such scalars ourselves: escapes, line folding (a break is a space, n empty
 * lines are n newlines, whitespace around breaks is dropped) and escaped
 * breaks (nothing, and the next line's indentation is dropped). */
std::string yaml_decode_double_quoted(std::string_view raw) {
    if (raw.size() >= 2 && raw.front() == '"') raw = raw.substr(1);
    if (!raw.empty() && raw.back() == '"') raw.remove_suffix(1);
    std::string out;
    size_t ws_start = std::string::npos;  // start in `out` of trailing literal blanks
    auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    size_t i = 0, n = raw.size();
    auto skip_blanks = [&] {
        while (i < n && is_blank(raw[i])) ++i;
    };
    auto put_utf8 = [&](uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    };
    while (i < n) {
        char c = raw[i];
        if (c == '\\' && i + 1 < n) {
            char e = raw[i + 1];
            ws_start = std::string::npos;
            if (e == '\n' || e == '\r') {  // escaped line break
                i += 2;
                if (e == '\r' && i < n && raw[i] == '\n') ++i;
                skip_blanks();
                continue;
            }
            i += 2;
            int hex = 0;
            switch (e) {
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
                case '\t':
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
                case 'N':
                    put_utf8(0x85);
                    break;
                case '_':
                    put_utf8(0xA0);
                    break;
                case 'L':
                    put_utf8(0x2028);
                    break;
                case 'P':
                    put_utf8(0x2029);
                    break;
                case 'x':
                    hex = 2;
                    break;
                case 'u':
                    hex = 4;
                    break;
                case 'U':
                    hex = 8;
                    break;
                default:
                    out += e;  // \\ \" \/ and space
            }
            if (hex) {
                uint32_t cp = 0;
                int k = 0;
                for (; k < hex && i < n && std::isxdigit(static_cast<unsigned char>(raw[i]));
                     ++k, ++i)
                    cp = cp * 16 +
                         uint32_t(
                             std::isdigit(static_cast<unsigned char>(raw[i]))
                                 ? raw[i] - '0'
                                 : (std::tolower(static_cast<unsigned char>(raw[i])) - 'a' + 10));
                put_utf8(cp);
            }
            continue;
        }
        if (c == '\n' || c == '\r') {  // folded line break
            if (ws_start != std::string::npos) out.resize(ws_start);
            ws_start = std::string::npos;
            ++i;
            if (c == '\r' && i < n && raw[i] == '\n') ++i;
            skip_blanks();
            size_t empty = 0;
            while (i < n && (raw[i] == '\n' || raw[i] == '\r')) {
                if (raw[i] == '\r' && i + 1 < n && raw[i + 1] == '\n') ++i;
                ++i;
                ++empty;
                skip_blanks();
            }
            if (empty)
                out.append(empty, '\n');
            else
                out += ' ';
            continue;
        }
        if (is_blank(c)) {
            if (ws_start == std::string::npos) ws_start = out.size();
        } else {
            ws_start = std::string::npos;
        }
        out += c;
        ++i;
    }
    return out;
}

bool parse_yaml(std::string_view text, const std::shared_ptr<const std::string>& file,
                std::vector<YamlDocument>& docs, Diagnostics& diags, const YamlLimits& limits) {
    if (parse_yaml_fast(text, docs, limits)) return true;
    return parse_yaml_slow(text, file, docs, diags, limits);
}

bool parse_yaml_slow(std::string_view text, const std::shared_ptr<const std::string>& file,
                     std::vector<YamlDocument>& docs, Diagnostics& diags,
                     const YamlLimits& limits) {
    auto error = [&](const std::string& code, const std::string& msg, uint32_t line, uint32_t col) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = code;
        d.message = msg;
        d.loc = SourceLoc{file, line, col};
        diags.push_back(std::move(d));
    };
    if (text.size() > limits.max_bytes) {
        error("yaml.too_large",
              "file is larger than the " + std::to_string(limits.max_bytes >> 20) +
                  " MiB limit for rule files",
              0, 0);
        return false;
    }
    // Bytes that are not UTF-8, and control characters, are refused before
    // libfyaml sees the text (yaml_unprintable says why). The fast path
    // declines such texts.
    if (auto bad = yaml_unprintable(text)) {
        error("yaml.encoding", bad.what() + ": rule files must be printable UTF-8 text (YAML 1.2)",
              bad.line, bad.col);
        return false;
    }
    fy_diag_cfg dcfg;
    std::memset(&dcfg, 0, sizeof dcfg);
    dcfg.fp = nullptr;
    dcfg.output_fn = [](fy_diag*, void*, const char*, size_t) {};
    dcfg.level = FYET_ERROR;
    dcfg.module_mask = ~0u;
    fy_diag* diag = fy_diag_create(&dcfg);
    if (diag) fy_diag_set_collect_errors(diag, true);
    fy_parse_cfg cfg;
    std::memset(&cfg, 0, sizeof cfg);
    cfg.flags =
        fy_parse_cfg_flags(FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_1 | FYPCF_DISABLE_ACCELERATORS);
    cfg.diag = diag;
    fy_parser* fyp = fy_parser_create(&cfg);
    if (!fyp) {
        if (diag) fy_diag_destroy(diag);
        error("yaml.internal", "cannot create YAML parser", 0, 0);
        return false;
    }
    fy_parser_set_string(fyp, text.data(), text.size());

    bool ok = true;
    std::vector<Frame> stack;
    std::map<std::string, YamlNode> anchors;
    size_t nodes = 0;
    YamlDocument cur;
    bool in_doc = false, have_root = false;
    uint32_t last_end_line = 1;
    size_t alias_nodes = 0;  // nodes copied in by aliases, this document

    auto fail = [&](const std::string& code, const std::string& msg, uint32_t l, uint32_t c) {
        error(code, msg, l, c);
        ok = false;
    };
    // Attach a finished node to its parent (or make it the document root).
    auto attach = [&](YamlNode&& n, const std::string& anchor) -> bool {
        if (!anchor.empty()) anchors[anchor] = n;
        if (stack.empty()) {
            cur.root = std::move(n);
            have_root = true;
            return true;
        }
        Frame& top = stack.back();
        if (top.node.kind == YamlNode::Kind::Seq) {
            top.node.items.push_back(std::move(n));
        } else if (!top.have_key) {
            if (n.kind != YamlNode::Kind::Scalar) {
                fail("yaml.complex_key", "mapping keys must be scalars", n.line, n.col);
                return false;
            }
            for (auto& e : top.node.entries)
                if (e.first.text == n.text) {
                    fail("yaml.duplicate_key",
                         "duplicate key '" + n.text + "' (first at line " +
                             std::to_string(e.first.line) + ")",
                         n.line, n.col);
                    return false;
                }
            top.key = std::move(n);
            top.have_key = true;
        } else {
            top.node.entries.emplace_back(std::move(top.key), std::move(n));
            top.have_key = false;
        }
        return true;
    };

    for (;;) {
        fy_event* ev = fy_parser_parse(fyp);
        if (!ev) break;
        const fy_mark* m = fy_event_start_mark(ev);
        uint32_t line = m ? uint32_t(m->line + 1) : 0, col = m ? uint32_t(m->column + 1) : 0;
        bool stop = false;
        switch (ev->type) {
            case FYET_DOCUMENT_START:
                cur = YamlDocument{};
                // an implicit document start has no mark: it starts at line 1
                // of the stream, or right after the previous document
                cur.line = line ? line : docs.empty() ? 1 : last_end_line;
                in_doc = true;
                have_root = false;
                anchors.clear();
                nodes = 0;
                alias_nodes = 0;
                break;
            case FYET_DOCUMENT_END:
                if (line) last_end_line = line;
                if (in_doc) {
                    cur.empty = !have_root || cur.root.is_null();
                    docs.push_back(std::move(cur));
                }
                in_doc = false;
                break;
            case FYET_SCALAR: {
                YamlNode n;
                n.line = line;
                n.col = col;
                n.text = scalar_text(ev->scalar.value, text);
                // An empty document or a missing value (`key:`) comes as a
                // scalar event without a token: a plain empty scalar, so null
                // as in PyYAML, located at its key (or the document start).
                fy_scalar_style st =
                    ev->scalar.value ? fy_scalar_token_get_style(ev->scalar.value) : FYSS_PLAIN;
                if (!m) {
                    bool after_key = !stack.empty() && stack.back().have_key;
                    n.line = after_key ? stack.back().key.line : cur.line;
                    n.col = after_key ? stack.back().key.col : 1;
                }
                std::string tag = ev->scalar.tag ? token_text(ev->scalar.tag) : "";
                if (st == FYSS_PLAIN && (tag.empty() || tag == "!")) {
                    resolve_plain(n);
                } else {
                    n.quoted = st != FYSS_PLAIN;
                    n.type = YamlNode::Type::Str;
                    if (!tag.empty() && tag != "!!str" && tag != "!") {
                        // explicit !!int etc.: resolve as plain
                        resolve_plain(n);
                        n.quoted = true;
                    }
                }
                if (++nodes > limits.max_nodes) {
                    fail("yaml.too_many_nodes", "document exceeds the node limit", line, col);
                    stop = true;
                    break;
                }
                if (!attach(std::move(n), token_text(ev->scalar.anchor))) stop = true;
                break;
            }
            case FYET_SEQUENCE_START:
            case FYET_MAPPING_START: {
                if (stack.size() >= limits.max_depth) {
                    fail("yaml.too_deep",
                         "nesting deeper than " + std::to_string(limits.max_depth) + " levels",
                         line, col);
                    stop = true;
                    break;
                }
                Frame f;
                f.node.kind =
                    ev->type == FYET_SEQUENCE_START ? YamlNode::Kind::Seq : YamlNode::Kind::Map;
                f.node.line = line;
                f.node.col = col;
                f.anchor = token_text(ev->type == FYET_SEQUENCE_START ? ev->sequence_start.anchor
                                                                      : ev->mapping_start.anchor);
                ++nodes;
                stack.push_back(std::move(f));
                break;
            }
            case FYET_SEQUENCE_END:
            case FYET_MAPPING_END: {
                if (stack.empty()) break;
                Frame f = std::move(stack.back());
                stack.pop_back();
                if (!attach(std::move(f.node), f.anchor)) stop = true;
                break;
            }
            case FYET_ALIAS: {
                std::string name = token_text(ev->alias.anchor);
                auto it = anchors.find(name);
                if (it == anchors.end()) {
                    fail("yaml.unknown_alias", "alias *" + name + " has no anchor", line, col);
                    stop = true;
                    break;
                }
                size_t c = count_nodes(it->second);
                size_t alias_limit = std::min(limits.max_nodes, kMaxAliasNodes);
                if (nodes + c > limits.max_nodes || alias_nodes + c > alias_limit) {
                    fail("yaml.alias_bomb",
                         "alias *" + name + " expands the document beyond " +
                             std::to_string(nodes + c > limits.max_nodes ? limits.max_nodes
                                                                         : alias_limit) +
                             " nodes",
                         line, col);
                    stop = true;
                    break;
                }
                nodes += c;
                alias_nodes += c;
                YamlNode copy = it->second;
                copy.line = line;
                copy.col = col;
                if (!attach(std::move(copy), "")) stop = true;
                break;
            }
            default:
                break;
        }
        fy_parser_event_free(fyp, ev);
        if (stop) break;
    }
    if (ok && fy_parser_get_stream_error(fyp)) {
        ok = false;
        bool reported = false;
        if (diag) {
            void* it = nullptr;
            while (fy_diag_error* e = fy_diag_errors_iterate(diag, &it)) {
                // collected errors carry 1-based line and column (unlike marks)
                error("yaml.syntax", std::string("YAML syntax error: ") + (e->msg ? e->msg : "?"),
                      uint32_t(e->line), uint32_t(e->column));
                reported = true;
                break;
            }
        }
        if (!reported) error("yaml.syntax", "YAML syntax error", 0, 0);
    }
    fy_parser_destroy(fyp);
    if (diag) fy_diag_destroy(diag);
    return ok;
}

}  // namespace sigil

namespace sigil {
// Shared with the fast path (yaml_fast.cpp) so both type scalars identically.
void yaml_resolve_plain(YamlNode& n) {
    resolve_plain(n);
}
}  // namespace sigil
