// catalog/translations.cpp — the converter targets a catalog page shows, and the bridge to
// the convert back-end (include/sigil/convert.h).
#include <memory>
#include <mutex>

#include "sigil/catalog.h"
#include "sigil/convert.h"

namespace sigil {

std::span<const std::string_view> translation_targets() {
    static constexpr std::string_view kTargets[] = {
        "splunk",     "kibana", "es-qs", "esdsl", "watcher", "graylog", "logpoint",
        "powershell", "grep",   "sql",   "eql",   "esql",    "kql"};
    return kTargets;
}

/* One Converter per target is created on first use (with the target's default pipeline,
 * as `sigil convert -t T` would) and shared by every rule. Only Sigma rules are translated:
 * the SPL front-end's rules are already Splunk searches, and their predicates use data-model
 * field names the Sigma pipelines do not map. A target that cannot express a rule gives its
 * error text, which the page shows instead of a query. */
Translator default_translator() {
    struct Converters {
        std::once_flag once;
        std::vector<std::pair<std::string, std::unique_ptr<Converter>>> list;
    };
    auto conv = std::make_shared<Converters>();
    return [conv](const Rule& rule) {
        std::call_once(conv->once, [&] {
            for (auto t : translation_targets()) {
                ConvertOptions o;
                o.target = std::string(t);
                Diagnostics d;
                conv->list.emplace_back(o.target, Converter::create(o, d));
            }
        });
        std::vector<Translation> out;
        if (rule.source != RuleSource::Sigma || rule.kind != RuleKind::Detection) return out;
        for (auto& [target, c] : conv->list) {
            Translation t;
            t.target = target;
            if (!c) {
                t.error = "target not available";
            } else {
                RuleConversion rc = c->convert(rule);
                if (rc.ok()) {
                    for (size_t i = 0; i < rc.queries.size(); ++i)
                        t.query += (i ? "\n" : "") + rc.queries[i];
                } else if (!rc.errors.empty()) {
                    t.error = rc.errors[0].message;
                } else {
                    t.error = "not converted";
                }
            }
            out.push_back(std::move(t));
        }
        return out;
    };
}

}  // namespace sigil
