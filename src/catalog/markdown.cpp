// catalog/markdown.cpp — a rule page as Markdown, with the sections of the HTML page, for
// reading in a repository browser or feeding to other tools.
#include <nlohmann/json.hpp>

#include "catalog/site_internal.h"

namespace sigil {

using nlohmann::json;

namespace {

/* Every piece is appended to the page in place: the page of a rule with 13 translations is
 * ~25 KB, and building it from temporaries (a string per cell, per concatenation) cost about
 * twice the time of writing it. */

// A table cell: one line, pipes escaped; HTML-significant characters are escaped too so a
// Markdown renderer that allows inline HTML shows rule text as text.
void cell(std::string& o, std::string_view s) {
    size_t run = 0;
    for (size_t k = 0; k < s.size(); ++k) {
        std::string_view rep;
        switch (s[k]) {
            case '|':
                rep = "\\|";
                break;
            case '\n':
                rep = " ";
                break;
            case '\r':
                rep = "";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '&':
                rep = "&amp;";
                break;
            default:
                continue;
        }
        o.append(s.data() + run, k - run);
        o.append(rep);
        run = k + 1;
    }
    o.append(s.data() + run, s.size() - run);
}

size_t longest_backtick_run(std::string_view s) {
    size_t longest = 0, run = 0;
    for (char c : s) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

// A code span: delimited by a backtick run longer than any inside the value; entities are
// not interpreted in code spans, so nothing is HTML-escaped; in a table cell a pipe is
// escaped (GFM reads `\|` as a pipe even in code spans), newlines become spaces.
void inline_code(std::string& o, std::string_view s, bool in_table = true) {
    size_t fence = longest_backtick_run(s) + 1;
    o.append(fence, '`');
    // The value after newline replacement starts/ends with a backtick iff s does.
    bool pad_front = s.empty() || s.front() == '`', pad_back = s.empty() || s.back() == '`';
    if (pad_front) o += ' ';
    for (char c : s) {
        if (c == '\n' || c == '\r')
            o += ' ';
        else if (c == '|' && in_table)
            o += "\\|";
        else
            o += c;
    }
    if (pad_back) o += ' ';
    o.append(fence, '`');
}

void fenced(std::string& o, std::string_view body, const char* lang) {
    size_t fence = std::max<size_t>(3, longest_backtick_run(body) + 1);
    o.append(fence, '`');
    o += lang;
    o += '\n';
    o += body;
    if (!body.empty() && body.back() != '\n') o += '\n';
    o.append(fence, '`');
    o += '\n';
}

const json& member(const json& j, const char* k) {
    static const json none;
    auto it = j.find(k);
    return it == j.end() ? none : *it;
}

// A member as text: strings as they are, integers printed, other values as JSON.
std::string_view str(const json& j, const char* k, std::string& tmp) {
    const json& v = member(j, k);
    if (v.is_string()) return v.get_ref<const std::string&>();
    if (v.is_null()) return {};
    tmp = v.is_number_integer() ? std::to_string(v.get<int64_t>()) : v.dump();
    return tmp;
}

}  // namespace

std::string rule_markdown(const json& m) {
    std::string o, t1, t2;
    o.reserve(32768);
    auto S = [&](const json& j, const char* k) { return str(j, k, t1); };
    auto C = [&](const json& j, const char* k) { cell(o, str(j, k, t1)); };
    o += "Detection rules \xE2\x80\xBA ";
    o += S(m, "source_label");
    o += "\n\n# ";
    C(m, "title");
    o += "\n\n";
    C(m, "description");
    o += "\n\n| Field | Value |\n|---|---|\n";
    // A row of the field table; `each` writes the cells of a list joined with <br>.
    auto row = [&](const char* k, auto&& value) {
        o += "| ";
        o += k;
        o += " | ";
        value();
        o += " |\n";
    };
    auto joined = [&](const json& list, auto&& item) {
        return [&list, item] {
            bool first = true;
            for (const json& x : list) {
                item(x, first);
                first = false;
            }
        };
    };
    auto br = [&](bool first) {
        if (!first) o += "<br>";
    };
    row("ID", [&] { C(m, "id"); });
    row("ATT&CK Tactic", joined(m["tactics"], [&](const json& t, bool first) {
            br(first);
            std::string v(str(t, "tactic_id", t1));
            v += ": ";
            v += str(t, "tactic", t2);
            cell(o, v);
        }));
    row("ATT&CK Technique", joined(m["techniques"], [&](const json& t, bool first) {
            br(first);
            C(t, "display");
        }));
    row("Software", joined(m["software"], [&](const json& x, bool first) {
            br(first);
            C(x, "display");
        }));
    row("Groups", joined(m["groups"], [&](const json& x, bool first) {
            br(first);
            C(x, "display");
        }));
    row("Data Needed", joined(m["data_needed"], [&](const json& x, bool first) {
            br(first);
            if (member(x, "atc_id").get_ref<const std::string&>().empty()) {
                std::string v(str(x, "channel", t1));
                v += ' ';
                v += str(x, "event_id", t2);
                cell(o, v);
            } else {
                C(x, "atc_id");
            }
        }));
    row("Trigger", joined(m["techniques"], [&](const json& t, bool first) {
            br(first);
            C(t, "id");
        }));
    row("Severity Level", [&] { C(m, "level"); });
    row("Log Source", [&] { cell(o, m["logsource"]["text"].get_ref<const std::string&>()); });
    row("False Positives", joined(m["falsepositives"], [&](const json& x, bool first) {
            br(first);
            cell(o, x.get_ref<const std::string&>());
        }));
    row("Development Status", [&] { C(m, "status"); });
    row("References", joined(m["references"], [&](const json& x, bool first) {
            br(first);
            C(x, "url");
        }));
    row("Author", [&] { C(m, "author"); });
    row("Other Tags", joined(m["other_tags"], [&](const json& x, bool first) {
            br(first);
            cell(o, x.get_ref<const std::string&>());
        }));
    o += "\n";

    o += "## MITRE ATT&CK coverage\n\n| Tactic | Techniques |\n|---|---|\n";
    for (auto& t : m["tactics"]) {
        o += "| ";
        C(t, "tactic");
        o += " | ";
        const json& techs = t["techniques"];
        if (techs.empty()) o += "No specific technique";
        bool first = true;
        for (auto& x : techs) {
            br(first);
            first = false;
            C(x, "display");
        }
        o += " |\n";
    }
    o += "\n## Event coverage\n\n| Provider | Event ID | Title |\n|---|---|---|\n";
    for (auto& e : m["events"]) {
        o += "| ";
        C(e, "provider_short");
        o += " | ";
        if (e["event_id"].get<uint32_t>())
            o += S(e, "event_id");
        else
            o += "any";
        o += " | ";
        C(e, "title");
        o += " |\n";
    }
    o += "\n## Data needed\n\n";
    if (!S(m["logsource"], "definition").empty()) {
        C(m["logsource"], "definition");
        o += "\n\n";
    }
    o += "| Channel | Event ID | Setting | ATC |\n|---|---|---|---|\n";
    for (auto& d : m["data_needed"]) {
        o += "| ";
        C(d, "channel");
        o += " | ";
        o += S(d, "event_id");
        o += " | ";
        C(d, "audit");
        o += " | ";
        C(d, "atc_id");
        o += " |\n";
    }
    o += "\n## Triggers\n\n| Technique | # | Test | Executor |\n|---|---|---|---|\n";
    for (auto& t : m["triggers"]) {
        o += "| ";
        C(t, "technique");
        o += " | ";
        o += S(t, "number");
        o += " | ";
        C(t, "name");
        o += " | ";
        C(t, "executor");
        o += " |\n";
    }

    o += "\n## Rule body\n\n";
    fenced(o, S(m, "body"), "yaml");
    o += "\n## Stages and Predicates\n\n";
    for (auto& s : m["stages"]) {
        o += "### Stage ";
        o += S(s, "number");
        o += ": ";
        C(s, "label");
        o += "\n\n";
        if (!S(s, "text").empty()) fenced(o, S(s, "text"), "");
        for (auto& p : s["predicates"]) {
            o += "- ";
            inline_code(o, p.get_ref<const std::string&>(), false);
            o += "\n";
        }
        o += "\n";
    }
    o += "## Exclusions\n\nTop-level NOT(...) conjuncts: predicates this rule actively "
         "suppresses.\n\n";
    o += "| Field | Kind | Excluded values |\n|---|---|---|\n";
    for (auto& x : m["exclusions"]) {
        o += "| ";
        C(x, "field");
        o += " | ";
        o += S(x, "kind");
        o += " | ";
        inline_code(o, S(x, "joined"));
        o += " |\n";
    }
    o += "\n## Indicators\n\n| Field | Kind | Values | Corpus |\n|---|---|---|---|\n";
    for (auto& x : m["indicators"])
        for (auto& v : x["values"]) {
            o += "| ";
            C(x, "field");
            o += " | ";
            o += S(x, "kind");
            o += " | ";
            inline_code(o, S(v, "value"));
            o += " | ";
            C(v, "corpus_text");
            o += " |\n";
        }
    o += "\n## Search terms\n\n| Stage | Term |\n|---|---|\n";
    for (auto& t : m["search_terms"]) {
        o += "| ";
        o += S(t, "stage");
        o += " | ";
        inline_code(o, S(t, "term"));
        o += " |\n";
    }

    o += "\n## Neighbors\n\n";
    auto list = [&](const char* title, const char* key) {
        o += "### ";
        o += title;
        o += "\n\n";
        const json& l = m["neighbors"][key];
        if (l.empty()) o += "None.\n";
        for (auto& n : l) {
            o += "- [";
            C(n, "title");
            o += "](";
            o += S(n, "slug");
            o += ".md) (";
            o += S(n, "source");
            o += ", ";
            C(n, "note");
            o += ")\n";
        }
        size_t more = m["neighbors"]["totals"][std::string(key) + "_more"].get<size_t>();
        if (more) o += "- and " + std::to_string(more) + " more\n";
        o += "\n";
    };
    list("Stricter alternatives (narrower than this rule)", "stricter");
    list("Broader alternatives (more inclusive than this rule)", "broader");
    list("Duplicates (same logic)", "duplicate");
    list("Near duplicates", "near_duplicate");

    o += "## Translations\n\n";
    if (!m["translations_available"].get<bool>())
        o += "Query translations are not available in this build of sigil (no converter "
             "back-end).\n";
    for (auto& t : m["translations"]) {
        o += "### ";
        C(t, "target");
        o += "\n\n";
        if (!S(t, "query").empty()) {
            fenced(o, S(t, "query"), "");
        } else {
            o += "Not expressible: ";
            C(t, "error");
            o += "\n";
        }
        o += "\n";
    }
    return o;
}

}  // namespace sigil
