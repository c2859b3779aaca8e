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

    /* The watch document written as text directly, in the layout py_json
     * gives the equivalent tree with indent 2 (Python json.dumps style), so
     * the bytes are those of the seeds' watches without building a JSON tree
     * per rule. */
    std::string watch_text(const Rule& r, const std::string& q) const {
        std::string interval = option("interval", "30m");
        std::string mail = json_quote(option("mail", "root@localhost"));
        std::string o;
        o.reserve(1200 + 2 * q.size() + r.description.size());
        o += "{\n  \"metadata\": {\n    \"title\": ";
        json_quote_to(o, r.title);
        o += ",\n    \"description\": ";
        json_quote_to(o, r.description);
        o += ",\n    \"tags\": ";
        if (r.tags.empty()) {
            o += "[]";
        } else {
            o += '[';
            for (size_t i = 0; i < r.tags.size(); ++i) {
                o += i ? ",\n      " : "\n      ";
                json_quote_to(o, r.tags[i]);
            }
            o += "\n    ]";
        }
        std::string qq = json_quote(q);
        o += ",\n    \"query\": ";
        o += qq;
        o += "\n  },\n  \"trigger\": {\n    \"schedule\": {\n      \"interval\": ";
        json_quote_to(o, interval);
        o += "\n    }\n  },\n  \"input\": {\n    \"search\": {\n      \"request\": {\n"
             "        \"body\": {\n          \"size\": 0,\n          \"query\": {\n"
             "            \"bool\": {\n              \"must\": [\n                {\n"
             "                  \"query_string\": {\n                    \"query\": ";
        o += qq;
        o += ",\n                    \"analyze_wildcard\": true\n                  }\n"
             "                }\n              ],\n              \"filter\": {\n"
             "                \"range\": {\n                  \"timestamp\": {\n"
             "                    \"gte\": ";
        json_quote_to(o, "now-" + interval + "/m");
        o += "\n                  }\n                }\n              }\n            }\n"
             "          }\n        },\n        \"indices\": [\n          ";
        json_quote_to(o, option("index", "winlogbeat-*"));
        o += "\n        ]\n      }\n    }\n  },\n  \"condition\": {\n    \"compare\": {\n"
             "      \"ctx.payload.hits.total\": {\n        \"not_eq\": 0\n      }\n    }\n  },\n"
             "  \"actions\": {\n    \"send_email\": {\n      \"throttle_period\": \"15m\",\n"
             "      \"email\": {\n        \"profile\": \"standard\",\n        \"from\": ";
        o += mail;
        o += ",\n        \"to\": ";
        o += mail;
        o += ",\n        \"subject\": ";
        json_quote_to(o, "Sigma Rule '" + r.title + "'");
        o += ",\n        \"body\": ";
        o += json_quote("Hits:\n{{#ctx.payload.hits.hits}}{{_source}}\n" + std::string(80, '=') +
                        "\n{{/ctx.payload.hits.hits}}");
        o += ",\n        \"attachments\": {\n          \"data.json\": {\n            \"data\": {\n"
             "              \"format\": \"json\"\n            }\n          }\n        }\n"
             "      }\n    }\n  }\n}";
        return o;
    }

    std::vector<std::string> format_rule(const ProcessedRule& pr, std::vector<std::string> queries,
                                         const std::string& format) const override {
        if (format == "json") return queries;
        std::vector<std::string> out;
        for (size_t i = 0; i < queries.size(); ++i) {
            std::string text = watch_text(pr.rule, queries[i]);
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
