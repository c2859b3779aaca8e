// catalog/rule_html.cpp — a rule's HTML page written straight from its JSON model, and the
// site's page layout: the output of the rule.mustache and layout.mustache templates, byte for
// byte, without building a mustache data tree per rule.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "catalog/site_internal.h"

namespace sigil {

using nlohmann::json;

/* Why a writer and not the template engine: a rule page is the largest page of the catalog
 * (the rule body and 13 translations), and there are 7,389 of them. Rendering one through the
 * template engine first copied the whole model into the engine's data tree (every string, plus
 * a `has_x` entry per list), then rendered it through per-line buffers and a string stream:
 * about 17 % of a full build. The writer below appends each piece once to one string.
 *
 * It reproduces what the engine makes of rule.mustache and layout.mustache, including the
 * engine's rule for lines that hold only section tags: at a newline, the line is dropped when
 * nothing but spaces was written on it and a section was entered or left on it (a section
 * that was skipped does not count). So a skipped `{{#x}}...{{/x}}` block leaves an empty line,
 * and a rendered one leaves none; the comments below name the lines this produces. The
 * templates stay in src/catalog/assets as the reference: the unit test
 * CatalogWriters.EqualTheReference renders both ways and compares. Values are escaped as
 * the engine does ({{x}}: & < > " ' become entities); an empty string or a false value prints
 * nothing. */
namespace {

class PageWriter {
  public:
    explicit PageWriter(std::string& out) : o_(out) {}
    PageWriter& raw(std::string_view s) {
        o_.append(s);
        return *this;
    }
    // An escaped value: runs of plain bytes are appended whole.
    PageWriter& text(std::string_view s) {
        size_t run = 0;
        for (size_t k = 0; k < s.size(); ++k) {
            std::string_view rep;
            switch (s[k]) {
                case '&':
                    rep = "&amp;";
                    break;
                case '<':
                    rep = "&lt;";
                    break;
                case '>':
                    rep = "&gt;";
                    break;
                case '"':
                    rep = "&quot;";
                    break;
                case '\'':
                    rep = "&apos;";
                    break;
                default:
                    continue;
            }
            o_.append(s.data() + run, k - run);
            o_.append(rep);
            run = k + 1;
        }
        o_.append(s.data() + run, s.size() - run);
        return *this;
    }
    // A model member: strings escaped, integers printed, anything else nothing.
    PageWriter& value(const json& j) {
        if (j.is_string()) return text(j.get_ref<const std::string&>());
        if (j.is_number_integer()) return raw(std::to_string(j.get<int64_t>()));
        return *this;
    }

