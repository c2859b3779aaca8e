// spl/lexer.cpp — tokens of SPL (search language, eval expressions) and of
// the SQL subset Armory's Snowflake rules use. The lexer is pulled by the
// parser, which chooses the mode: SPL words differ between the search
// language (where `*`, `-`, `/`, `.` belong to words) and eval expressions
// (where they are operators).
#include "spl/internal.h"

namespace sigil::spl {

namespace {
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_ident(char c) {
    return is_alnum(c) || c == '_' || c == '{' || c == '}' || c == '@' || c == '$' ||
           (static_cast<unsigned char>(c) >= 0x80);
}
}  // namespace

std::string unescape_spl(std::string_view s) {
    std::string r;
    r.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '\\' || s[i + 1] == '"')) {
            r += s[++i];
            continue;
        }
        r += s[i];
    }
    return r;
}

void Lexer::skip_ws() {
    const std::string& t = x_.text;
    while (pos_ < end_ && is_space(t[pos_])) ++pos_;
}

size_t Lexer::match_close(size_t open) const {
    const std::string& t = x_.text;
    char o = t[open];
    char c = o == '(' ? ')' : o == '[' ? ']' : o;
    int depth = 0;
    for (size_t i = open; i < end_; ++i) {
        char ch = t[i];
        if (ch == '"' || (sql && ch == '\'')) {
            char q = ch;
            for (++i; i < end_; ++i) {
                if (t[i] == '\\' && i + 1 < end_) {
                    ++i;
                    continue;
                }
                if (t[i] == q) break;
            }
            continue;
        }
        if (ch == '\\' && !sql) {
            ++i;
            continue;
        }
        if (ch == '`' && !sql) {
            size_t z = t.find('`', i + 1);
            if (z != std::string::npos && z < end_) i = z;
            continue;
        }
        if (ch == o) ++depth;
        if (ch == c && --depth == 0) return i + 1;
    }
    return end_;
}

// The parsers peek far more often than they consume; the last peeked token
// is kept so the following next() (or peek) does not lex it again.
Token Lexer::peek(LexMode m) {
    if (peeked_ && peek_pos_ == pos_ && peek_mode_ == m && peek_sql_ == sql) return peek_tok_;
    size_t p = pos_;
    Token t = scan(m);
    peek_after_ = pos_;
    pos_ = p;
    peeked_ = true;
    peek_pos_ = p;
    peek_mode_ = m;
    peek_sql_ = sql;
    peek_tok_ = t;
    return t;
}

Token Lexer::next(LexMode m) {
    if (peeked_ && peek_pos_ == pos_ && peek_mode_ == m && peek_sql_ == sql) {
        peeked_ = false;
        pos_ = peek_after_;
        return std::move(peek_tok_);
    }
    return scan(m);
}

/* Search-language words and strings are unescaped while recording which `*`
 * are wildcards: `\\` is one backslash and `\"` a quote (Splunk's escapes);
 * every other backslash stays literal and does not protect the next
 * character, so in "*\\Temp\\*" both stars are wildcards. */
static void add_search_char(Token& tk, const std::string& t, size_t& i, size_t end) {
    char c = t[i];
    if (c == '\\' && i + 1 < end && (t[i + 1] == '\\' || t[i + 1] == '"' || t[i + 1] == '|')) {
        tk.text += t[i + 1];
        i += 2;
        return;
    }
    if (c == '*') tk.wild.push_back(uint32_t(tk.text.size()));
    tk.text += c;
    ++i;
}

