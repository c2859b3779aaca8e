// catalog/site_internal.h — the catalog site's pieces shared by the build (site.cpp), the
// renderers (html.cpp, markdown.cpp, exports.cpp) and the SQLite writer (sqlite_store.cpp).
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sigil/catalog.h"

namespace sigil {

namespace detail {
std::string_view embedded_catalog_asset(std::string_view name) noexcept;  // generated
}

// model.cpp
const char* source_label(RuleSource s);
std::string event_key(const std::string& provider_short, const std::string& channel, uint32_t id);
std::string logsource_text(const Rule& r);

// Corpus-wide indexes the site pages are made from.
struct SiteIndex {
    std::map<std::string, std::vector<uint32_t>> by_technique;  // technique id → rules
    std::map<std::string, std::vector<uint32_t>> by_event;      // event_key → rules
    std::map<std::string, EventRow> events;                     // event_key → event
    std::vector<std::string> tactics, levels, logsources;       // filter choices
};
SiteIndex index_site(const Catalog& c);

// rule_html.cpp: the page layout (layout.mustache's output) around a rendered body.
std::string page_layout(std::string_view body, std::string_view title, std::string_view root,
                        bool search_scripts);

// html.cpp: pages from the embedded mustache templates. Every value is HTML-escaped by the
// template engine ({{x}}); only already-rendered page bodies are inserted raw. Rule pages and
// the layout are written without the engine (rule_html.cpp), with the same output as their
// templates, which stay as the reference (rule_page_template, layout_template).
class HtmlRenderer {
  public:
    HtmlRenderer();
    ~HtmlRenderer();
    std::string rule_page(const nlohmann::json& model) const;
    std::string rule_page_template(const nlohmann::json& model) const;
    std::string layout_template(const std::string& body, const std::string& title,
                                const std::string& root, bool search_scripts) const;
    std::string index_page(const Catalog& c, const SiteIndex& s) const;
    std::string technique_page(const Catalog& c, const SiteIndex& s, std::string_view id) const;
    std::string matrix_page(const Catalog& c, const SiteIndex& s) const;
    std::string event_page(const Catalog& c, const SiteIndex& s, const std::string& key) const;
    std::string events_page(const Catalog& c, const SiteIndex& s) const;
    std::string logsources_page(const Catalog& c) const;
    std::string downloads_page(const Catalog& c) const;
    size_t rule_count = 0;

  private:
    struct Templates;
    std::unique_ptr<Templates> t_;
    std::string wrap(const std::string& body, const std::string& title, const std::string& root,
                     bool search_scripts) const;
};

// markdown.cpp
std::string rule_markdown(const nlohmann::json& model);

// exports.cpp
std::string search_index_js(const Catalog& c);
std::string rules_csv(const Catalog& c);
std::string navigator_layer(const Catalog& c, const SiteIndex& s);

// sqlite_store.cpp: DIR/catalog.sqlite (schema in docs/catalog.md). A build opens it fresh,
// or the previous build's in place (with a rollback journal), replaces the rows of every rule
// whose model changed, deletes those of removed rules, and commits once. Errors are returned
// as text.
class CatalogDb {
  public:
    CatalogDb();
    ~CatalogDb();
    std::string open(const std::string& path, bool fresh, bool in_place = false);
    // Adds a rule's rows; with `replace`, first removes the rows of a rule of that slug.
    std::string put_rule(const nlohmann::json& model, bool replace);
    std::string remove_rule(const std::string& slug);
    // Writes the meta rows and indexes; commits unless told not to (commit() does it then).
    std::string finish(size_t rule_count, bool commit = true);
    std::string commit();
    void rollback();

  private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace sigil
