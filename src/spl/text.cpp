// spl/text.cpp — positioned query text: the mapping from characters of a YAML
// scalar back to file lines and columns, and macro expansion that keeps the
// origin of every character it produces.
#include <algorithm>

#include "spl/internal.h"

namespace sigil::spl {

std::string lower_ascii(std::string_view s) {
    std::string r(s);
    for (auto& c : r)
        if (c >= 'A' && c <= 'Z') c = char(c + 32);
    return r;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = char(x + 32);
        if (y >= 'A' && y <= 'Z') y = char(y + 32);
        if (x != y) return false;
    }
    return true;
}

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string collapse_ws(std::string_view s) {
    std::string r;
    r.reserve(s.size());
    bool sp = false;
    for (char c : s) {
        if (is_space(c)) {
            sp = true;
            continue;
        }
        if (sp && !r.empty()) r += ' ';
        sp = false;
        r += c;
    }
    return r;
}

SourceLoc MappedText::at(size_t off) const {
    SourceLoc l;
    l.file = file;
    if (off >= locs.size()) off = locs.empty() ? 0 : locs.size() - 1;
    if (!locs.empty()) {
        l.line = locs[off].line;
        l.col = locs[off].col;
    }
    return l;
}

MappedText map_plain(std::string_view text, const SourceLoc& start) {
    MappedText m;
    m.text = std::string(text);
    m.file = start.file;
    m.locs.resize(text.size() + 1);
    uint32_t line = start.line ? start.line : 1, col = start.col ? start.col : 1;
    for (size_t i = 0; i <= text.size(); ++i) {
        m.locs[i] = {line, col};
        if (i < text.size() && text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return m;
}

/* Scalar position mapping.
 *
 * A YAML scalar's value differs from its bytes in the file: quotes, folded
 * line breaks and indentation, '' and backslash escapes. We walk the value and
 * the raw bytes together: each value character is matched with the next raw
 * byte equal to it, skipping at most a few raw bytes that YAML drops (spaces,
 * line breaks, quotes, backslashes). When no such byte is near (an escape like
 * \t produced a character that is not in the file), the value character takes
 * the current raw position and one raw byte is consumed. The result is exact
 * for lines and close for columns, which is what diagnostics need.
 */
MappedText map_yaml_scalar(std::string value, std::string_view raw, size_t raw_b, size_t raw_e,
                           uint32_t line, uint32_t col, std::shared_ptr<const std::string> file) {
    MappedText m;
    m.file = std::move(file);
    m.locs.resize(value.size() + 1);
    if (raw_e > raw.size()) raw_e = raw.size();
    size_t j = raw_b;
    uint32_t ln = line, cl = col;
    auto advance = [&](size_t to) {
        while (j < to) {
            if (raw[j] == '\n') {
                ++ln;
                cl = 1;
            } else {
                ++cl;
            }
            ++j;
        }
    };
    auto droppable = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\'' || c == '"' ||
               c == '\\';
    };
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        size_t k = j;
        size_t limit = std::min(raw_e, j + 64);
        while (k < limit && raw[k] != c && droppable(raw[k])) ++k;
        if (k < limit && raw[k] == c) {
            advance(k);
            m.locs[i] = {ln, cl};
            advance(k + 1);
        } else {
            m.locs[i] = {ln, cl};
            if (j < raw_e) advance(j + 1);
        }
    }
    m.locs[value.size()] = {ln, cl};
    m.text = std::move(value);
    return m;
}

// ---------------------------------------------------------------------------
// Macro table
// ---------------------------------------------------------------------------

static std::string macro_key(std::string_view name, size_t arity) {
    std::string k = lower_ascii(name);
    if (arity) k += "(" + std::to_string(arity) + ")";
    return k;
}

}  // namespace sigil::spl

