// convert/es_family.h — the Elasticsearch query-string family shared by
// es-qs, kibana, watcher and graylog (legacy sigmac conventions: quoted
// exact values, `.keyword` wildcard terms, backslash-escaped specials) and
// lucene (pySigma conventions: unquoted values).
#pragma once

#include <nlohmann/json.hpp>

#include "convert/target.h"

namespace sigil {

class EsQueryStringTarget : public TextTarget {
  public:
    // legacy = sigmac style (quotes + .keyword); otherwise pySigma lucene style.
    EsQueryStringTarget(std::string name, bool legacy, std::string list_sep);
    std::string name() const override { return name_; }

  protected:
    std::string name_;
};

// JSON text with Python json.dumps separators (", " and ": "), the way the
// legacy tool wrote Kibana objects and watches; indent < 0 = one line.
std::string py_json(const nlohmann::ordered_json& j, int indent = -1);

}  // namespace sigil
