// convert/kibana.cpp — kibana: Lucene query strings as in the seeds (legacy
// quoting, `.keyword` wildcard terms), no field mapping unless a pipeline is
// given; format ndjson writes Kibana saved-search objects.
#include "convert/es_family.h"

namespace sigil {
namespace {

class KibanaTarget : public EsQueryStringTarget {
  public:
    KibanaTarget() : EsQueryStringTarget("kibana", true, " OR ") {}
    std::vector<std::string> formats() const override { return {"default", "json", "ndjson"}; }
    std::vector<std::string> option_names() const override { return {"index"}; }

    std::vector<std::string> format_rule(const ProcessedRule& pr, std::vector<std::string> queries,
                                         const std::string& format) const override {
        if (format != "ndjson") return queries;
        std::string index = option("index", "winlogbeat-*");
        std::vector<std::string> out;
        for (size_t i = 0; i < queries.size(); ++i) {
            nlohmann::ordered_json src;
            src["index"] = index;
            src["filter"] = nlohmann::ordered_json::array();
            nlohmann::ordered_json hl;
            hl["pre_tags"] = {"@kibana-highlighted-field@"};
            hl["post_tags"] = {"@/kibana-highlighted-field@"};
            hl["fields"] = {{"*", nlohmann::ordered_json::object()}};
            hl["require_field_match"] = false;
            hl["fragment_size"] = 2147483647;
            src["highlight"] = hl;
            src["query"]["query_string"]["query"] = queries[i];
            src["query"]["query_string"]["analyze_wildcard"] = true;
            nlohmann::ordered_json o;
            std::string id = pr.rule.id.empty() ? pr.rule.title : pr.rule.id;
            if (queries.size() > 1) id += "-" + std::to_string(i + 1);
            o["id"] = id;
            o["type"] = "search";
            auto& a = o["attributes"];
            a["title"] = "Sigma: " + pr.rule.title;
            a["description"] = pr.rule.description;
            a["hits"] = 0;
            a["columns"] = nlohmann::ordered_json::array();
            a["sort"] = {"@timestamp", "desc"};
            a["version"] = 1;
            a["kibanaSavedObjectMeta"]["searchSourceJSON"] = py_json(src);
            nlohmann::ordered_json ref;
            ref["id"] = index;
            ref["name"] = "kibanaSavedObjectMeta.searchSourceJSON.index";
            ref["type"] = "index-pattern";
            o["references"] = nlohmann::ordered_json::array({ref});
            out.push_back(py_json(o));
        }
        return out;
    }
};

}  // namespace

std::unique_ptr<Target> make_kibana_target() {
    return std::make_unique<KibanaTarget>();
}

}  // namespace sigil
