// convert/logpoint.cpp — LogPoint search queries as in the seeds: implicit AND,
// `-` for NOT, `field IN [..]` lists; the logpoint-windows pipeline by default.
#include "convert/target.h"

namespace sigil {
namespace {

class LogpointTarget : public TextTarget {
  public:
    LogpointTarget() {
        d.and_token = "";
        d.or_token = "OR";
        d.not_token = "-";
        d.not_separator = "";
        d.parenthesize = true;
        d.str_quote = "\"";
        d.escape_char = "\\";
        d.add_escaped = "\\";
        d.wildcard_multi = "*";
        d.wildcard_single = "";
        d.eq_expression = "{field}={value}";
        d.num_eq_expression = "{field}={value}";
        d.quote_numbers = true;
        d.null_expression = "-{field}=*";
        d.exists_expression = "{field}=*";
        d.not_exists_expression = "-{field}=*";
        d.compare_expression = "{field}{op}{value}";
        d.in_expression = "{field} IN [{list}]";
        d.in_allow_wildcards = true;
        d.kw_str_expression = "{value}";
        d.kw_num_expression = "{value}";
    }
    std::string name() const override { return "logpoint"; }
    std::vector<std::string> default_pipelines() const override { return {"logpoint-windows"}; }
};

}  // namespace

std::unique_ptr<Target> make_logpoint_target() {
    return std::make_unique<LogpointTarget>();
}

}  // namespace sigil
