// convert/watcher.cpp — watcher: Elastic X-Pack watches around an es-qs query
// (winlogbeat mapping by default), as the `curl -XPUT` command of the seeds
// (format curl, the default) or the bare watch JSON (format watch).
#include "convert/es_family.h"

namespace sigil {
namespace {

class WatcherTarget : public EsQueryStringTarget {
  public:
    WatcherTarget() : EsQueryStringTarget("watcher", true, " OR ") {}
    std::vector<std::string> formats() const override { return {"curl", "watch", "json"}; }
    std::vector<std::string> default_pipelines() const override { return {"winlogbeat"}; }
    std::vector<std::string> option_names() const override {
        return {"index", "interval", "mail", "host"};
    }

    nlohmann::ordered_json watch(const Rule& r, const std::string& q) const {
        std::string interval = option("interval", "30m");
        nlohmann::ordered_json w;
        w["metadata"]["title"] = r.title;
        w["metadata"]["description"] = r.description;
        w["metadata"]["tags"] = r.tags;
        w["metadata"]["query"] = q;
        w["trigger"]["schedule"]["interval"] = interval;
        nlohmann::ordered_json qs;
        qs["query_string"]["query"] = q;
        qs["query_string"]["analyze_wildcard"] = true;
        nlohmann::ordered_json body;
        body["size"] = 0;
        body["query"]["bool"]["must"] = nlohmann::ordered_json::array({qs});
        body["query"]["bool"]["filter"]["range"]["timestamp"]["gte"] = "now-" + interval + "/m";
        w["input"]["search"]["request"]["body"] = body;
        w["input"]["search"]["request"]["indices"] = {option("index", "winlogbeat-*")};
        w["condition"]["compare"]["ctx.payload.hits.total"]["not_eq"] = 0;
        auto& mail = w["actions"]["send_email"];
        mail["throttle_period"] = "15m";
        auto& e = mail["email"];
        e["profile"] = "standard";
        e["from"] = option("mail", "root@localhost");
        e["to"] = option("mail", "root@localhost");
        e["subject"] = "Sigma Rule '" + r.title + "'";
        e["body"] = "Hits:\n{{#ctx.payload.hits.hits}}{{_source}}\n" + std::string(80, '=') +
                    "\n{{/ctx.payload.hits.hits}}";
        e["attachments"]["data.json"]["data"]["format"] = "json";
        return w;
    }

    std::vector<std::string> format_rule(const ProcessedRule& pr,
                                         const std::vector<std::string>& queries,
                                         const std::string& format) const override {
        if (format == "json") return queries;
        std::vector<std::string> out;
        for (size_t i = 0; i < queries.size(); ++i) {
            std::string text = py_json(watch(pr.rule, queries[i]), 2);
            if (format == "watch") {
                out.push_back(text);
                continue;
            }
            std::string id = pr.rule.id.empty() ? pr.rule.title : pr.rule.id;
            for (auto& ch : id)
                if (ch == ' ' || ch == '/' || ch == '\'') ch = '-';
            if (queries.size() > 1) id += "-" + std::to_string(i + 1);
            out.push_back("curl -s -XPUT -H 'Content-Type: application/json' --data-binary @- " +
                          option("host", "localhost:9200") + "/_watcher/watch/" + id + " <<EOF\n" +
                          text + "\nEOF");
        }
        return out;
    }
};

}  // namespace

std::unique_ptr<Target> make_watcher_target() {
    return std::make_unique<WatcherTarget>();
}

}  // namespace sigil
