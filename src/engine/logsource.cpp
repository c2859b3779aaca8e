// engine/logsource.cpp — Sigma log source → the Channel/EventID condition it
// implies, from the embedded table data/sigma_logsources.tsv.
#include <algorithm>
#include <cctype>
#include <map>

#include "engine/logsource_table.h"
#include "sigil/engine.h"
#include "sigil/knowledge.h"

namespace sigil {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower((unsigned char)c));
    return s;
}

}  // namespace

namespace engine_detail {

const std::vector<LogsourceRow>& logsource_table() {
    static const std::vector<LogsourceRow> rows = [] {
        // columns: product category service channel provider event_ids pipeline
        std::vector<LogsourceRow> out;
        std::string_view text = embedded_table("sigma_logsources.tsv");
        bool header = true;
        while (!text.empty()) {
            size_t nl = text.find('\n');
            std::string_view line = text.substr(0, nl);
            text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
            if (header || line.empty()) {
                header = false;
                continue;
            }
            std::vector<std::string> cols;
            size_t at = 0;
            while (true) {
                size_t tab = line.find('\t', at);
                cols.emplace_back(line.substr(at, tab == std::string_view::npos ? tab : tab - at));
                if (tab == std::string_view::npos) break;
                at = tab + 1;
            }
            if (cols.size() < 6 || cols[3].empty()) continue;
            out.push_back({cols[0], cols[1], cols[2], cols[4], cols[3], cols[5]});
        }
        return out;
    }();
    return rows;
}

/* Row selection. A rule's product must equal the row's. With a category, the
 * rows of that category apply (restricted to the rule's service when some of
 * them name it: `process_creation` + `sysmon` is Sysmon 1 only); without a
 * category, the service rows (category empty) of that service apply. No row
 * → no mapping, and the rule runs over every event.
 */
std::vector<const LogsourceRow*> logsource_rows(const LogSource& ls) {
    std::vector<const LogsourceRow*> out;
    std::string p = lower(ls.product), c = lower(ls.category), s = lower(ls.service);
    if (p.empty() || (c.empty() && s.empty())) return out;
    for (const LogsourceRow& r : logsource_table()) {
        if (p != r.product) continue;
        if (!c.empty() ? c == r.category : (r.category.empty() && s == r.service))
            out.push_back(&r);
    }
    if (!c.empty() && !s.empty()) {
        std::vector<const LogsourceRow*> same;
        for (auto* r : out)
            if (s == r->service) same.push_back(r);
        if (!same.empty()) out = same;
    }
    return out;
}

}  // namespace engine_detail

ExprPtr logsource_condition(const LogSource& ls) {
    auto rows = engine_detail::logsource_rows(ls);
    if (rows.empty()) return nullptr;
    // channel → event ids (empty set = any id); rows of one channel merge
    std::map<std::string, std::vector<int64_t>> by_channel;
    std::map<std::string, bool> any_id;
    for (auto* r : rows) {
        auto& ids = by_channel[r->channel];
        std::string list = r->event_ids;
        if (list.empty()) any_id[r->channel] = true;
        size_t at = 0;
        while (at < list.size()) {
            size_t comma = list.find(',', at);
            if (comma == std::string::npos) comma = list.size();
            ids.push_back(std::stoll(list.substr(at, comma - at)));
            at = comma + 1;
        }
    }
    std::vector<ExprPtr> alts;
    for (auto& [channel, ids] : by_channel) {
        Pred ch;
        ch.field = "Channel";
        ch.op = Op::Eq;
        ch.value = Value::string(channel);
        if (any_id[channel] || ids.empty()) {
            alts.push_back(Expr::make_pred(ch));
            continue;
        }
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        std::vector<ExprPtr> eids;
        for (int64_t id : ids) {
            Pred e;
            e.field = "EventID";
            e.op = Op::Eq;
            e.value = Value::integer(id);
            eids.push_back(Expr::make_pred(e));
        }
        alts.push_back(Expr::make_and(
            {Expr::make_pred(ch), eids.size() == 1 ? eids[0] : Expr::make_or(eids)}));
    }
    return alts.size() == 1 ? alts[0] : Expr::make_or(alts);
}

}  // namespace sigil