namespace sigil {

void SplMacroTable::add(SplMacro m) {
    std::string k = spl::macro_key(m.name, m.args.size());
    macros_[k] = std::move(m);
}

const SplMacro* SplMacroTable::find(std::string_view name, size_t arity) const {
    auto it = macros_.find(spl::macro_key(name, arity));
    return it == macros_.end() ? nullptr : &it->second;
}

}  // namespace sigil

namespace sigil::spl {

void Ctx::diag(Severity s, const char* code, std::string msg, const SourceLoc& loc) const {
    if (!diags) return;
    Diagnostic d;
    d.severity = s;
    d.code = code;
    d.message = std::move(msg);
    d.loc = loc;
    d.rule = opt ? opt->rule : std::string();
    diags->push_back(std::move(d));
}

SourceLoc Expanded::loc(size_t off) const {
    SourceLoc l;
    if (src.empty()) return l;
    if (off >= src.size()) off = src.size() - 1;
    const ExpandedChar& c = src[off];
    if (c.file < files.size()) l.file = files[c.file];
    l.line = c.line;
    l.col = c.col;
    return l;
}

void Expanded::push(char c, const ExpandedChar& from) {
    text += c;
    src.push_back(from);
}

/* Macro expansion.
 *
 * Splunk replaces a backtick macro by its definition text before parsing, so
 * a macro may stand for search terms, a whole stage, or several stages. We do
 * the same, character by character, and record for each produced character
 * its file position (the macro file for definition text, the invocation for
 * argument text) and the span of the original query it stands for, so stages
 * can show the query as written and predicates can point into macro files.
 *
 *  - Text inside double quotes is copied as is (a backtick there is data).
 *  - ```...``` is a comment and becomes one space.
 *  - `name(a, b)`: arguments split at top-level commas, trimmed, surrounding
 *    double quotes removed; `$a$` in the definition is replaced by the value.
 *  - Without a definition: `*_filter` macros (security_content's per-rule
 *    tuning hooks, `search *` by default) become `search *` at the start of a
 *    stage and `*` elsewhere; `drop_dm_object_name(X)` (from Splunk ES) is
 *    `rename X.* AS *`; any other macro stays in the text as a unit and is
 *    reported once with spl.macro.undefined.
 *  - Depth is limited to 16 and the output to 1 MiB (spl.macro.recursion,
 *    spl.macro.too_large).
 */
namespace {

struct Expander {
    Ctx& ctx;
    Expanded& out;
    uint32_t orig_file = 0;
    static constexpr size_t kMaxOut = 1 << 20;
    static constexpr int kMaxDepth = 16;
    bool overflow = false;

    uint32_t file_index(const std::shared_ptr<const std::string>& f) {
        for (uint32_t i = 0; i < out.files.size(); ++i)
            if (out.files[i] == f || (out.files[i] && f && *out.files[i] == *f)) return i;
        out.files.push_back(f);
        return uint32_t(out.files.size() - 1);
    }

    // Origin of character `i` of `t`: at depth 0 it is itself; deeper, the
    // top-level span and invocation are inherited.
    ExpandedChar origin(const MappedText& t, uint32_t fidx, size_t i, const ExpandedChar* top) {
        ExpandedChar c;
        size_t k = std::min(i, t.locs.empty() ? 0 : t.locs.size() - 1);
        if (!t.locs.empty()) {
            c.line = t.locs[k].line;
            c.col = t.locs[k].col;
        }
        c.file = fidx;
        if (top) {
            c.top_b = top->top_b;
            c.top_e = top->top_e;
            c.inv = top->inv;
        } else {
            c.top_b = uint32_t(i);
            c.top_e = uint32_t(i + 1);
        }
        return c;
    }

    void emit(std::string_view s, const ExpandedChar& o) {
        for (char c : s) out.push(c, o);
    }

