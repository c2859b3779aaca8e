// sigma/sigma_internal.h — shared pieces of the Sigma front-end: the per-
// document diagnostic context, search identifiers and the builders each
// source file provides.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sigil/ir.h"
#include "sigil/yaml.h"

namespace sigil::sigma {

// User text quoted in a diagnostic message, cut to `max` bytes (on a UTF-8
// boundary) so a hostile megabyte value cannot make a megabyte message.
inline std::string excerpt(const std::string& s, size_t max = 80) {
    if (s.size() <= max) return s;
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n) + "...";
}

// Where diagnostics of one YAML document go, and whether it failed.
struct DocContext {
    std::shared_ptr<const std::string> file;
    Diagnostics* diags = nullptr;
    std::string rule;  // title or id, once known
    bool failed = false;

    SourceLoc loc(const YamlNode& n) const { return SourceLoc{file, n.line, n.col}; }
    void report(Severity s, const std::string& code, const std::string& msg, const YamlNode& at) {
        report_at(s, code, msg, loc(at));
    }
    void report_at(Severity s, const std::string& code, const std::string& msg, SourceLoc l) {
        Diagnostic d;
        d.severity = s;
        d.code = code;
        d.message = msg;
        d.loc = std::move(l);
        d.rule = rule;
        if (s == Severity::Error) failed = true;
        diags->push_back(std::move(d));
    }
    void error(const std::string& code, const std::string& msg, const YamlNode& at) {
        report(Severity::Error, code, msg, at);
    }
    void warn(const std::string& code, const std::string& msg, const YamlNode& at) {
        report(Severity::Warning, code, msg, at);
    }
};

// A search identifier after modifiers: its expression, or null when it cannot
// be used in a condition (an empty list: DET-EMPTY-LIST-IDENT).
struct SearchIdentifier {
    std::string name;
    ExprPtr expr;
    bool keyword_list = false;  // a list of plain keywords (COND-ALLOF-SINGLE-IDENT)
    bool failed = false;        // had errors (already reported); conditions still parse
    const YamlNode* node = nullptr;
};

// detection.cpp: one search identifier's YAML value to IR.
ExprPtr build_search_identifier(const YamlNode& value, DocContext& ctx, bool& keyword_list);

// condition.cpp: parses a condition string over the given identifiers.
// Records which identifiers it used; returns null after reporting an error.
ExprPtr parse_condition(const std::string& text, const YamlNode& at,
                        const std::vector<SearchIdentifier>& idents, DocContext& ctx,
                        std::set<std::string>& used);

// Parses `detection:` (or a filter's `filter:`) into identifiers and conditions.
// `reserved` keys (condition, timeframe, rules) are skipped as identifiers.
struct DetectionBlock {
    std::vector<SearchIdentifier> idents;
    std::vector<ExprPtr> conditions;
    std::vector<std::string> condition_text;
};
bool build_detection_block(const YamlNode& det, DocContext& ctx, bool is_filter,
                           DetectionBlock& out);

}  // namespace sigil::sigma
