// fuzz/spl_query.cpp — libFuzzer target: one SPL query through parse_spl
// (with a small macro table, so expansion and argument substitution run) and
// the same text through parse_snowflake_sql; the IR of each result is
// normalized and printed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "sigil/spl.h"

using namespace sigil;

namespace {

const SplMacroTable& macros() {
    static const SplMacroTable table = [] {
        SplMacroTable t;
        auto add = [&](const char* name, std::vector<std::string> args, const char* def) {
            SplMacro m;
            m.name = name;
            m.args = std::move(args);
            m.definition = def;
            m.loc.file = fuzz::fuzz_file();
            m.loc.line = m.loc.col = 1;
            t.add(std::move(m));
        };
        add("sysmon", {}, "(sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational)");
        add("security_content_ctime", {"field"},
            "convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime($field$)");
        add("process_cmd", {},
            "(Processes.process_name=cmd.exe OR Processes.process_name=\"*sh*\")");
        add("self_a", {}, "`self_b`");  // mutual recursion: must be cut, not loop
        add("self_b", {}, "`self_a`");
        add("drop_dm_object_name", {"obj"}, "rename $obj$.* AS *");
        return t;
    }();
    return table;
}

void touch(const SplQuery& q) {
    if (q.condition) (void)to_string(normalize(q.condition));
    for (auto& s : q.stages)
        if (s.expr) (void)to_string(s.expr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    SourceLoc at;
    at.file = fuzz::fuzz_file();
    at.line = 3;
    at.col = 9;
    SplParseOptions opt;
    opt.macros = &macros();
    opt.rule = "fuzz";
    Diagnostics diags;
    SplQuery q = parse_spl(text, at, opt, diags);
    if (!q.condition) fuzz::fail("parse_spl returned no condition");
    touch(q);
    SplQuery s = parse_snowflake_sql(text, at, opt, diags);
    touch(s);
    fuzz::check_diagnostics(diags);
    return 0;
}