    static std::vector<std::string> split_args(std::string_view a) {
        std::vector<std::string> args;
        std::string cur;
        int depth = 0;
        bool q = false;
        for (size_t i = 0; i < a.size(); ++i) {
            char c = a[i];
            if (q) {
                cur += c;
                if (c == '\\' && i + 1 < a.size()) {
                    cur += a[++i];
                } else if (c == '"') {
                    q = false;
                }
                continue;
            }
            if (c == '"') q = true;
            if (c == '(') ++depth;
            if (c == ')') --depth;
            if (c == ',' && depth == 0) {
                args.push_back(cur);
                cur.clear();
                continue;
            }
            cur += c;
        }
        args.push_back(cur);
        for (auto& s : args) {
            size_t b = 0, e = s.size();
            while (b < e && is_space(s[b])) ++b;
            while (e > b && is_space(s[e - 1])) --e;
            s = s.substr(b, e - b);
            if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
        }
        if (args.size() == 1 && args[0].empty()) args.clear();
        return args;
    }

    // Is the last non-space output character a pipe (or nothing)?
    bool at_stage_start() const {
        for (size_t i = out.text.size(); i-- > 0;) {
            char c = out.text[i];
            if (is_space(c)) continue;
            return c == '|' || c == '[';
        }
        return true;
    }

    void run(const MappedText& t, const ExpandedChar* top, int depth) {
        uint32_t fidx = file_index(t.file);
        const std::string& s = t.text;
        size_t i = 0;
        while (i < s.size()) {
            if (out.text.size() > kMaxOut) {
                if (!overflow)
                    ctx.diag(Severity::Error, "spl.macro.too_large",
                             "the query exceeds 1 MiB after macro expansion; the rest is ignored",
                             t.at(i));
                overflow = true;
                return;
            }
            char c = s[i];
            if (c == '"') {  // quoted string: copy through the closing quote
                out.push(c, origin(t, fidx, i, top));
                ++i;
                while (i < s.size()) {
                    char d = s[i];
                    out.push(d, origin(t, fidx, i, top));
                    ++i;
                    if (d == '\\' && i < s.size()) {
                        out.push(s[i], origin(t, fidx, i, top));
                        ++i;
                    } else if (d == '"') {
                        break;
                    }
                }
                continue;
            }
            if (c == '\\' && i + 1 < s.size()) {  // an escaped character is data
                out.push(c, origin(t, fidx, i, top));
                out.push(s[i + 1], origin(t, fidx, i + 1, top));
                i += 2;
                continue;
            }
            if (c != '`') {
                out.push(c, origin(t, fidx, i, top));
                ++i;
                continue;
            }
            if (s.compare(i, 3, "```") == 0) {  // comment
                size_t e = s.find("```", i + 3);
                e = e == std::string::npos ? s.size() : e + 3;
                out.push(' ', origin(t, fidx, i, top));
                i = e;
                continue;
            }
            size_t close = s.find('`', i + 1);
            if (close == std::string::npos) {
                ctx.diag(Severity::Warning, "spl.syntax.unbalanced_backtick",
                         "a backtick opens a macro that is never closed", t.at(i));
                out.push(c, origin(t, fidx, i, top));
                ++i;
                continue;
            }
            expand_one(t, fidx, i, close + 1, top, depth);
            i = close + 1;
        }
    }

