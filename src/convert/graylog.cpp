// convert/graylog.cpp — graylog: the legacy Elasticsearch query-string dialect
// with space-separated in-lists, as in the seeds; no field mapping by default.
#include "convert/es_family.h"

namespace sigil {

std::unique_ptr<Target> make_graylog_target() {
    return std::make_unique<EsQueryStringTarget>("graylog", true, " ");
}

}  // namespace sigil
