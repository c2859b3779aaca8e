// catalog/translations.cpp — the converter targets a catalog page shows, and the bridge to
// the convert back-end (include/sigil/convert.h).
#include <algorithm>
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

/* The targets are converted through one ConverterSet (include/sigil/convert.h), created on
 * first use with each target's default pipeline (as `sigil convert -t T` would) and shared by
 * every rule: targets whose pipeline chains are the same share one pipeline run per rule, so a
 * rule goes through each distinct chain once instead of once per target; the results equal
 * those of one Converter per target, byte for byte. A target whose converter cannot be created
 * is left out of the set and shows "target not available" (the set itself refuses to be
 * created when any target fails, so each target is then tried alone to find which).
 * Only Sigma rules are translated: the SPL front-end's rules are already Splunk searches, and
 * their predicates use data-model field names the Sigma pipelines do not map. A target that
 * cannot express a rule gives its error text, which the page shows instead of a query. */
Translator default_translator() {
    struct Converters {
        std::once_flag once;
        std::unique_ptr<ConverterSet> set;
        std::vector<std::string> targets;  // every target, in page order
        std::vector<int> slot;             // target index -> index in the set, -1: unavailable
    };
    auto conv = std::make_shared<Converters>();
    return [conv](const Rule& rule) {
        std::call_once(conv->once, [&] {
            std::vector<ConvertOptions> opts;
            for (auto t : translation_targets()) {
                ConvertOptions o;
                o.target = std::string(t);
                conv->targets.push_back(o.target);
                conv->slot.push_back(static_cast<int>(opts.size()));
                opts.push_back(std::move(o));
            }
            Diagnostics d;
            conv->set = ConverterSet::create(opts, d);
            if (!conv->set) {
                std::vector<ConvertOptions> available;
                for (size_t i = 0; i < opts.size(); ++i) {
                    Diagnostics one;
                    if (Converter::create(opts[i], one)) {
                        conv->slot[i] = static_cast<int>(available.size());
                        available.push_back(opts[i]);
                    } else {
                        conv->slot[i] = -1;
                    }
                }
                Diagnostics again;
                if (!available.empty()) conv->set = ConverterSet::create(available, again);
                if (!conv->set) std::fill(conv->slot.begin(), conv->slot.end(), -1);
            }
        });
        std::vector<Translation> out;
        if (rule.source != RuleSource::Sigma || rule.kind != RuleKind::Detection) return out;
        std::vector<RuleConversion> results;
        if (conv->set) results = conv->set->convert(rule);
        out.reserve(conv->targets.size());
        for (size_t i = 0; i < conv->targets.size(); ++i) {
            Translation t;
            t.target = conv->targets[i];
            if (conv->slot[i] < 0) {
                t.error = "target not available";
            } else {
                RuleConversion& rc = results[static_cast<size_t>(conv->slot[i])];
                if (rc.ok()) {
                    for (size_t q = 0; q < rc.queries.size(); ++q)
                        t.query += (q ? "\n" : "") + rc.queries[q];
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
