// pipeline/sigma_string.cpp — Sigma string notation ↔ predicate values, for
// transformations that work on "the value as written" (replace_string,
// map_string, set_value, placeholders, add_condition values).
#include "sigil/pipeline.h"

namespace sigil {

namespace {
struct Piece {
    char kind;  // 'l' literal char, '*', '?'
    char c;
};

/* Sigma escaping: a backslash before `*`, `?` or `\` makes that character
 * literal; any other backslash (including a trailing one) is itself literal.
 */
std::vector<Piece> parse(const std::string& t) {
    std::vector<Piece> out;
    for (size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        if (c == '\\' && i + 1 < t.size() &&
            (t[i + 1] == '*' || t[i + 1] == '?' || t[i + 1] == '\\')) {
            out.push_back({'l', t[++i]});
        } else if (c == '*' || c == '?') {
            if (c == '*' && !out.empty() && out.back().kind == '*') continue;
            out.push_back({c, 0});
        } else {
            out.push_back({'l', c});
        }
    }
    return out;
}
}  // namespace

void sigma_string_to_pred(const std::string& text, Pred& p) {
    auto pcs = parse(text);
    size_t n = pcs.size();
    size_t wild = 0;
    for (auto& x : pcs) wild += x.kind != 'l';
    auto lit = [&](size_t from, size_t to) {
        std::string s;
        for (size_t i = from; i < to; ++i) s += pcs[i].c;
        return s;
    };
    if (wild == 0) {
        p.op = Op::Eq;
        p.value = Value::string(lit(0, n));
        return;
    }
    bool first_any = pcs[0].kind == '*', last_any = pcs[n - 1].kind == '*';
    if (wild == 1 && last_any && n > 1) {
        p.op = Op::StartsWith;
        p.value = Value::string(lit(0, n - 1));
        return;
    }
    if (wild == 1 && first_any && n > 1) {
        p.op = Op::EndsWith;
        p.value = Value::string(lit(1, n));
        return;
    }
    if (wild == 2 && first_any && last_any && n > 2) {
        p.op = Op::Contains;
        p.value = Value::string(lit(1, n - 1));
        return;
    }
    std::string g;
    for (auto& x : pcs) {
        if (x.kind != 'l') {
            g += x.kind;
        } else {
            if (x.c == '*' || x.c == '?' || x.c == '\\') g += '\\';
            g += x.c;
        }
    }
    p.op = Op::Glob;
    p.value = Value::string(g);
}

/* The inverse: literal `*` and `?` get a backslash; a literal backslash gets
 * one only where Sigma would otherwise read it as an escape (before `*`, `?`
 * or `\`), so `C:\Windows` stays `C:\Windows` for regexes written against it.
 */
std::string pred_to_sigma_string(const Pred& p) {
    std::vector<Piece> pcs;
    auto add_lit = [&](const std::string& s) {
        for (char c : s) pcs.push_back({'l', c});
    };
    std::string v = p.value.kind == ValueKind::String ? p.value.s : p.value.text();
    switch (p.op) {
        case Op::Contains:
            pcs.push_back({'*', 0});
            add_lit(v);
            pcs.push_back({'*', 0});
            break;
        case Op::StartsWith:
            add_lit(v);
            pcs.push_back({'*', 0});
            break;
        case Op::EndsWith:
            pcs.push_back({'*', 0});
            add_lit(v);
            break;
        case Op::Glob:
            for (size_t i = 0; i < v.size(); ++i) {
                if (v[i] == '\\' && i + 1 < v.size())
                    pcs.push_back({'l', v[++i]});
                else if (v[i] == '*' || v[i] == '?')
                    pcs.push_back({v[i], 0});
                else
                    pcs.push_back({'l', v[i]});
            }
            break;
        default:
            add_lit(v);
    }
    std::string out;
    for (size_t i = 0; i < pcs.size(); ++i) {
        const Piece& x = pcs[i];
        if (x.kind != 'l') {
            out += x.kind;
        } else if (x.c == '*' || x.c == '?') {
            out += '\\';
            out += x.c;
        } else if (x.c == '\\') {
            bool next_special =
                i + 1 < pcs.size() && (pcs[i + 1].kind != 'l' || pcs[i + 1].c == '*' ||
                                       pcs[i + 1].c == '?' || pcs[i + 1].c == '\\');
            out += next_special ? "\\\\" : "\\";
        } else {
            out += x.c;
        }
    }
    return out;
}

}  // namespace sigil
