// fuzz/fuzz_common.h — what every libFuzzer target of sigil shares: a file
// name for locations and checks that turn a broken invariant into a crash the
// fuzzer reports (abort with a message), never a silent pass.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "sigil/ir.h"

namespace sigil::fuzz {

inline std::shared_ptr<const std::string> fuzz_file() {
    static auto f = std::make_shared<const std::string>("fuzz.yml");
    return f;
}

[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n%s\n", what, detail.substr(0, 4000).c_str());
    std::abort();
}

// Diagnostics are values users read: each has a code, a message of bounded
// size and a location with a file.
inline void check_diagnostics(const Diagnostics& diags) {
    for (auto& d : diags) {
        if (d.code.empty()) fail("diagnostic without a code", d.message);
        if (d.message.empty()) fail("diagnostic without a message", d.code);
        if (d.message.size() > 4096) fail("diagnostic message longer than 4 KB", d.code);
    }
}

}  // namespace sigil::fuzz
