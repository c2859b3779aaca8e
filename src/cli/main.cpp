// cli/main.cpp — the `sigil` entry point: builds the subcommand tree and runs it.
#include <csignal>
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // quiet on broken pipe: writes fail, we exit
    CLI::App app{"sigil — compiler and knowledge base for security detection rules"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show help for every subcommand");
    int rc = 0;
    sigil::cli::register_check(app, rc);
    sigil::cli::register_eval(app, rc);
    sigil::cli::register_convert(app, rc);
    sigil::cli::register_catalog(app, rc);
    sigil::cli::register_evtx(app, rc);
    sigil::cli::register_version(app, rc);
    sigil::cli::register_spl(app, rc);
    sigil::cli::register_hunt(app, rc);
    sigil::cli::register_test(app, rc);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int r = app.exit(e);
        return r == 0 ? 0 : sigil::cli::kUsage;
    }
    std::fflush(stdout);
    return rc;
}
