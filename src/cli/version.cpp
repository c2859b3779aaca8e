// cli/version.cpp — `sigil version`.
#include <cstdio>

#include "cli/commands.h"

namespace sigil::cli {

void register_version(CLI::App& app, int& rc) {
    auto* sub = app.add_subcommand("version", "Print the sigil version");
    sub->callback([&rc] {
        std::printf("sigil %s\n", SIGIL_VERSION);
        rc = kOk;
    });
}

}  // namespace sigil::cli
