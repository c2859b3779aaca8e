// cli/output.h — terminal output conventions: colour decisions (--color,
// NO_COLOR, TTY) and severity labels.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sigil/ir.h"

namespace sigil::cli {

class Painter {
public:
    Painter(const std::string& mode, FILE* f) {
        if (mode == "always")
            on_ = true;
        else if (mode == "never")
            on_ = false;
        else
            on_ = isatty(fileno(f)) && !std::getenv("NO_COLOR");
    }
    std::string wrap(const char* code, const std::string& s) const {
        return on_ ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
    }
    std::string severity(Severity s) const {
        switch (s) {
            case Severity::Error: return wrap("1;31", "error");
            case Severity::Warning: return wrap("33", "warning");
            case Severity::Info: return wrap("36", "info");
        }
        return "";
    }
    bool on() const { return on_; }

private:
    bool on_ = false;
};

}  // namespace sigil::cli
