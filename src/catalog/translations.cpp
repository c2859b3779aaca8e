// catalog/translations.cpp — the converter targets a catalog page shows, and the bridge to
// the convert back-end (include/sigil/convert.h) when libsigil is built with it.
#include "sigil/catalog.h"

namespace sigil {

std::span<const std::string_view> translation_targets() {
    static constexpr std::string_view kTargets[] = {
        "splunk",     "kibana", "es-qs", "esdsl", "watcher", "graylog", "logpoint",
        "powershell", "grep",   "sql",   "eql",   "esql",    "kql"};
    return kTargets;
}

/* The convert back-end is being written on its own branch; until it is merged this build has
 * no converter, and the catalog says so on every page ("not available in this build") rather
 * than showing empty queries. When include/sigil/convert.h lands, this function returns a
 * Translator that converts the rule once per translation_targets() entry and reports each
 * target's error text; nothing else in the catalog changes (pages, JSON, SQLite already
 * carry the per-target rows, and the build's rule cache stores them by file hash). */
Translator default_translator() {
    return nullptr;
}

}  // namespace sigil