  private:
    std::string& o_;
};

const json& member(const json& j, const char* key) {
    static const json none;
    if (!j.is_object()) return none;
    auto it = j.find(key);
    return it == j.end() ? none : *it;
}

// A section's test: non-empty strings and lists, true, non-zero numbers, objects.
bool truthy(const json& j) {
    switch (j.type()) {
        case json::value_t::string:
            return !j.get_ref<const std::string&>().empty();
        case json::value_t::array:
            return !j.empty();
        case json::value_t::boolean:
            return j.get<bool>();
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return j.get<int64_t>() != 0;
        case json::value_t::object:
            return true;
        default:
            return false;
    }
}

const json& list(const json& j, const char* key) {
    static const json empty = json::array();
    const json& l = member(j, key);
    return l.is_array() ? l : empty;
}

void neighbor_items(PageWriter& w, const json& items, std::string_view how) {
    for (const json& n : items.is_array() ? items : json::array()) {
        w.raw("<li><a href=\"").value(member(n, "slug")).raw(".html\">").value(member(n, "title"));
        w.raw("</a> <span class=\"src src-").value(member(n, "source")).raw("\">");
        w.value(member(n, "source")).raw("</span> (").raw(how).value(member(n, "note"));
        w.raw(")</li>");
    }
}

// The table sections with an empty-state paragraph ({{#has_x}} table {{/has_x}} then
// {{^has_x}} paragraph {{/has_x}}): a table followed by an empty line, or an empty line
// followed by the paragraph.
template <class Row>
void table_or_empty(PageWriter& w, const json& rows, std::string_view head, std::string_view empty,
                    Row row) {
    if (rows.empty()) {
        w.raw("\n").raw(empty).raw("\n");
        return;
    }
    w.raw(head).raw("\n");
    for (const json& r : rows) {
        row(r);
        w.raw("\n");
    }
    w.raw("</tbody></table>\n\n");
}

void rule_body(PageWriter& w, const json& m) {
    auto v = [&](const char* k) -> const json& { return member(m, k); };
    w.raw(
         "<p class=\"crumbs\"><a href=\"../index.html\">Detection rules</a> \xE2\x80\xBA "
         "<a href=\"../index.html?source=")
        .value(v("source"))
        .raw("\">")
        .value(v("source_label"))
        .raw("</a></p>\n");
    w.raw("<h1 id=\"rule-title\">").value(v("title")).raw("</h1>\n");
    w.raw("<p class=\"description\">").value(v("description")).raw("</p>\n\n");

    // The metadata table.
    w.raw("<table class=\"meta\" id=\"meta\">\n<tr><th>Title</th><td>")
        .value(v("title"))
        .raw("</td></tr>\n");
    w.raw("<tr><th>ID</th><td><code>").value(v("id")).raw("</code></td></tr>\n");
    w.raw("<tr><th>Source</th><td>").value(v("source_label"));
    if (truthy(v("path"))) w.raw(" \xC2\xB7 <code>").value(v("path")).raw("</code>");
    w.raw("</td></tr>\n<tr><th>ATT&amp;CK Tactic</th><td><ul>");
    for (const json& t : list(m, "tactics")) {
        w.raw("<li>");
        const json& id = member(t, "tactic_id");
        if (truthy(id))
            w.raw("<a href=\"https://attack.mitre.org/tactics/")
                .value(id)
                .raw("/\">")
                .value(id)
                .raw(": ")
                .value(member(t, "tactic"))
                .raw("</a>");
        else
            w.value(member(t, "tactic"));
        w.raw("</li>");
    }
    w.raw("</ul></td></tr>\n<tr><th>ATT&amp;CK Technique</th><td><ul>");
    for (const json& t : list(m, "techniques")) {
        w.raw("<li>");
        if (truthy(member(t, "known")))
            w.raw("<a href=\"../techniques/")
                .value(member(t, "id"))
                .raw(".html\">")
                .value(member(t, "display"))
                .raw("</a>");
        else
            w.value(member(t, "display"));
        if (truthy(member(t, "tagged")))
            w.raw(" <span class=\"note\">(tagged ")
                .value(member(t, "tagged"))
                .raw(", ")
                .value(member(t, "fate"))
                .raw(")</span>");
        w.raw("</li>");
    }
    w.raw("</ul></td></tr>\n<tr><th>Software</th><td><ul>");
    for (const json& x : list(m, "software"))
        w.raw("<li>").value(member(x, "display")).raw("</li>");
    w.raw("</ul></td></tr>\n<tr><th>Groups</th><td><ul>");
    for (const json& x : list(m, "groups")) w.raw("<li>").value(member(x, "display")).raw("</li>");
    w.raw("</ul></td></tr>\n<tr><th>Data Needed</th><td><ul>");
    for (const json& d : list(m, "data_needed")) {
        w.raw("<li>");
        if (truthy(member(d, "atc_id")))
            w.value(member(d, "atc_id"));
        else
            w.value(member(d, "channel")).raw(" ").value(member(d, "event_id"));
        w.raw("</li>");
    }
    w.raw("</ul></td></tr>\n<tr><th>Trigger</th><td><ul>");
    for (const json& t : list(m, "techniques"))
        if (truthy(member(t, "known")))
            w.raw("<li><a href=\"../techniques/")
                .value(member(t, "id"))
                .raw(".html#atomic\">")
                .value(member(t, "id"))
                .raw("</a></li>");
    w.raw("</ul></td></tr>\n<tr><th>Severity Level</th><td class=\"level-")
        .value(v("level"))
        .raw("\">")
        .value(v("level"))
        .raw("</td></tr>\n");
    w.raw("<tr><th>Log Source</th><td>")
        .value(member(v("logsource"), "text"))
        .raw("</td></tr>\n<tr><th>False Positives</th><td><ul>");
    for (const json& f : list(m, "falsepositives")) w.raw("<li>").value(f).raw("</li>");
    w.raw("</ul></td></tr>\n<tr><th>Development Status</th><td>")
        .value(v("status"))
        .raw("</td></tr>\n");
    auto references = [&] {
        w.raw("<ul>");
        for (const json& r : list(m, "references")) {
            w.raw("<li>");
            if (truthy(member(r, "link")))
                w.raw("<a href=\"")
                    .value(member(r, "url"))
                    .raw("\" rel=\"noopener noreferrer\">")
                    .value(member(r, "url"))
                    .raw("</a>");
            else
                w.value(member(r, "url"));
            w.raw("</li>");
        }
        w.raw("</ul>");
    };
    w.raw("<tr><th>References</th><td>");
    references();
    w.raw("</td></tr>\n<tr><th>Author</th><td>").value(v("author")).raw("</td></tr>\n");
    w.raw("<tr><th>Date</th><td>").value(v("date"));
    if (truthy(v("modified"))) w.raw(" (modified ").value(v("modified")).raw(")");
    w.raw("</td></tr>\n<tr><th>Other Tags</th><td><ul>");
    for (const json& t : list(m, "other_tags")) w.raw("<li>").value(t).raw("</li>");
    w.raw("</ul></td></tr>\n</table>\n\n");

    // ATT&CK coverage.
    w.raw("<section id=\"attack\">\n<h2>MITRE ATT&amp;CK coverage</h2>\n");
    table_or_empty(w, list(m, "tactics"),
                   "<table><thead><tr><th>Tactic</th><th>Techniques</th></tr></thead><tbody>",
                   "<p class=\"empty\">The rule has no ATT&amp;CK tags.</p>", [&](const json& t) {
                       w.raw("<tr><td>").value(member(t, "tactic")).raw("</td><td>");
                       if (truthy(member(t, "none"))) w.raw("No specific technique");
                       for (const json& x : list(t, "techniques"))
                           w.raw("<div><a href=\"../techniques/")
                               .value(member(x, "id"))
                               .raw(".html\">")
                               .value(member(x, "display"))
                               .raw("</a></div>");
                       w.raw("</td></tr>");
                   });
    w.raw("</section>\n\n<section id=\"references\">\n<h2>References</h2>\n");
    references();
    w.raw("\n</section>\n\n");

    // Events.
    w.raw("<section id=\"events\">\n<h2>Event coverage</h2>\n");
    table_or_empty(w, list(m, "events"),
                   "<table><thead><tr><th>Provider</th><th>Event ID</th><th>Title</th></tr>"
                   "</thead><tbody>",
                   "<p class=\"empty\">No Windows event is known for this rule's log source.</p>",
                   [&](const json& e) {
                       w.raw("<tr><td>").value(member(e, "provider_short")).raw("</td><td>");
                       if (truthy(member(e, "any")))
                           w.raw("any event");
                       else
                           w.raw("<a href=\"../events/")
                               .value(member(e, "page"))
                               .raw(".html\">Event ID ")
                               .value(member(e, "event_id"))
                               .raw("</a>");
                       w.raw("</td><td>").value(member(e, "title")).raw("</td></tr>");
                   });
    w.raw("</section>\n\n");

    // Data needed: the definition line, and the table or (skipped section) an empty line.
    w.raw("<section id=\"data-needed\">\n<h2>Data needed</h2>\n");
    const json& def = member(v("logsource"), "definition");
    if (truthy(def)) w.raw("<p class=\"definition\">").value(def).raw("</p>");
    w.raw("\n");
    const json& dn = list(m, "data_needed");
    if (dn.empty()) {
        w.raw("\n");
    } else {
        w.raw(
            "<table><thead><tr><th>Channel</th><th>Event ID</th><th>Setting</th><th>ATC</th>"
            "</tr></thead><tbody>\n");
        for (const json& d : dn)
            w.raw("<tr><td>")
                .value(member(d, "channel"))
                .raw("</td><td>")
                .value(member(d, "event_id"))
                .raw("</td><td>")
                .value(member(d, "audit"))
                .raw("</td><td>")
                .value(member(d, "atc_id"))
                .raw("</td></tr>\n");
        w.raw("</tbody></table>\n");
    }
    w.raw("</section>\n\n");

    // Triggers: the "and N more" line is empty when there are no more.
    w.raw("<section id=\"triggers\">\n<h2>Triggers</h2>\n");
    const json& trig = list(m, "triggers");
    if (trig.empty()) {
        w.raw(
            "\n<p class=\"empty\">No Atomic Red Team test is known for the rule's "
            "techniques.</p>\n");
    } else {
        w.raw(
            "<p>Atomic Red Team tests of the rule's techniques: run one to check that the rule "
            "fires.</p>\n<table><thead><tr><th>Technique</th><th>#</th><th>Test</th>"
            "<th>Executor</th></tr></thead><tbody>\n");
        for (const json& t : trig)
            w.raw("<tr><td>")
                .value(member(t, "technique"))
                .raw("</td><td>")
                .value(member(t, "number"))
                .raw("</td><td>")
                .value(member(t, "name"))
                .raw(" <code class=\"guid\">")
                .value(member(t, "guid"))
                .raw("</code></td><td>")
                .value(member(t, "executor"))
                .raw("</td></tr>\n");
        w.raw("</tbody></table>\n");
        if (truthy(v("triggers_more")))
            w.raw("<p class=\"note\">and ")
                .value(v("triggers_more"))
                .raw(" more on the technique pages.</p>");
        w.raw("\n\n");
    }
    w.raw("</section>\n\n");

    // Body.
    w.raw("<section id=\"body\">\n<h2>Rule body</h2>\n<pre class=\"code\"><code>")
        .value(v("body"))
        .raw("</code></pre>\n</section>\n\n");

    // Stages: one block per stage, each optional line empty when absent; an empty line when
    // there is no stage; then the correlation line (empty without one).
    w.raw("<section id=\"stages\">\n<h2>Stages and Predicates</h2>\n");
    const json& stages = list(m, "stages");
    for (const json& s : stages) {
        w.raw("<div class=\"stage\"><h3>Stage ")
            .value(member(s, "number"))
            .raw(": ")
            .value(member(s, "label"))
            .raw("</h3>\n");
        if (truthy(member(s, "text")))
            w.raw("<pre class=\"code\"><code>").value(member(s, "text")).raw("</code></pre>");
        w.raw("\n");
        const json& preds = list(s, "predicates");
        if (!preds.empty()) {
            w.raw("<ul class=\"preds\">");
            for (const json& p : preds) w.raw("<li><code>").value(p).raw("</code></li>");
            w.raw("</ul>");
        }
        w.raw("\n</div>\n");
    }
    if (stages.empty()) w.raw("\n");
    const json& corr = v("correlation");
    if (truthy(corr)) {
        w.raw("<p>Correlation <b>").value(member(corr, "type")).raw("</b> of ");
        for (const json& r : list(corr, "rules")) w.raw("<code>").value(r).raw("</code> ");
        if (truthy(member(corr, "timespan"))) w.raw(" within ").value(member(corr, "timespan"));
        w.raw(".</p>");
    }
    w.raw("\n</section>\n\n");

    // Exclusions, indicators, search terms.
    w.raw(
        "<section id=\"exclusions\">\n<h2>Exclusions</h2>\n<p>Top-level NOT(...) conjuncts: "
        "predicates this rule actively suppresses.</p>\n");
    table_or_empty(w, list(m, "exclusions"),
                   "<table><thead><tr><th>Field</th><th>Kind</th><th>Excluded values</th></tr>"
                   "</thead><tbody>",
                   "<p class=\"empty\">None.</p>", [&](const json& x) {
                       w.raw("<tr><td>")
                           .value(member(x, "field"))
                           .raw("</td><td>")
                           .value(member(x, "kind"))
                           .raw("</td><td><code>")
                           .value(member(x, "joined"))
                           .raw("</code></td></tr>");
                   });
    w.raw("</section>\n\n");
    w.raw(
        "<section id=\"indicators\">\n<h2>Indicators</h2>\n<p>Each row is a field, a kind of "
        "test and the values the rule matches. The corpus count says how many other rules of "
        "this catalog test the same field, kind and value (Splunk CIM fields are compared "
        "under their Sigma names): a high count marks a widely used indicator, none one "
        "specific to this rule.</p>\n");
    table_or_empty(w, list(m, "indicators"),
                   "<table><thead><tr><th>Field</th><th>Kind</th><th>Values</th></tr></thead>"
                   "<tbody>",
                   "<p class=\"empty\">None.</p>", [&](const json& x) {
                       w.raw("<tr><td>")
                           .value(member(x, "field"))
                           .raw("</td><td>")
                           .value(member(x, "kind"))
                           .raw("</td><td><ul class=\"values\">");
                       for (const json& val : list(x, "values")) {
                           w.raw("<li><code>").value(member(val, "value")).raw("</code>");
                           if (truthy(member(val, "corpus_text")))
                               w.raw(" <span class=\"corpus\">")
                                   .value(member(val, "corpus_text"))
                                   .raw("</span>");
                           w.raw("</li>");
                       }
                       w.raw("</ul></td></tr>");
                   });
    w.raw("</section>\n\n");
    w.raw(
        "<section id=\"search-terms\">\n<h2>Search terms</h2>\n<p>Bare keywords: matched "
        "anywhere in the raw event, not against a named field, so they are not "
        "indicators.</p>\n");
    table_or_empty(w, list(m, "search_terms"),
                   "<table><thead><tr><th>Stage</th><th>Term</th></tr></thead><tbody>",
                   "<p class=\"empty\">None.</p>", [&](const json& t) {
                       w.raw("<tr><td>")
                           .value(member(t, "stage"))
                           .raw("</td><td><code>")
                           .value(member(t, "term"))
                           .raw("</code></td></tr>");
                   });
    w.raw("</section>\n\n");

    // Neighbors. An inverted section that is skipped leaves an empty line; the Duplicates
    // "None." line vanishes entirely when only near duplicates exist (its outer section was
    // entered, its inner one skipped).
    const json& nb = v("neighbors");
    const json& totals = member(nb, "totals");
    const json& stricter = list(nb, "stricter");
    const json& broader = list(nb, "broader");
    const json& dup = list(nb, "duplicate");
    const json& near = list(nb, "near_duplicate");
    auto none_line = [&](bool none) { w.raw(none ? "<p class=\"empty\">None.</p>\n" : "\n"); };
    auto more_line = [&](const char* key) {
        const json& n = member(totals, key);
        if (truthy(n)) w.raw("<p class=\"note\">and ").value(n).raw(" more.</p>");
        w.raw("\n");
    };
    w.raw(
        "<section id=\"neighbors\">\n<h2>Neighbors</h2>\n<h3>Stricter alternatives (narrower "
        "than this rule)</h3>\n<p>These rules keep every condition of this one and add "
        "filters: useful when this rule is too noisy.</p>\n<ul>");
    neighbor_items(w, stricter, "");
    w.raw("</ul>\n");
    none_line(stricter.empty());
    more_line("stricter_more");
    w.raw(
        "<h3>Broader alternatives (more inclusive than this rule)</h3>\n<p>These rules match a "
        "superset of what this rule catches: wider coverage, more false positives.</p>\n");
    none_line(broader.empty());
    w.raw("<ul>");
    neighbor_items(w, broader, "");
    w.raw("</ul>\n");
    more_line("broader_more");
    w.raw("<h3>Duplicates</h3>\n");
    if (!dup.empty())
        w.raw("\n");
    else if (near.empty())
        w.raw("<p class=\"empty\">None.</p>\n");
    w.raw("<ul>");
    neighbor_items(w, dup, "exact: ");
    w.raw("\n");
    neighbor_items(w, near, "near: ");
    w.raw("</ul>\n</section>\n\n");

    // Translations: a block per target, its query/error line empty when it has neither.
    w.raw("<section id=\"translations\">\n<h2>Translations</h2>\n");
    if (truthy(v("translations_available"))) {
        const json& tr = list(m, "translations");
        for (const json& t : tr) {
            w.raw("<h3>").value(member(t, "target")).raw("</h3>\n");
            if (truthy(member(t, "query")))
                w.raw("<pre class=\"code\"><code>").value(member(t, "query")).raw("</code></pre>");
            if (truthy(member(t, "error")))
                w.raw("<p class=\"error\">Not expressible: ").value(member(t, "error")).raw("</p>");
            w.raw("\n");
        }
        if (tr.empty()) w.raw("\n");
        w.raw("\n");
    } else {
        w.raw(
            "\n<p class=\"empty\">Query translations are not available in this build of sigil "
            "(no converter back-end).</p>\n");
    }
    w.raw("</section>\n");
}

}  // namespace

std::string page_layout(std::string_view body, std::string_view title, std::string_view root,
                        bool search_scripts) {
    std::string o;
    o.reserve(body.size() + 1024);
    PageWriter w(o);
    w.raw(
         "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta "
         "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        .text(title)
        .raw(" \xC2\xB7 sigil catalog</title>\n<link rel=\"stylesheet\" href=\"")
        .text(root)
        .raw(
            "assets/style.css\">\n</head>\n<body>\n<header class=\"top\">\n<a class=\"brand\" "
            "href=\"")
        .text(root)
        .raw("index.html\">sigil catalog</a>\n<nav>\n<a href=\"")
        .text(root)
        .raw("index.html\">Rules</a>\n<a href=\"")
        .text(root)
        .raw("matrix.html\">ATT&amp;CK matrix</a>\n<a href=\"")
        .text(root)
        .raw("events/index.html\">Events</a>\n<a href=\"")
        .text(root)
        .raw("logsources.html\">Log sources</a>\n<a href=\"")
        .text(root)
        .raw("downloads.html\">Downloads</a>\n</nav>\n</header>\n<main>\n")
        .raw(body)
        .raw("\n</main>\n<footer>sigil ")
        .text(SIGIL_VERSION)
        .raw("</footer>\n");
    if (search_scripts)
        for (const char* s : {"search-index.js", "assets/app.js"})
            w.raw("<script src=\"").text(root).text(s).raw("\"></script>\n");
    else
        w.raw("\n");
    w.raw("</body>\n</html>\n");
    return o;
}

std::string HtmlRenderer::rule_page(const json& model) const {
    std::string body;
    body.reserve(32768);
    PageWriter w(body);
    rule_body(w, model);
    const json& title = member(model, "title");
    return page_layout(body, title.is_string() ? title.get_ref<const std::string&>() : "", "../",
                       false);
}

}  // namespace sigil