Token Lexer::scan(LexMode m) {
    skip_ws();
    Token tk;
    tk.b = uint32_t(pos_);
    const std::string& t = x_.text;
    if (pos_ >= end_) {
        tk.e = tk.b;
        return tk;
    }
    char c = t[pos_];
    auto single = [&](Tok k) {
        tk.kind = k;
        tk.text = std::string(1, c);
        ++pos_;
        tk.e = uint32_t(pos_);
        return tk;
    };
    switch (c) {
        case '|':
            if (sql && pos_ + 1 < end_ && t[pos_ + 1] == '|') {  // SQL concatenation
                tk.kind = Tok::Arith;
                tk.text = "||";
                pos_ += 2;
                tk.e = uint32_t(pos_);
                return tk;
            }
            return single(Tok::Pipe);
        case '(':
            return single(Tok::LParen);
        case ')':
            return single(Tok::RParen);
        case '[':
            return single(Tok::LBracket);
        case ']':
            return single(Tok::RBracket);
        case ',':
            return single(Tok::Comma);
        default:
            break;
    }
    if (c == '`' && !sql) {
        size_t z = t.find('`', pos_ + 1);
        if (z == std::string::npos || z >= end_) z = end_ - 1;
        tk.kind = Tok::Macro;
        tk.text = t.substr(pos_, z + 1 - pos_);
        pos_ = z + 1;
        tk.e = uint32_t(pos_);
        return tk;
    }
    // Strings
    if ((c == '"' && !sql) || (c == '\'' && sql)) {
        tk.kind = Tok::String;
        size_t i = pos_ + 1;
        bool closed = false;
        while (i < end_) {
            char d = t[i];
            if (sql) {
                if (d == '\'' && i + 1 < end_ && t[i + 1] == '\'') {
                    tk.text += '\'';
                    i += 2;
                    continue;
                }
                if (d == '\'') {
                    closed = true;
                    ++i;
                    break;
                }
                if (d == '\\' && i + 1 < end_) {
                    // Snowflake escapes; an unknown escape keeps only the character
                    char n = t[i + 1];
                    switch (n) {
                        case 'n':
                            tk.text += '\n';
                            break;
                        case 't':
                            tk.text += '\t';
                            break;
                        case 'r':
                            tk.text += '\r';
                            break;
                        case '0':
                            tk.text += '\0';
                            break;
                        case 'b':
                            tk.text += '\b';
                            break;
                        case 'f':
                            tk.text += '\f';
                            break;
                        case 'x':
                            if (i + 3 < end_ && isxdigit(static_cast<unsigned char>(t[i + 2])) &&
                                isxdigit(static_cast<unsigned char>(t[i + 3]))) {
                                tk.text += char(std::stoi(t.substr(i + 2, 2), nullptr, 16));
                                i += 4;
                                continue;
                            }
                            tk.text += n;
                            break;
                        default:
                            tk.text += n;
                    }
                    i += 2;
                    continue;
                }
                tk.text += d;
                ++i;
                continue;
            }
            if (d == '"') {
                closed = true;
                ++i;
                break;
            }
            if (m == LexMode::Eval) {
                if (d == '\\' && i + 1 < end_ && (t[i + 1] == '\\' || t[i + 1] == '"')) {
                    tk.text += t[i + 1];
                    i += 2;
                    continue;
                }
                tk.text += d;
                ++i;
            } else {
                add_search_char(tk, t, i, end_);
            }
        }
        (void)closed;
        pos_ = i;
        tk.e = uint32_t(pos_);
        return tk;
    }
    if (sql && c == '"') {  // quoted identifier
        size_t z = t.find('"', pos_ + 1);
        if (z == std::string::npos || z >= end_) z = end_ - 1;
        tk.kind = Tok::Field;
        tk.text = t.substr(pos_ + 1, z - pos_ - 1);
        pos_ = z + 1;
        tk.e = uint32_t(pos_);
        return tk;
    }
    // Comparison operators
    if (m != LexMode::Value) {
        auto two = [&](const char* s) {
            return pos_ + 1 < end_ && t[pos_] == s[0] && t[pos_ + 1] == s[1];
        };
        const char* op = nullptr;
        size_t len = 2;
        if (two("=="))
            op = "==";
        else if (two("!="))
            op = "!=";
        else if (two("<="))
            op = "<=";
        else if (two(">="))
            op = ">=";
        else if (two("<>"))
            op = "!=";
        else if (c == '=')
            op = "=", len = 1;
        else if (c == '<')
            op = "<", len = 1;
        else if (c == '>')
            op = ">", len = 1;
        if (op) {
            tk.kind = Tok::Cmp;
            tk.text = op;
            pos_ += len;
            tk.e = uint32_t(pos_);
            return tk;
        }
    }
    if (m == LexMode::Eval) {
        if (c == '\'') {  // 'field name'
            size_t z = t.find('\'', pos_ + 1);
            if (z == std::string::npos || z >= end_) z = end_ - 1;
            tk.kind = Tok::Field;
            tk.text = t.substr(pos_ + 1, z - pos_ - 1);
            pos_ = z + 1;
            tk.e = uint32_t(pos_);
            return tk;
        }
        // numbers: digits[.digits][e[+-]digits], unless letters follow (5m, 1s)
        if (is_digit(c) || (c == '.' && pos_ + 1 < end_ && is_digit(t[pos_ + 1]))) {
            size_t i = pos_;
            while (i < end_ && is_digit(t[i])) ++i;
            if (i < end_ && t[i] == '.' && i + 1 < end_ && is_digit(t[i + 1])) {
                ++i;
                while (i < end_ && is_digit(t[i])) ++i;
            }
            if (i < end_ && (t[i] == 'e' || t[i] == 'E') && i + 1 < end_ &&
                (is_digit(t[i + 1]) ||
                 ((t[i + 1] == '+' || t[i + 1] == '-') && i + 2 < end_ && is_digit(t[i + 2])))) {
                i += 2;
                while (i < end_ && is_digit(t[i])) ++i;
            }
            if (i >= end_ || !is_ident(t[i])) {
                tk.kind = Tok::Word;
                tk.number = true;
                tk.text = t.substr(pos_, i - pos_);
                pos_ = i;
                tk.e = uint32_t(pos_);
                return tk;
            }
        }
        if (c == '$') {  // $name$ placeholder: ends at the closing dollar
            size_t i = pos_ + 1;
            while (i < end_ && (is_alnum(t[i]) || t[i] == '_' || t[i] == '.')) ++i;
            if (i < end_ && t[i] == '$' && i > pos_ + 1) {
                tk.kind = Tok::Word;
                tk.text = t.substr(pos_, i + 1 - pos_);
                pos_ = i + 1;
                tk.e = uint32_t(pos_);
                return tk;
            }
        }
        if (is_ident(c)) {
            size_t i = pos_;
            while (i < end_) {
                char d = t[i];
                if (is_ident(d)) {
                    ++i;
                    continue;
                }
                // a dot between identifier characters joins a dotted field name
                if (d == '.' && i + 1 < end_ && (is_ident(t[i + 1]) || t[i + 1] == '*') &&
                    i > pos_ && is_ident(t[i - 1])) {
                    ++i;
                    continue;
                }
                if (d == '*' && i > pos_ && t[i - 1] == '.') {  // values(Processes.*)
                    ++i;
                    continue;
                }
                // eval field names may hold ':' (inbound:outbound); SQL uses :: for casts
                if (!sql && d == ':' && i + 1 < end_ && is_ident(t[i + 1])) {
                    ++i;
                    continue;
                }
                break;
            }
            tk.kind = Tok::Word;
            tk.text = t.substr(pos_, i - pos_);
            pos_ = i;
            tk.e = uint32_t(pos_);
            return tk;
        }
        if (c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '.' || c == '!' ||
            c == ':' || c == '^' || c == '&' || c == '~' || c == '?' || c == ';' || c == '#') {
            if (sql && c == ':' && pos_ + 1 < end_ && t[pos_ + 1] == ':') {
                tk.kind = Tok::Arith;
                tk.text = "::";
                pos_ += 2;
                tk.e = uint32_t(pos_);
                return tk;
            }
            return single(Tok::Arith);
        }
        // anything else: one character as a word, so the parser can report it
        tk.kind = Tok::Word;
        tk.text = std::string(1, c);
        ++pos_;
        tk.e = uint32_t(pos_);
        return tk;
    }
    // Search / Value words
    tk.kind = Tok::Word;
    size_t i = pos_;
    while (i < end_) {
        char d = t[i];
        if (is_space(d) || d == '(' || d == ')' || d == '[' || d == ']' || d == '|' || d == '`' ||
            d == ',')
            break;
        if (d == '"' && i > pos_) break;
        if (m == LexMode::Search) {
            if (d == '=' || d == '<' || d == '>') break;
            if (d == '!' && i + 1 < end_ && t[i + 1] == '=') break;
        }
        add_search_char(tk, t, i, end_);
    }
    if (i == pos_) {  // a lone character no rule consumed
        tk.text = std::string(1, c);
        ++i;
    }
    pos_ = i;
    tk.e = uint32_t(pos_);
    return tk;
}

}  // namespace sigil::spl
