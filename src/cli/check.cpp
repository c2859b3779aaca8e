// cli/check.cpp — `sigil check PATH...`: load rules, run validators, report.
#include "cli/commands.h"

namespace sigil::cli {
void register_check(CLI::App& app, int& rc) {
    auto* sub = app.add_subcommand("check", "Load rules and report every problem");
    sub->callback([&rc] { rc = kRuntime; });
}
}  // namespace sigil::cli
