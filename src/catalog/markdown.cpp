// catalog/markdown.cpp — a rule page as Markdown, with the sections of the HTML page, for
// reading in a repository browser or feeding to other tools.
#include <nlohmann/json.hpp>

#include "catalog/site_internal.h"

namespace sigil {

using nlohmann::json;

namespace {

// A table cell: one line, pipes escaped; HTML-significant characters are escaped too so a
// Markdown renderer that allows inline HTML shows rule text as text.
std::string cell(const std::string& s) {
    std::string r;
    for (char c : s) {
        switch (c) {
            case '|':
                r += "\\|";
                break;
            case '\n':
                r += ' ';
                break;
            case '\r':
                break;
            case '<':
                r += "&lt;";
                break;
            case '>':
                r += "&gt;";
                break;
            case '&':
                r += "&amp;";
                break;
            default:
                r += c;
        }
    }
    return r;
}

// A code span: delimited by a backtick run longer than any inside the value; entities are
// not interpreted in code spans, so nothing is HTML-escaped; in a table cell a pipe is
// escaped (GFM reads `\|` as a pipe even in code spans), newlines become spaces.
std::string inline_code(const std::string& s, bool in_table = true) {
    size_t longest = 0, run = 0;
    for (char c : s) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    std::string fence(longest + 1, '`');
    std::string v;
    for (char c : s) {
        if (c == '\n' || c == '\r')
            v += ' ';
        else if (c == '|' && in_table)
            v += "\\|";
        else
            v += c;
    }
    return fence + (v.empty() || v.front() == '`' ? " " : "") + v +
           (v.empty() || v.back() == '`' ? " " : "") + fence;
}

std::string fenced(const std::string& body, const char* lang) {
    size_t longest = 0, run = 0;
    for (char c : body) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    std::string fence(std::max<size_t>(3, longest + 1), '`');
    std::string b = body;
    if (!b.empty() && b.back() != '\n') b += '\n';
    return fence + lang + "\n" + b + fence + "\n";
}

std::string str(const json& j, const char* k) {
    auto it = j.find(k);
    if (it == j.end() || it->is_null()) return "";
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
}

}  // namespace

std::string rule_markdown(const json& m) {
    std::string o;
    o += "Detection rules › " + str(m, "source_label") + "\n\n";
    o += "# " + cell(str(m, "title")) + "\n\n";
    o += cell(str(m, "description")) + "\n\n";

    o += "| Field | Value |\n|---|---|\n";
    auto row = [&](const char* k, const std::string& v) {
        o += "| " + std::string(k) + " | " + v + " |\n";
    };
    row("ID", cell(str(m, "id")));
    std::string tactics, techniques, trig;
    for (auto& t : m["tactics"])
        tactics +=
            (tactics.empty() ? "" : "<br>") + cell(str(t, "tactic_id") + ": " + str(t, "tactic"));
    for (auto& t : m["techniques"])
        techniques += (techniques.empty() ? "" : "<br>") + cell(str(t, "display"));
    row("ATT&CK Tactic", tactics);
    row("ATT&CK Technique", techniques);
    std::string sw, gr, dn, fp, refs, tags;
    for (auto& x : m["software"]) sw += (sw.empty() ? "" : "<br>") + cell(str(x, "display"));
    for (auto& x : m["groups"]) gr += (gr.empty() ? "" : "<br>") + cell(str(x, "display"));
    for (auto& x : m["data_needed"])
        dn += (dn.empty() ? "" : "<br>") + cell(x["atc_id"].get<std::string>().empty()
                                                    ? str(x, "channel") + " " + str(x, "event_id")
                                                    : str(x, "atc_id"));
    for (auto& x : m["falsepositives"])
        fp += (fp.empty() ? "" : "<br>") + cell(x.get<std::string>());
    for (auto& x : m["references"]) refs += (refs.empty() ? "" : "<br>") + cell(str(x, "url"));
    for (auto& x : m["other_tags"])
        tags += (tags.empty() ? "" : "<br>") + cell(x.get<std::string>());
    row("Software", sw);
    row("Groups", gr);
    row("Data Needed", dn);
    for (auto& t : m["techniques"]) trig += (trig.empty() ? "" : "<br>") + cell(str(t, "id"));
    row("Trigger", trig);
    row("Severity Level", cell(str(m, "level")));
    row("Log Source", cell(m["logsource"]["text"].get<std::string>()));
    row("False Positives", fp);
    row("Development Status", cell(str(m, "status")));
    row("References", refs);
    row("Author", cell(str(m, "author")));
    row("Other Tags", tags);
    o += "\n";

    o += "## MITRE ATT&CK coverage\n\n| Tactic | Techniques |\n|---|---|\n";
    for (auto& t : m["tactics"]) {
        std::string ts;
        for (auto& x : t["techniques"]) ts += (ts.empty() ? "" : "<br>") + cell(str(x, "display"));
        o += "| " + cell(str(t, "tactic")) + " | " + (ts.empty() ? "No specific technique" : ts) +
             " |\n";
    }
    o += "\n## Event coverage\n\n| Provider | Event ID | Title |\n|---|---|---|\n";
    for (auto& e : m["events"])
        o += "| " + cell(str(e, "provider_short")) + " | " +
             (e["event_id"].get<uint32_t>() ? str(e, "event_id") : std::string("any")) + " | " +
             cell(str(e, "title")) + " |\n";
    o += "\n## Data needed\n\n";
    if (!str(m["logsource"], "definition").empty())
        o += cell(str(m["logsource"], "definition")) + "\n\n";
    o += "| Channel | Event ID | Setting | ATC |\n|---|---|---|---|\n";
    for (auto& d : m["data_needed"])
        o += "| " + cell(str(d, "channel")) + " | " + str(d, "event_id") + " | " +
             cell(str(d, "audit")) + " | " + cell(str(d, "atc_id")) + " |\n";
    o += "\n## Triggers\n\n| Technique | # | Test | Executor |\n|---|---|---|---|\n";
    for (auto& t : m["triggers"])
        o += "| " + cell(str(t, "technique")) + " | " + str(t, "number") + " | " +
             cell(str(t, "name")) + " | " + cell(str(t, "executor")) + " |\n";

    o += "\n## Rule body\n\n" + fenced(str(m, "body"), "yaml");
    o += "\n## Stages and Predicates\n\n";
    for (auto& s : m["stages"]) {
        o += "### Stage " + str(s, "number") + ": " + cell(str(s, "label")) + "\n\n";
        if (!str(s, "text").empty()) o += fenced(str(s, "text"), "");
        for (auto& p : s["predicates"]) o += "- " + inline_code(p.get<std::string>(), false) + "\n";
        o += "\n";
    }
    o += "## Exclusions\n\nTop-level NOT(...) conjuncts: predicates this rule actively "
         "suppresses.\n\n";
    o += "| Field | Kind | Excluded values |\n|---|---|---|\n";
    for (auto& x : m["exclusions"])
        o += "| " + cell(str(x, "field")) + " | " + str(x, "kind") + " | " +
             inline_code(str(x, "joined")) + " |\n";
    o += "\n## Indicators\n\n| Field | Kind | Values | Corpus |\n|---|---|---|---|\n";
    for (auto& x : m["indicators"])
        for (auto& v : x["values"])
            o += "| " + cell(str(x, "field")) + " | " + str(x, "kind") + " | " +
                 inline_code(str(v, "value")) + " | " + cell(str(v, "corpus_text")) + " |\n";
    o += "\n## Search terms\n\n| Stage | Term |\n|---|---|\n";
    for (auto& t : m["search_terms"])
        o += "| " + str(t, "stage") + " | " + inline_code(str(t, "term")) + " |\n";

    o += "\n## Neighbors\n\n";
    auto list = [&](const char* title, const char* key) {
        o += "### " + std::string(title) + "\n\n";
        const json& l = m["neighbors"][key];
        if (l.empty()) o += "None.\n";
        for (auto& n : l)
            o += "- [" + cell(str(n, "title")) + "](" + str(n, "slug") + ".md) (" +
                 str(n, "source") + ", " + cell(str(n, "note")) + ")\n";
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
        o += "### " + cell(str(t, "target")) + "\n\n";
        if (!str(t, "query").empty())
            o += fenced(str(t, "query"), "");
        else
            o += "Not expressible: " + cell(str(t, "error")) + "\n";
        o += "\n";
    }
    return o;
}

}  // namespace sigil