    void expand_one(const MappedText& t, uint32_t fidx, size_t b, size_t e, const ExpandedChar* top,
                    int depth) {
        std::string_view body(t.text.data() + b + 1, e - b - 2);
        std::string name;
        std::vector<std::string> args;
        size_t lp = body.find('(');
        if (lp != std::string_view::npos && body.size() > lp && body.back() == ')') {
            name = std::string(body.substr(0, lp));
            args = split_args(body.substr(lp + 1, body.size() - lp - 2));
        } else {
            name = std::string(body);
        }
        while (!name.empty() && is_space(name.back())) name.pop_back();
        while (!name.empty() && is_space(name.front())) name.erase(name.begin());

        // Origin for the whole invocation (depth 0 opens a new invocation).
        ExpandedChar inv = origin(t, fidx, b, top);
        if (!top) {
            inv.top_b = uint32_t(b);
            inv.top_e = uint32_t(e);
            out.invocations.push_back({uint32_t(out.text.size()), 0});
            inv.inv = uint32_t(out.invocations.size());
        }
        const ExpandedChar* tp = &inv;
        auto finish = [&] {
            if (!top) out.invocations.back().e = uint32_t(out.text.size());
        };

        const SplMacro* m =
            ctx.opt && ctx.opt->macros ? ctx.opt->macros->find(name, args.size()) : nullptr;
        if (m && depth >= kMaxDepth) {
            ctx.diag(Severity::Error, "spl.macro.recursion",
                     "macro `" + name + "` nests deeper than 16 levels; left unexpanded", t.at(b));
            m = nullptr;
        }
        if (m) {
            add_unique(ctx.query->expanded_macros, name);
            // Substitute $arg$ into a positioned copy of the definition.
            MappedText def;
            const MappedText* src = m->mapped.get();
            MappedText plain;
            if (!src) {
                plain = map_plain(m->definition, m->loc);
                src = &plain;
            }
            def.file = src->file;
            const std::string& d = src->text;
            for (size_t k = 0; k < d.size();) {
                if (d[k] == '$' && !m->args.empty()) {
                    size_t z = d.find('$', k + 1);
                    if (z != std::string::npos) {
                        std::string_view an(d.data() + k + 1, z - k - 1);
                        bool hit = false;
                        for (size_t a = 0; a < m->args.size(); ++a) {
                            if (m->args[a] == an) {
                                for (char ch : args[a]) {
                                    def.text += ch;
                                    def.locs.push_back(
                                        t.locs.empty() ? CharLoc{}
                                                       : t.locs[std::min(b, t.locs.size() - 1)]);
                                }
                                hit = true;
                                break;
                            }
                        }
                        if (hit) {
                            k = z + 1;
                            continue;
                        }
                    }
                }
                def.text += d[k];
                def.locs.push_back(k < src->locs.size() ? src->locs[k] : CharLoc{});
                ++k;
            }
            def.locs.push_back(src->locs.empty() ? CharLoc{} : src->locs.back());
            run(def, tp, depth + 1);
            finish();
            return;
        }
        std::string lname = lower_ascii(name);
        if (args.empty() && lname.size() > 7 &&
            lname.compare(lname.size() - 7, 7, "_filter") == 0) {
            emit(at_stage_start() ? "search *" : "*", inv);
            finish();
            return;
        }
        if (lname == "drop_dm_object_name" && args.size() == 1) {
            add_unique(ctx.query->expanded_macros, name);
            emit("rename " + args[0] + ".* AS *", inv);
            finish();
            return;
        }
        add_unique(ctx.query->macros, name);
        ctx.diag(Severity::Info, "spl.macro.undefined",
                 "macro `" + name + "` has no definition; kept as a named unit", t.at(b));
        for (size_t k = b; k < e; ++k) out.push(t.text[k], top ? *tp : origin(t, fidx, k, nullptr));
        if (!top) {
            // keep the unit's characters pointing at themselves but tagged
            for (size_t k = out.text.size() - (e - b); k < out.text.size(); ++k)
                out.src[k].inv = inv.inv;
        }
        finish();
    }

    static void add_unique(std::vector<std::string>& v, const std::string& s) {
        if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
    }
};

}  // namespace

Expanded expand_macros(const MappedText& q, Ctx& ctx) {
    Expanded x;
    x.original = q.text;
    x.text.reserve(q.text.size() * 2 + 64);
    x.src.reserve(q.text.size() * 2 + 65);
    Expander ex{ctx, x};
    ex.orig_file = ex.file_index(q.file);
    ex.run(q, nullptr, 0);
    // sentinel: one past the end
    ExpandedChar end;
    if (!q.locs.empty()) {
        end.line = q.locs.back().line;
        end.col = q.locs.back().col;
    }
    end.file = ex.orig_file;
    end.top_b = end.top_e = uint32_t(q.text.size());
    x.src.push_back(end);
    return x;
}

}  // namespace sigil::spl
