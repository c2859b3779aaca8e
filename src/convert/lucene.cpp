// convert/lucene.cpp — lucene: Lucene query strings in pySigma's style
// (unquoted, every special escaped, no `.keyword`), for use with the
// ecs-windows pipeline as pySigma's Elasticsearch back-end does.
#include "convert/es_family.h"

namespace sigil {
namespace {
class LuceneTarget : public EsQueryStringTarget {
  public:
    LuceneTarget() : EsQueryStringTarget("lucene", false, " OR ") {}
    std::vector<std::string> default_pipelines() const override { return {"ecs-windows"}; }
};
}  // namespace

std::unique_ptr<Target> make_lucene_target() {
    return std::make_unique<LuceneTarget>();
}

}  // namespace sigil
