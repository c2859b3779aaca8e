// cli/output.h — output conventions of the subcommands: colour decisions
// (--color, NO_COLOR, TTY), severity labels, and atomic writes of -o files.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "sigil/ir.h"

namespace sigil::cli {

/* Writes `text` to `path` so that readers see the old file or the whole new
 * one, never a part: the bytes go to a temporary file in the same directory
 * (same file system, so rename(2) replaces atomically), are flushed and
 * fsync'ed, then renamed over the target. On failure the temporary file is
 * removed, the target is untouched, and `err` says why. */
inline bool write_file_atomically(const std::string& path, std::string_view text,
                                  std::string& err) {
    std::string tmp = path + ".sigil-tmp-" + std::to_string(::getpid());
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) {
        err = std::strerror(errno);
        return false;
    }
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    ok = std::fflush(f) == 0 && ok;
    ok = ::fsync(fileno(f)) == 0 && ok;
    if (!ok) err = std::strerror(errno);
    if (std::fclose(f) != 0 && ok) {
        ok = false;
        err = std::strerror(errno);
    }
    if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
        ok = false;
        err = std::strerror(errno);
    }
    if (!ok) std::remove(tmp.c_str());
    return ok;
}

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
            case Severity::Error:
                return wrap("1;31", "error");
            case Severity::Warning:
                return wrap("33", "warning");
            case Severity::Info:
                return wrap("36", "info");
        }
        return "";
    }
    bool on() const { return on_; }

  private:
    bool on_ = false;
};

}  // namespace sigil::cli
