// cli/commands.h — one registration function per subcommand; each lives in its
// own file under src/cli/ and sets the process exit code through `rc`.
#pragma once

#include <CLI/CLI.hpp>

namespace sigil::cli {

// Exit codes (DESIGN.md): 0 ok, 1 findings where documented, 2 usage error,
// >2 runtime error.
enum ExitCode { kOk = 0, kFindings = 1, kUsage = 2, kRuntime = 3 };

void register_spl(CLI::App& app, int& rc);
void register_check(CLI::App& app, int& rc);
void register_evtx(CLI::App& app, int& rc);
void register_version(CLI::App& app, int& rc);
void register_eval(CLI::App& app, int& rc);
void register_hunt(CLI::App& app, int& rc);
void register_test(CLI::App& app, int& rc);
void register_convert(CLI::App& app, int& rc);
void register_catalog(CLI::App& app, int& rc);

}  // namespace sigil::cli
